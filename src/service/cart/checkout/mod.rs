//! The checkout handoff: `beginCheckout` freezes a cart, prices it one last time, holds its
//! stock and promotion uses for `CARTQL_CHECKOUT_HOLD` (within the hold caps of [`caps`]), and
//! records the priced contents for the order system. The order system claims it
//! (`claimCheckout`) before it charges: from then the shopper cannot cancel it and its hold
//! lasts the payment window. `cancelCheckout` (the shopper, before a claim), `releaseCheckout`
//! (the order system, payment failed), the sweeper (on expiry) or `completeCheckout` end the
//! hold, exactly once. Completion turns the held units into sold ones, counts the promotion
//! uses and closes the cart as COMPLETED.
//!
//! Locks are always taken cart first, then checkout, then products and promotions in id
//! order, by every path, so concurrent transitions queue rather than deadlock.

mod begin;
mod caps;
mod claim;
mod contents;
mod finish;
mod holds;
mod sweep;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

pub use begin::begin_checkout;
pub use caps::{HoldRules, parse_share};
pub use claim::{claim_checkout, release_checkout};
pub use contents::{Contents, ContentsLine, Discount, Tax, Totals, hash_of};
pub use finish::{MAX_ORDER_REFERENCE_LEN, cancel_checkout, complete_checkout};
pub use sweep::{spawn_checkout_sweeper, sweep_checkouts};

use crate::{
    entity::{carts, checkouts},
    error::AppResult,
    service::idempotency::Record,
};

use super::{change::Change, txn::Replayable};

/// Where a checkout stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckoutState {
    /// Its stock is held until `expires_at`.
    Holding,
    /// An order system is taking payment; the hold lasts until `expires_at` (the payment
    /// window) and the shopper cannot cancel.
    Claimed,
    Cancelled,
    /// The order system gave it back (payment failed).
    Released,
    Expired,
    Completed,
}

impl CheckoutState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holding => "HOLDING",
            Self::Claimed => "CLAIMED",
            Self::Cancelled => "CANCELLED",
            Self::Released => "RELEASED",
            Self::Expired => "EXPIRED",
            Self::Completed => "COMPLETED",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "HOLDING" => Self::Holding,
            "CLAIMED" => Self::Claimed,
            "CANCELLED" => Self::Cancelled,
            "RELEASED" => Self::Released,
            "COMPLETED" => Self::Completed,
            _ => Self::Expired,
        }
    }

    /// Holding stock: HOLDING or CLAIMED.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Holding | Self::Claimed)
    }

    /// The states that hold stock, as stored.
    pub const OPEN: [&'static str; 2] = ["HOLDING", "CLAIMED"];
}

/// A checkout as stored, with its contents read back.
#[derive(Clone, Debug)]
pub struct Checkout {
    pub row: checkouts::Model,
    pub contents: Contents,
}

impl Checkout {
    fn read(row: checkouts::Model) -> Result<Self, DbErr> {
        let contents = serde_json::from_str(&row.contents)
            .map_err(|err| DbErr::Custom(format!("checkout {} contents: {err}", row.id)))?;
        Ok(Self { row, contents })
    }

    pub fn state(&self) -> CheckoutState {
        CheckoutState::parse(&self.row.state)
    }

    /// Still holding, but past its hold: the sweeper has yet to release it.
    pub fn lapsed(&self, now: DateTime<Utc>) -> bool {
        self.state().is_open() && self.row.expires_at <= now
    }
}

/// What a checkout transition left: the cart (for the payload) and the checkout.
#[derive(Clone, Debug)]
pub struct CheckoutChange {
    pub change: Change,
    pub checkout_id: Option<String>,
}

impl Replayable for CheckoutChange {
    fn record(&self) -> Record {
        Record {
            checkout_id: self.checkout_id.clone(),
            ..self.change.record()
        }
    }

    fn replay(record: Record) -> Self {
        Self {
            checkout_id: record.checkout_id.clone(),
            change: Change::replay(record),
        }
    }
}

/// Checkout `id` with its cart, for a reader; `None` when there is none.
pub async fn find_checkout(
    db: &impl ConnectionTrait,
    id: &str,
) -> AppResult<Option<(Checkout, carts::Model)>> {
    let Some(row) = checkouts::Entity::find_by_id(id.to_owned()).one(db).await? else {
        return Ok(None);
    };
    let Some(cart) = carts::Entity::find_by_id(row.cart_id.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((Checkout::read(row)?, cart)))
}

/// The checkouts among `ids` with their carts, by id: one statement for the checkouts and
/// one for their carts, however many they are.
pub async fn find_checkouts(
    db: &impl ConnectionTrait,
    ids: &[&str],
) -> AppResult<HashMap<String, (Checkout, carts::Model)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = checkouts::Entity::find()
        .filter(checkouts::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let carts: HashMap<String, carts::Model> = carts::Entity::find()
        .filter(carts::Column::Id.is_in(rows.iter().map(|row| row.cart_id.as_str())))
        .all(db)
        .await?
        .into_iter()
        .map(|cart| (cart.id.clone(), cart))
        .collect();
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        // Two checkouts of one cart each get a copy of it.
        let Some(cart) = carts.get(&row.cart_id).cloned() else {
            continue;
        };
        found.insert(row.id.clone(), (Checkout::read(row)?, cart));
    }
    Ok(found)
}

/// The checkout of `cart_id` that holds stock now (HOLDING or CLAIMED), if any, locked.
async fn holding_of(
    txn: &impl ConnectionTrait,
    cart_id: &str,
) -> Result<Option<checkouts::Model>, DbErr> {
    checkouts::Entity::find()
        .filter(checkouts::Column::CartId.eq(cart_id))
        .filter(checkouts::Column::State.is_in(CheckoutState::OPEN))
        .lock_exclusive()
        .one(txn)
        .await
}
