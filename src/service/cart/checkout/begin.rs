//! `beginCheckout`: checks the cart can be bought, prices it, holds its stock and promotion
//! uses, records the priced contents and freezes the cart, in one transaction. Any refusal
//! rolls all of it back.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    domain::Currency,
    domain::{CartStatus, holder, ids::new_id},
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
    CheckoutChange, CheckoutState, Contents,
    caps::{self, HoldRules, Refused},
    hash_of, holding_of, holds,
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
        let rules = &writer.settings.holds;
        if let Some(wait) = caps::cooling_down(txn, rules, &locked.cart.id, now).await? {
            return Err(refuse(
                ErrorCode::HoldLimitExceeded,
                &[],
                format!(
                    "this cart's last checkout ended a moment ago; it may begin again in {} s",
                    Ord::max(wait.as_secs(), 1)
                ),
            ));
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
        let row = checkouts::Model {
            id: id.clone(),
            cart_id: locked.cart.id.clone(),
            state: CheckoutState::Holding.as_str().to_owned(),
            customer: customer_of(&locked.cart),
            currency: contents.currency.clone(),
            total_minor: contents.totals.total_minor,
            contents_hash: hash_of(&json),
            contents: json,
            promotion_ids: serde_json::to_string(&contents.promotion_ids())
                .unwrap_or_else(|_| "[]".into()),
            order_reference: None,
            created_at: now,
            expires_at,
            closed_at: None,
            address_key: writer.origin.and_then(holder::address_key),
            buyer_key: view.buyer().email.as_deref().map(holder::buyer_key),
            claimed_at: None,
        };
        checkouts::Entity::insert(checkouts::ActiveModel::from(row.clone()))
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
        // Last, as every release gives them back last: see `caps`.
        let stocked = stocked(&view);
        if let Err(refused) = caps::take(txn, rules, &row, &stocked, now).await? {
            return Err(over_cap(&view, refused, rules));
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

/// Units wanted per product, with the product's stock (for the hold caps).
fn stocked(view: &CartView) -> Vec<(String, i32, i32)> {
    wanted(view)
        .into_iter()
        .map(|(product, quantity)| {
            let stock = view
                .lines
                .iter()
                .find_map(|l| l.product.as_ref().filter(|p| p.id == product))
                .map_or(0, |p| p.stock);
            (product, quantity, stock)
        })
        .collect()
}

/// HOLD_LIMIT_EXCEEDED for the cap that refused.
fn over_cap(view: &CartView, refused: Refused, rules: &HoldRules) -> Flow {
    match refused {
        Refused::Checkouts => refuse(
            ErrorCode::HoldLimitExceeded,
            &[],
            format!(
                "at most {} checkouts may be open at once for one buyer or network; complete or cancel one first",
                rules.max_checkouts
            ),
        ),
        Refused::Share { product_id, cap } => {
            let line = view.lines.iter().find(|l| l.item.product_id == product_id);
            let item = line.map_or("", |l| l.item.id.as_str());
            let sku = line
                .and_then(|l| l.product.as_ref())
                .map_or("this product", |p| p.sku.as_str());
            refuse(
                ErrorCode::HoldLimitExceeded,
                &["lines", item],
                format!(
                    "at most {cap} of {sku} may be held in open checkouts for one buyer or network; lower the quantity"
                ),
            )
        }
    }
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
