//! The order system's side of a payment (authorize, then capture): `claimCheckout` takes a
//! HOLDING checkout before the charge, so the shopper can no longer cancel it and its hold
//! lasts the payment window; `releaseCheckout` gives it back when the payment failed (the
//! cart reopens, the hold is released exactly once). Both repeat safely: a second claim or
//! release answers the checkout as it stands.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    entity::{carts, checkouts},
    error::AppResult,
    service::{Outcome, promotions::uncount_uses},
};

use super::{
    super::{
        change::Change,
        history::{self, Author, EventKind, NewEvent},
        lock::after,
        txn::Writer,
    },
    CheckoutChange, CheckoutState,
    finish::{closed, count_checkout_uses, expired, lock_checkout, reopen},
    holds,
};

/// The answer of a transition on checkout `id`: the checkout, read after the commit.
fn answer(id: &str) -> CheckoutChange {
    CheckoutChange {
        change: Change {
            cart_id: None,
            token: None,
        },
        checkout_id: Some(id.to_owned()),
    }
}

/// Claims checkout `checkout_id` for payment (callers with role `admin` or `checkout`; the
/// edge checks): HOLDING → CLAIMED, its hold extended to the payment window.
pub async fn claim_checkout(
    writer: &Writer<'_>,
    checkout_id: &str,
) -> AppResult<Outcome<CheckoutChange>> {
    in_write_transaction!(writer, |txn| {
        let now = Utc::now();
        let (cart, checkout) = lock_checkout(txn, checkout_id).await?;
        match CheckoutState::parse(&checkout.state) {
            CheckoutState::Claimed if checkout.expires_at > now => {
                return Ok((answer(&checkout.id), Vec::new()));
            }
            CheckoutState::Holding if checkout.expires_at > now => {}
            CheckoutState::Holding | CheckoutState::Claimed | CheckoutState::Expired => {
                return Err(expired());
            }
            state => return Err(closed(state)),
        }
        // Uses are counted now, before the charge: a completion of a claimed checkout never
        // meets a per-customer limit after the money was taken.
        count_checkout_uses(txn, &checkout).await?;
        let until = after(now, writer.settings.holds.payment_window);
        checkouts::Entity::update_many()
            .col_expr(
                checkouts::Column::State,
                Expr::value(CheckoutState::Claimed.as_str()),
            )
            .col_expr(checkouts::Column::ClaimedAt, Expr::value(now))
            .col_expr(checkouts::Column::ExpiresAt, Expr::value(until))
            .filter(checkouts::Column::Id.eq(checkout.id.as_str()))
            .exec(txn)
            .await?;
        outlast(txn, &cart.id, until).await?;
        let event = NewEvent::cart(EventKind::CheckoutClaimed, Some(checkout.id.clone()));
        record(txn, &cart, &writer.author(), event, now).await?;
        Ok((answer(&checkout.id), Vec::new()))
    })
}

/// Gives checkout `checkout_id` back (payment failed): HOLDING or CLAIMED → RELEASED, the
/// hold released and the cart reopened. A repeat answers the released checkout.
pub async fn release_checkout(
    writer: &Writer<'_>,
    checkout_id: &str,
) -> AppResult<Outcome<CheckoutChange>> {
    in_write_transaction!(writer, |txn| {
        let now = Utc::now();
        let (cart, checkout) = lock_checkout(txn, checkout_id).await?;
        match CheckoutState::parse(&checkout.state) {
            CheckoutState::Released => return Ok((answer(&checkout.id), Vec::new())),
            CheckoutState::Holding | CheckoutState::Claimed => {}
            CheckoutState::Expired => return Err(expired()),
            state => return Err(closed(state)),
        }
        holds::release(txn, &checkout, CheckoutState::Released, false, now).await?;
        let promotions: Vec<String> =
            serde_json::from_str(&checkout.promotion_ids).unwrap_or_default();
        uncount_uses(txn, &promotions, &checkout.cart_id).await?;
        reopen(txn, &cart.id).await?;
        let event = NewEvent::cart(EventKind::CheckoutReleased, Some(checkout.id.clone()));
        record(txn, &cart, &writer.author(), event, now).await?;
        Ok((answer(&checkout.id), Vec::new()))
    })
}

/// A transition made by someone other than the cart's holder (the order system, the sweeper):
/// the cart moves one version on and its history (and outbox) records `event`.
pub(super) async fn record(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
    author: &Author,
    event: NewEvent,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    carts::Entity::update_many()
        .col_expr(
            carts::Column::Version,
            Expr::col(carts::Column::Version).add(1),
        )
        .col_expr(carts::Column::UpdatedAt, Expr::value(now))
        .filter(carts::Column::Id.eq(cart.id.as_str()))
        .exec(txn)
        .await?;
    history::append(txn, cart, author, vec![event], now).await
}

/// The cart may not expire before its checkout's hold ends.
async fn outlast(
    txn: &impl ConnectionTrait,
    cart_id: &str,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    carts::Entity::update_many()
        .col_expr(carts::Column::ExpiresAt, Expr::value(until))
        .filter(carts::Column::Id.eq(cart_id))
        .filter(
            carts::Column::ExpiresAt
                .is_null()
                .or(carts::Column::ExpiresAt.lt(until)),
        )
        .exec(txn)
        .await?;
    Ok(())
}
