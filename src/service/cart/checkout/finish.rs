//! How a checkout ends: `cancelCheckout` (the shopper, until an order system claimed it)
//! reopens the cart and releases the hold; `completeCheckout` (the order system) turns the
//! hold into sold stock, counts the promotion uses and closes the cart as COMPLETED.
//! Completion is exactly once: a repeat with the same order reference answers the completed
//! checkout and changes nothing; another reference is refused, so one sale never becomes two
//! orders.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::{
    domain::CartStatus,
    entity::{carts, checkouts},
    error::AppResult,
    service::{ErrorCode, Outcome, UserError, promotions::count_uses},
};

use super::{
    super::{
        change::{Change, change_of},
        close::{Closed, close},
        history::{EventKind, NewEvent},
        lock,
        txn::{Flow, Writer},
    },
    CheckoutChange, CheckoutState, holding_of, holds,
};

/// Longest `orderReference`.
pub const MAX_ORDER_REFERENCE_LEN: usize = 255;

fn refuse(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Flow {
    Flow::Reject(UserError::new(code, field, message))
}

/// Cancels the caller's checkout in progress: the hold is released and the cart reopens.
pub async fn cancel_checkout(writer: &Writer<'_>) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let none = || {
            refuse(
                ErrorCode::CheckoutNotFound,
                &[],
                "the cart has no checkout in progress",
            )
        };
        let Some(locked) = lock::lock_current(txn, writer).await? else {
            return Err(none());
        };
        if CartStatus::parse(&locked.cart.status) != CartStatus::Checkout {
            return Err(none());
        }
        let mut events = Vec::new();
        if let Some(holding) = holding_of(txn, &locked.cart.id).await? {
            // The order system is charging: the sale is no longer the shopper's to undo.
            if CheckoutState::parse(&holding.state) == CheckoutState::Claimed {
                return Err(refuse(
                    ErrorCode::CheckoutClaimed,
                    &[],
                    "the payment for this checkout is being taken; it can no longer be cancelled",
                ));
            }
            holds::release(txn, &holding, CheckoutState::Cancelled, false, Utc::now()).await?;
            events.push(NewEvent::cart(
                EventKind::CheckoutCancelled,
                Some(holding.id),
            ));
        }
        lock::commit_change(txn, writer, &locked, events).await?;
        reopen(txn, &locked.cart.id).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}

/// Back to OPEN.
pub(super) async fn reopen(
    txn: &impl sea_orm::ConnectionTrait,
    cart_id: &str,
) -> Result<(), sea_orm::DbErr> {
    carts::Entity::update_many()
        .col_expr(
            carts::Column::Status,
            Expr::value(CartStatus::Open.as_str()),
        )
        .filter(carts::Column::Id.eq(cart_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Completes checkout `checkout_id` as order `order_reference` (callers with role `admin` or
/// `checkout`; the edge checks). A repeat answers the completed checkout unchanged, with the
/// reference it completed with.
pub async fn complete_checkout(
    writer: &Writer<'_>,
    checkout_id: &str,
    order_reference: &str,
) -> AppResult<Outcome<CheckoutChange>> {
    let reference = order_reference.trim();
    if reference.is_empty()
        || reference.chars().count() > MAX_ORDER_REFERENCE_LEN
        || reference.chars().any(char::is_control)
    {
        return Ok(Outcome::rejected(UserError::new(
            ErrorCode::InvalidOrderReference,
            &["orderReference"],
            format!(
                "an order reference is 1–{MAX_ORDER_REFERENCE_LEN} characters without control characters"
            ),
        )));
    }
    in_write_transaction!(writer, |txn| {
        let now = Utc::now();
        let (cart, checkout) = lock_checkout(txn, checkout_id).await?;
        let done = CheckoutChange {
            change: Change {
                cart_id: None,
                token: None,
            },
            checkout_id: Some(checkout.id.clone()),
        };
        match CheckoutState::parse(&checkout.state) {
            CheckoutState::Completed if checkout.order_reference.as_deref() == Some(reference) => {
                return Ok((done, Vec::new()));
            }
            CheckoutState::Expired => return Err(expired()),
            state if state.is_open() && checkout.expires_at <= now => return Err(expired()),
            state if state.is_open() => {}
            state => return Err(closed(state)),
        }
        holds::release(txn, &checkout, CheckoutState::Completed, true, now).await?;
        // Counted already when the checkout was claimed; counted here when it was not.
        count_checkout_uses(txn, &checkout).await?;
        checkouts::Entity::update_many()
            .col_expr(checkouts::Column::OrderReference, Expr::value(reference))
            .filter(checkouts::Column::Id.eq(checkout.id.as_str()))
            .exec(txn)
            .await?;
        close(
            txn,
            &cart,
            Closed::Completed,
            None,
            &writer.author(),
            Some(reference.to_owned()),
        )
        .await?;
        Ok((done, Vec::new()))
    })
}

fn not_found() -> Flow {
    refuse(
        ErrorCode::CheckoutNotFound,
        &["checkoutId"],
        "no checkout has this id",
    )
}

/// Checkout `id` and its cart, locked in the order every transition takes them: cart first.
pub(super) async fn lock_checkout(
    txn: &impl ConnectionTrait,
    id: &str,
) -> Result<(carts::Model, checkouts::Model), Flow> {
    let found = checkouts::Entity::find_by_id(id.to_owned())
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let cart = carts::Entity::find_by_id(found.cart_id.clone())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let checkout = checkouts::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    Ok((cart, checkout))
}

/// Counts the uses of `checkout`'s promotions for its customer, or refuses (the caller rolls
/// back) when one reached its limit meanwhile.
pub(super) async fn count_checkout_uses(
    txn: &impl sea_orm::ConnectionTrait,
    checkout: &checkouts::Model,
) -> Result<(), Flow> {
    let promotions: Vec<String> = serde_json::from_str(&checkout.promotion_ids).unwrap_or_default();
    let buyer = checkout.buyer_key.as_deref();
    if count_uses(
        txn,
        &promotions,
        &checkout.customer,
        buyer,
        &checkout.cart_id,
    )
    .await?
    .is_err()
    {
        return Err(refuse(
            ErrorCode::DiscountCodeLimitExceeded,
            &["checkoutId"],
            "a promotion of this checkout reached its limit for this customer meanwhile; release the checkout so the shopper can check out again",
        ));
    }
    Ok(())
}

/// CHECKOUT_EXPIRED: the hold (or payment window) ran out.
pub(super) fn expired() -> Flow {
    refuse(
        ErrorCode::CheckoutExpired,
        &["checkoutId"],
        "this checkout's hold expired: its stock was released and the cart reopened",
    )
}

/// CHECKOUT_CLOSED: the checkout ended in `state` and cannot move on.
pub(super) fn closed(state: CheckoutState) -> Flow {
    let why = match state {
        CheckoutState::Cancelled => "the shopper cancelled it",
        CheckoutState::Released => "it was released",
        CheckoutState::Completed => "it was completed as another order",
        _ => "it ended",
    };
    refuse(
        ErrorCode::CheckoutClosed,
        &["checkoutId"],
        format!("this checkout is closed ({why}); the shopper has to check out again"),
    )
}
