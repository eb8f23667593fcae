//! Closing carts that outlived their expiry. A cart's `expires_at` moves with every change
//! (`CARTQL_GUEST_CART_TTL` / `CARTQL_USER_CART_TTL`, or `CARTQL_EMPTY_CART_TTL` while it is
//! empty); reads already treat a cart past it as gone, and the sweeper closes it for good
//! with an EXPIRED event. Safe with many instances sweeping at once: each cart is re-checked
//! under its row lock, so it is closed exactly once and never after a change that revived it.

use std::{future::Future, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::{
    db::{begin_write, retrying},
    domain::CartStatus,
    entity::carts,
    error::AppResult,
};

use super::{
    close::{Closed, close},
    history::Author,
    outbox::Outbox,
};

/// Rows handled per sweep round, so one round never holds the database for long.
const BATCH: u64 = 200;

/// Runs `one` on every id `due` selects (its id column only, soonest first), a batch at a
/// time, until a batch comes back short; how many `one` acted on. Shared by the sweepers.
pub(super) async fn in_batches<E, F, Fut>(
    db: &DatabaseConnection,
    due: Select<E>,
    mut one: F,
) -> AppResult<u64>
where
    E: EntityTrait,
    F: FnMut(String) -> Fut,
    Fut: Future<Output = AppResult<bool>>,
{
    let mut done = 0;
    loop {
        let ids: Vec<String> = due.clone().limit(BATCH).into_tuple().all(db).await?;
        let round = ids.len() as u64;
        for id in ids {
            if one(id).await? {
                done += 1;
            }
        }
        if round < BATCH {
            return Ok(done);
        }
    }
}

/// Runs `sweep` every `interval` in the background for the life of the process, logging
/// what it did (`what`) and its failures (it retries next round).
pub(super) fn every<F, Fut>(interval: Duration, what: &'static str, sweep: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<u64>> + Send,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        // The first sweep comes one interval after start, not at once: a sweep racing the
        // start-up (and the first requests) would make when rows close depend on scheduling.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "{what}"),
                Err(err) => {
                    tracing::warn!(error = ?err, "a sweep failed ({what}); retrying next round")
                }
            }
        }
    });
}

/// Closes every open cart whose expiry is at or before `now`; returns how many it closed.
pub async fn sweep_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    outbox: Outbox,
) -> AppResult<u64> {
    let due = carts::Entity::find()
        .select_only()
        .column(carts::Column::Id)
        .filter(carts::Column::Live.eq(true))
        .filter(carts::Column::ExpiresAt.lte(now))
        .filter(carts::Column::Status.ne(CartStatus::Checkout.as_str()))
        .order_by_asc(carts::Column::ExpiresAt);
    in_batches(db, due, |id| async move {
        expire_one(db, &id, now, outbox).await
    })
    .await
}

/// Closes cart `id` if, under its lock, it is still open and due.
async fn expire_one(
    db: &DatabaseConnection,
    id: &str,
    now: DateTime<Utc>,
    outbox: Outbox,
) -> AppResult<bool> {
    retrying(|| async {
        let txn = begin_write(db).await?;
        let cart = carts::Entity::find_by_id(id.to_owned())
            .filter(carts::Column::Live.eq(true))
            .filter(carts::Column::ExpiresAt.lte(now))
            .filter(carts::Column::Status.ne(CartStatus::Checkout.as_str()))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let Some(cart) = cart else {
            txn.rollback().await?;
            return Ok(false);
        };
        close(
            &txn,
            &cart,
            Closed::Expired,
            None,
            &Author::system(outbox),
            None,
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    })
    .await
}

/// Runs the sweeper every `interval` in the background for the life of the process.
pub fn spawn_sweeper(db: DatabaseConnection, interval: Duration, outbox: Outbox) {
    every(interval, "closed expired carts", move || {
        let db = db.clone();
        async move { sweep_expired(&db, Utc::now(), outbox).await }
    });
}
