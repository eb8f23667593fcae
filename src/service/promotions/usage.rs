//! Counting promotion uses, when a checkout completes: never past `usageLimit` in all nor
//! `usageLimitPerCustomer` per customer, however many completions race on however many
//! instances.
//!
//! The guarded increment of `times_used` is one statement that also takes the promotion's row
//! lock (on SQLite, the database's write lock), so the per-customer count read after it is
//! stable until the transaction ends: completions of one promotion queue there, one at a time.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::entity::{promotion_usages, promotions};

/// Why a use could not be counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageRefused {
    /// The promotion has been used `usageLimit` times (or is gone).
    Exhausted { promotion_id: String },
    /// This customer has used it `usageLimitPerCustomer` times.
    ExhaustedForCustomer { promotion_id: String },
}

/// Counts one use of each of `promotion_ids` by `customer` (and the buyer email `buyer`, a
/// holder key: one customer across guest carts and users) for the checkout of `cart_id`, in
/// the caller's transaction. A repeated count for the same cart changes nothing. On a refusal
/// the caller rolls its transaction back, so no use is counted.
pub async fn count_uses(
    txn: &impl ConnectionTrait,
    promotion_ids: &[String],
    customer: &str,
    buyer: Option<&str>,
    cart_id: &str,
) -> Result<Result<(), UsageRefused>, DbErr> {
    for id in promotion_ids {
        let counted = promotion_usages::Entity::find()
            .filter(promotion_usages::Column::PromotionId.eq(id.as_str()))
            .filter(promotion_usages::Column::CartId.eq(cart_id))
            .count(txn)
            .await?;
        if counted > 0 {
            continue;
        }
        let bumped = promotions::Entity::update_many()
            .col_expr(
                promotions::Column::TimesUsed,
                Expr::col(promotions::Column::TimesUsed).add(1),
            )
            .filter(promotions::Column::Id.eq(id.as_str()))
            .filter(
                promotions::Column::UsageLimit
                    .is_null()
                    .or(Expr::col(promotions::Column::TimesUsed)
                        .lt(Expr::col(promotions::Column::UsageLimit))),
            )
            .exec(txn)
            .await?;
        if bumped.rows_affected == 0 {
            return Ok(Err(UsageRefused::Exhausted {
                promotion_id: id.clone(),
            }));
        }
        let limit = promotions::Entity::find_by_id(id.clone())
            .one(txn)
            .await?
            .and_then(|p| p.usage_limit_per_customer);
        if let Some(limit) = limit {
            let used = promotion_usages::Entity::find()
                .filter(promotion_usages::Column::PromotionId.eq(id.as_str()))
                .filter(same_customer(customer, buyer))
                .count(txn)
                .await?;
            if used >= u64::try_from(limit).unwrap_or(0) {
                return Ok(Err(UsageRefused::ExhaustedForCustomer {
                    promotion_id: id.clone(),
                }));
            }
        }
        promotion_usages::Entity::insert(promotion_usages::ActiveModel {
            promotion_id: Set(id.clone()),
            cart_id: Set(cart_id.to_owned()),
            customer: Set(customer.to_owned()),
            created_at: Set(Utc::now()),
            buyer_key: Set(buyer.map(str::to_owned)),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(Ok(()))
}

/// The uses counted for `customer` or, when known, the buyer email `buyer`.
pub(super) fn same_customer(customer: &str, buyer: Option<&str>) -> Condition {
    let mut same = Condition::any().add(promotion_usages::Column::Customer.eq(customer));
    if let Some(buyer) = buyer {
        same = same.add(promotion_usages::Column::BuyerKey.eq(buyer));
    }
    same
}

/// Takes back the uses counted for the checkout of `cart_id` (a claimed checkout released:
/// the payment failed, so nothing was used).
pub async fn uncount_uses(
    txn: &impl ConnectionTrait,
    promotion_ids: &[String],
    cart_id: &str,
) -> Result<(), DbErr> {
    let mut ids = promotion_ids.to_vec();
    ids.sort();
    for id in &ids {
        let removed = promotion_usages::Entity::delete_many()
            .filter(promotion_usages::Column::PromotionId.eq(id.as_str()))
            .filter(promotion_usages::Column::CartId.eq(cart_id))
            .exec(txn)
            .await?;
        if removed.rows_affected == 0 {
            continue;
        }
        promotions::Entity::update_many()
            .col_expr(
                promotions::Column::TimesUsed,
                Expr::case(
                    Expr::col(promotions::Column::TimesUsed).gt(0),
                    Expr::col(promotions::Column::TimesUsed).sub(1),
                )
                .finally(0)
                .into(),
            )
            .filter(promotions::Column::Id.eq(id.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(())
}
