//! How a checkout ends: `cancelCheckout` (the shopper) reopens the cart and releases the
//! hold; `completeCheckout` (the order system) turns the hold into sold stock, counts the
//! promotion uses and closes the cart as COMPLETED. Completion is exactly once: a repeat
//! answers the completed checkout and changes nothing.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};

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
        let not_found = || {
            refuse(
                ErrorCode::CheckoutNotFound,
                &["checkoutId"],
                "no checkout has this id",
            )
        };
        let Some(found) = checkouts::Entity::find_by_id(checkout_id.to_owned())
            .one(txn)
            .await?
        else {
            return Err(not_found());
        };
        // Cart first, then the checkout: the order every checkout transition locks in.
        let cart = carts::Entity::find_by_id(found.cart_id.clone())
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or_else(not_found)?;
        let checkout = checkouts::Entity::find_by_id(checkout_id.to_owned())
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or_else(not_found)?;
        let done = CheckoutChange {
            change: Change {
                cart_id: None,
                token: None,
            },
            checkout_id: Some(checkout.id.clone()),
        };
        match CheckoutState::parse(&checkout.state) {
            CheckoutState::Completed => return Ok((done, Vec::new())),
            CheckoutState::Cancelled => {
                return Err(refuse(
                    ErrorCode::CheckoutClosed,
                    &["checkoutId"],
                    "this checkout was cancelled; the shopper has to check out again",
                ));
            }
            CheckoutState::Expired => return Err(expired()),
            CheckoutState::Holding if checkout.expires_at <= now => return Err(expired()),
            CheckoutState::Holding => {}
        }
        holds::release(txn, &checkout, CheckoutState::Completed, true, now).await?;
        let promotions: Vec<String> =
            serde_json::from_str(&checkout.promotion_ids).unwrap_or_default();
        if count_uses(txn, &promotions, &checkout.customer, &checkout.cart_id)
            .await?
            .is_err()
        {
            return Err(refuse(
                ErrorCode::DiscountCodeLimitExceeded,
                &["checkoutId"],
                "a promotion of this checkout reached its limit for this customer meanwhile; cancel the checkout so the shopper can check out again",
            ));
        }
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

fn expired() -> Flow {
    refuse(
        ErrorCode::CheckoutExpired,
        &["checkoutId"],
        "this checkout's hold expired: its stock was released and the cart reopened",
    )
}
