//! Releasing checkouts whose hold (once claimed: whose payment window) ran out: the stock
//! and promotion uses go back, and the cart reopens with a CHECKOUT_EXPIRED event. Safe with many instances sweeping at once: each
//! checkout is re-checked under its cart's lock and released through its guarded state
//! change, so exactly once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    db::{begin_write, retrying},
    domain::CartStatus,
    entity::{carts, checkouts},
    error::AppResult,
};

use super::{
    super::{
        expiry::{every, in_batches},
        history::{Author, EventKind, NewEvent},
        outbox::Outbox,
    },
    CheckoutState,
    claim::record,
    finish::reopen,
    holds,
};

/// Releases every checkout whose hold ended at or before `now`; returns how many.
pub async fn sweep_checkouts(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    outbox: Outbox,
) -> AppResult<u64> {
    let due = checkouts::Entity::find()
        .select_only()
        .column(checkouts::Column::Id)
        .filter(checkouts::Column::State.is_in(CheckoutState::OPEN))
        .filter(checkouts::Column::ExpiresAt.lte(now))
        .order_by_asc(checkouts::Column::ExpiresAt);
    in_batches(db, due, |id| async move {
        expire_one(db, &id, now, outbox).await
    })
    .await
}

/// Releases checkout `id` if, under its cart's lock, it still holds and is due.
async fn expire_one(
    db: &DatabaseConnection,
    id: &str,
    now: DateTime<Utc>,
    outbox: Outbox,
) -> AppResult<bool> {
    retrying(|| async {
        let txn = begin_write(db).await?;
        let Some(found) = checkouts::Entity::find_by_id(id.to_owned())
            .one(&txn)
            .await?
        else {
            txn.rollback().await?;
            return Ok(false);
        };
        let cart = carts::Entity::find_by_id(found.cart_id.clone())
            .lock_exclusive()
            .one(&txn)
            .await?;
        let checkout = checkouts::Entity::find_by_id(id.to_owned())
            .filter(checkouts::Column::State.is_in(CheckoutState::OPEN))
            .filter(checkouts::Column::ExpiresAt.lte(now))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let (Some(cart), Some(checkout)) = (cart, checkout) else {
            txn.rollback().await?;
            return Ok(false);
        };
        if !holds::release(&txn, &checkout, CheckoutState::Expired, false, now).await? {
            txn.rollback().await?;
            return Ok(false);
        }
        if CartStatus::parse(&cart.status) == CartStatus::Checkout {
            reopen(&txn, &cart.id).await?;
            let event = NewEvent::cart(EventKind::CheckoutExpired, Some(checkout.id.clone()));
            record(&txn, &cart, &Author::system(outbox), event, now).await?;
        }
        txn.commit().await?;
        Ok(true)
    })
    .await
}

/// Releases lapsed holds every `interval` in the background for the life of the process.
pub fn spawn_checkout_sweeper(db: DatabaseConnection, interval: Duration, outbox: Outbox) {
    every(interval, "released expired checkout holds", move || {
        let db = db.clone();
        async move { sweep_checkouts(&db, Utc::now(), outbox).await }
    });
}
