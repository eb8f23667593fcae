//! Closing carts that outlived their expiry. A cart's `expires_at` moves with every change
//! (`CARTQL_GUEST_CART_TTL` / `CARTQL_USER_CART_TTL`, or `CARTQL_EMPTY_CART_TTL` while it is
//! empty); reads already treat a cart past it as gone, and the sweeper closes it for good
//! with an EXPIRED event. Safe with many instances sweeping at once: each cart is re-checked
//! under its row lock, so it is closed exactly once and never after a change that revived it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    db::{begin_write, retrying},
    domain::CartStatus,
    entity::carts,
    error::AppResult,
};

use super::close::{Closed, close};

/// Carts closed per sweep round, so one round never holds the database for long.
const BATCH: u64 = 200;

/// Closes every open cart whose expiry is at or before `now`; returns how many it closed.
pub async fn sweep_expired(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let mut closed = 0;
    loop {
        let due: Vec<String> = carts::Entity::find()
            .select_only()
            .column(carts::Column::Id)
            .filter(carts::Column::Live.eq(true))
            .filter(carts::Column::ExpiresAt.lte(now))
            .filter(carts::Column::Status.ne(CartStatus::Checkout.as_str()))
            .order_by_asc(carts::Column::ExpiresAt)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let round = due.len() as u64;
        for id in due {
            if expire_one(db, &id, now).await? {
                closed += 1;
            }
        }
        if round < BATCH {
            return Ok(closed);
        }
    }
}

/// Closes cart `id` if, under its lock, it is still open and due.
async fn expire_one(db: &DatabaseConnection, id: &str, now: DateTime<Utc>) -> AppResult<bool> {
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
        close(&txn, &cart, Closed::Expired, None, "system", None).await?;
        txn.commit().await?;
        Ok(true)
    })
    .await
}

/// Runs the sweeper every `interval` in the background for the life of the process.
pub fn spawn_sweeper(db: DatabaseConnection, interval: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        // The first sweep comes one interval after start, not at once: a sweep racing the
        // start-up (and the first requests) would make when carts close depend on scheduling.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep_expired(&db, Utc::now()).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "closed expired carts"),
                Err(err) => {
                    tracing::warn!(error = ?err, "the expiry sweep failed; retrying next round")
                }
            }
        }
    });
}
