//! Holding and releasing what a checkout needs: units of stock (`products.held`) and uses of
//! promotions (`promotions.times_held`). Every hold is one guarded UPDATE that checks and
//! takes in the same statement, under the row's lock, so concurrent checkouts on any number
//! of instances can never hold more than there is. Every release goes through the
//! checkout's state change from HOLDING, itself a guarded UPDATE, so a hold is released
//! exactly once whoever gets there first (cancel, completion or the sweeper).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, IntoColumnRef},
};

use crate::entity::{checkout_holds, checkouts, products, promotions};

use super::{CheckoutState, caps};

/// Holds `quantity` units of each product for `checkout_id`; on the first product that has
/// fewer units left, stops and names it (the caller rolls back). Products are taken in id
/// order, so two checkouts wanting the same products lock them in the same order and cannot
/// deadlock.
pub(super) async fn hold_stock(
    txn: &impl ConnectionTrait,
    checkout_id: &str,
    wanted: &[(String, i32)],
) -> Result<Result<(), String>, DbErr> {
    let mut wanted = wanted.to_vec();
    wanted.sort();
    for (product, quantity) in &wanted {
        let taken = products::Entity::update_many()
            .col_expr(
                products::Column::Held,
                Expr::col(products::Column::Held).add(*quantity),
            )
            .filter(products::Column::Id.eq(product.as_str()))
            .filter(
                Expr::col(products::Column::Stock)
                    .sub(Expr::col(products::Column::Held))
                    .gte(*quantity),
            )
            .exec(txn)
            .await?;
        if taken.rows_affected == 0 {
            return Ok(Err(product.clone()));
        }
    }
    if !wanted.is_empty() {
        let rows = wanted
            .iter()
            .map(|(product, quantity)| checkout_holds::ActiveModel {
                checkout_id: Set(checkout_id.to_owned()),
                product_id: Set(product.clone()),
                quantity: Set(*quantity),
            });
        checkout_holds::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(Ok(()))
}

/// Holds one use of each promotion; on the first whose `usageLimit` is taken up by uses and
/// other holds, stops and names it.
pub(super) async fn hold_uses(
    txn: &impl ConnectionTrait,
    promotion_ids: &[String],
) -> Result<Result<(), String>, DbErr> {
    let mut ids = promotion_ids.to_vec();
    ids.sort();
    for id in &ids {
        let taken = promotions::Entity::update_many()
            .col_expr(
                promotions::Column::TimesHeld,
                Expr::col(promotions::Column::TimesHeld).add(1),
            )
            .filter(promotions::Column::Id.eq(id.as_str()))
            .filter(
                promotions::Column::UsageLimit.is_null().or(Expr::col(
                    promotions::Column::TimesUsed,
                )
                .add(Expr::col(promotions::Column::TimesHeld))
                .lt(Expr::col(promotions::Column::UsageLimit))),
            )
            .exec(txn)
            .await?;
        if taken.rows_affected == 0 {
            return Ok(Err(id.clone()));
        }
    }
    Ok(Ok(()))
}

/// `column - by`, never below zero (an admin may have lowered the stock meanwhile).
fn less(column: impl IntoColumnRef, by: i32) -> Expr {
    let column = Expr::col(column);
    Expr::case(column.clone().gte(by), column.sub(by))
        .finally(0)
        .into()
}

/// Moves a HOLDING or CLAIMED checkout to `to` and gives back what it held: the units return
/// to sale (`sold` false) or leave the stock as sold (`sold` true), the promotion uses are
/// released (completion counts them as used separately), and its holders' shares go back.
/// `false` when the checkout was no longer holding: someone else released it first, and
/// nothing is done twice.
pub(super) async fn release(
    txn: &impl ConnectionTrait,
    checkout: &checkouts::Model,
    to: CheckoutState,
    sold: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let moved = checkouts::Entity::update_many()
        .col_expr(checkouts::Column::State, Expr::value(to.as_str()))
        .col_expr(checkouts::Column::ClosedAt, Expr::value(now))
        .filter(checkouts::Column::Id.eq(checkout.id.as_str()))
        .filter(checkouts::Column::State.is_in(CheckoutState::OPEN))
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        return Ok(false);
    }
    let holds = checkout_holds::Entity::find()
        .filter(checkout_holds::Column::CheckoutId.eq(checkout.id.as_str()))
        .all(txn)
        .await?;
    let mut holds: Vec<(String, i32)> = holds
        .into_iter()
        .map(|h| (h.product_id, h.quantity))
        .collect();
    holds.sort();
    for (product, quantity) in &holds {
        let (product, quantity) = (product.as_str(), *quantity);
        let mut update = products::Entity::update_many().col_expr(
            products::Column::Held,
            less(products::Column::Held, quantity),
        );
        if sold {
            update = update.col_expr(
                products::Column::Stock,
                less(products::Column::Stock, quantity),
            );
        }
        update
            .filter(products::Column::Id.eq(product))
            .exec(txn)
            .await?;
    }
    let mut promotion_ids: Vec<String> =
        serde_json::from_str(&checkout.promotion_ids).unwrap_or_default();
    promotion_ids.sort();
    for id in promotion_ids {
        promotions::Entity::update_many()
            .col_expr(
                promotions::Column::TimesHeld,
                less(promotions::Column::TimesHeld, 1),
            )
            .filter(promotions::Column::Id.eq(id.as_str()))
            .exec(txn)
            .await?;
    }
    caps::give_back(txn, checkout, &holds, now).await?;
    Ok(true)
}
