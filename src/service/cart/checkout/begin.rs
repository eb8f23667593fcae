//! `beginCheckout`: checks the cart can be bought, prices it, holds its stock and promotion
//! uses, records the priced contents and freezes the cart, in one transaction. Any refusal
//! rolls all of it back.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    domain::Currency,
    domain::{CartStatus, ids::new_id},
    entity::{carts, checkouts},
    error::AppResult,
    service::{ErrorCode, Outcome, UserError, catalog, promotions::customer_of},
};

use super::{
    super::{
        change::change_of,
        history::{EventKind, NewEvent},
        lock::{self, after},
        read,
        txn::{Flow, Writer},
        view::{CartView, Include},
    },
    CheckoutChange, CheckoutState, Contents, hash_of, holding_of, holds,
};

fn refuse(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Flow {
    Flow::Reject(UserError::new(code, field, message))
}

/// Begins the checkout of the caller's cart, or answers the one already in progress.
pub async fn begin_checkout(writer: &Writer<'_>) -> AppResult<Outcome<CheckoutChange>> {
    in_write_transaction!(writer, |txn| {
        let now = Utc::now();
        let Some(locked) = lock::lock_current(txn, writer).await? else {
            return Err(refuse(
                ErrorCode::CartEmpty,
                &[],
                "you have no cart to check out",
            ));
        };
        let mut events = Vec::new();
        if CartStatus::parse(&locked.cart.status) == CartStatus::Checkout {
            match holding_of(txn, &locked.cart.id).await? {
                // A repeat while the hold lasts answers the checkout in progress.
                Some(open) if open.expires_at > now => {
                    let began = CheckoutChange {
                        change: change_of(&locked),
                        checkout_id: Some(open.id),
                    };
                    return Ok((began, Vec::new()));
                }
                // Its hold lapsed before the sweeper came: release it here and start anew.
                Some(lapsed) => {
                    holds::release(txn, &lapsed, CheckoutState::Expired, false, now).await?;
                    events.push(NewEvent::cart(EventKind::CheckoutExpired, Some(lapsed.id)));
                }
                None => {}
            }
        }
        let include = Include {
            prices: true,
            media: false,
        };
        let view = read::live_view(txn, &locked.cart.id, locked.token.clone(), include)
            .await?
            .ok_or_else(|| refuse(ErrorCode::CartEmpty, &[], "you have no cart to check out"))?;
        check_ready(&view)?;
        let priced = view.price(writer.settings);
        let id = new_id();
        let contents = Contents::of(&id, &view, &priced);
        let json = contents.to_json();
        let expires_at = after(now, writer.settings.checkout_hold);
        checkouts::Entity::insert(checkouts::ActiveModel {
            id: Set(id.clone()),
            cart_id: Set(locked.cart.id.clone()),
            state: Set(CheckoutState::Holding.as_str().to_owned()),
            customer: Set(customer_of(&locked.cart)),
            currency: Set(contents.currency.clone()),
            total_minor: Set(contents.totals.total_minor),
            contents_hash: Set(hash_of(&json)),
            contents: Set(json),
            promotion_ids: Set(
                serde_json::to_string(&contents.promotion_ids()).unwrap_or_else(|_| "[]".into())
            ),
            order_reference: Set(None),
            created_at: Set(now),
            expires_at: Set(expires_at),
            closed_at: Set(None),
        })
        .exec_without_returning(txn)
        .await?;
        // Products before promotions, as a release takes them: no two transitions wait on
        // each other's locks.
        if let Err(product) = holds::hold_stock(txn, &id, &wanted(&view)).await? {
            return Err(not_enough(&view, &product));
        }
        if let Err(promotion) = holds::hold_uses(txn, &contents.promotion_ids()).await? {
            let name = contents
                .promotions
                .iter()
                .find(|p| p.promotion_id == promotion)
                .map(|p| p.code.clone().unwrap_or_else(|| p.title.clone()))
                .unwrap_or(promotion);
            return Err(refuse(
                ErrorCode::DiscountCodeLimitExceeded,
                &["discountCodes"],
                format!(
                    "{name} was just used as often as it may be; reload the cart to see its prices without it"
                ),
            ));
        }
        events.push(NewEvent::cart(EventKind::CheckoutStarted, Some(id.clone())));
        lock::commit_change(txn, writer, &locked, events).await?;
        freeze(txn, &locked.cart.id, expires_at).await?;
        let warnings = view.price_warnings();
        Ok((
            CheckoutChange {
                change: change_of(&locked),
                checkout_id: Some(id),
            },
            warnings,
        ))
    })
}

/// Units wanted per product (two lines of one product with different attributes hold
/// together).
fn wanted(view: &CartView) -> Vec<(String, i32)> {
    let mut wanted: Vec<(String, i32)> = Vec::new();
    for line in &view.lines {
        match wanted.iter_mut().find(|(p, _)| *p == line.item.product_id) {
            Some((_, quantity)) => *quantity = quantity.saturating_add(line.item.quantity),
            None => wanted.push((line.item.product_id.clone(), line.item.quantity)),
        }
    }
    wanted
}

/// NOT_ENOUGH_STOCK for `product_id`, on its first line.
fn not_enough(view: &CartView, product_id: &str) -> Flow {
    let line = view.lines.iter().find(|l| l.item.product_id == product_id);
    let item = line.map_or("", |l| l.item.id.as_str());
    let (sku, left) = line
        .and_then(|l| l.product.as_ref())
        .map_or(("this product".to_owned(), 0), |p| {
            (p.sku.clone(), catalog::available(p))
        });
    refuse(
        ErrorCode::NotEnoughStock,
        &["lines", item],
        format!("only {left} of {sku} can be bought now; lower the quantity or remove the line"),
    )
}

/// Everything that keeps a cart from being bought, first problem first: no lines, lines that
/// cannot be bought as they stand, no email or country, a delivery option no longer offered
/// or none chosen where there is a choice.
fn check_ready(view: &CartView) -> Result<(), Flow> {
    if view.lines.is_empty() {
        return Err(refuse(
            ErrorCode::CartEmpty,
            &["lines"],
            "the cart has no lines to check out",
        ));
    }
    let currency = Currency::parse(&view.cart.currency).unwrap_or(Currency::UNKNOWN);
    for line in &view.lines {
        let field = ["lines", line.item.id.as_str()];
        let Some(product) = line.product.as_ref().filter(|p| p.active) else {
            return Err(refuse(
                ErrorCode::ProductUnavailable,
                &field,
                "a line's product is no longer for sale; remove the line",
            ));
        };
        if line.charged_product(currency).is_none() {
            return Err(refuse(
                ErrorCode::CurrencyMismatch,
                &field,
                format!(
                    "{} is now priced in {}, the cart in {}; remove the line",
                    product.sku, product.currency, view.cart.currency
                ),
            ));
        }
        let rule = catalog::quantity_rule(product);
        if !rule.allows(i64::from(line.item.quantity)) {
            return Err(refuse(
                ErrorCode::QuantityRuleViolated,
                &field,
                format!(
                    "{} is sold {rule}, so a line cannot hold {}",
                    product.sku, line.item.quantity
                ),
            ));
        }
    }
    let buyer = view.buyer();
    for (value, name, what) in [
        (&buyer.email, "email", "an email address"),
        (&buyer.country_code, "countryCode", "a country"),
    ] {
        if value.is_none() {
            return Err(refuse(
                ErrorCode::BuyerIdentityIncomplete,
                &["buyerIdentity", name],
                format!("checking out needs {what}: set it with updateBuyerIdentity"),
            ));
        }
    }
    let offered = view.destination.as_ref().map_or(&[][..], |d| &d.options);
    let chosen = view.cart.delivery_option.is_some();
    if (chosen && view.selected_option().is_none()) || (!chosen && !offered.is_empty()) {
        let handles: Vec<&str> = offered.iter().map(|o| o.handle.as_str()).collect();
        return Err(refuse(
            ErrorCode::DeliveryOptionNotFound,
            &["selectedDeliveryOption"],
            match handles.is_empty() {
                true => "the chosen delivery option no longer serves the buyer's country".into(),
                false => format!(
                    "choose a delivery option with selectDeliveryOption: {}",
                    handles.join(", ")
                ),
            },
        ));
    }
    Ok(())
}

/// Freezes the cart: status CHECKOUT, and an expiry no earlier than the hold's, so the cart
/// cannot expire under its own checkout.
async fn freeze(
    txn: &impl ConnectionTrait,
    cart_id: &str,
    hold_ends: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let expiry = Expr::col(carts::Column::ExpiresAt);
    carts::Entity::update_many()
        .col_expr(
            carts::Column::Status,
            Expr::value(CartStatus::Checkout.as_str()),
        )
        .col_expr(
            carts::Column::ExpiresAt,
            Expr::case(
                expiry.clone().is_null().or(expiry.clone().lt(hold_ends)),
                Expr::value(hold_ends),
            )
            .finally(expiry)
            .into(),
        )
        .filter(carts::Column::Id.eq(cart_id))
        .exec(txn)
        .await?;
    Ok(())
}
