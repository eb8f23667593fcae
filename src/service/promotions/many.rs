//! The promotions of many carts at once, for the admin list: two statements for a whole page
//! (the promotions with every listed cart's codes, then the customers' uses), instead of one
//! per cart.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder,
    sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Order, Query},
};

use super::offers::{CartOffers, Found, buyer_of, customer_of, in_checkout, sort_out};
use crate::entity::{cart_discount_codes, carts, promotion_usages, promotions};

const ENTERED_CART: &str = "entered_cart";
const ENTERED_AT: &str = "entered_at";

/// The promotions each of `carts` may get, as of `now`, in the order of `carts`.
pub async fn carts_offers(
    db: &impl ConnectionTrait,
    carts: &[carts::Model],
    now: DateTime<Utc>,
) -> Result<Vec<CartOffers>, DbErr> {
    if carts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = carts.iter().map(|c| c.id.as_str()).collect();
    let mut query = Query::select();
    query
        .columns(promotions::Column::iter().map(|c| (promotions::Entity, c)))
        .expr_as(
            Expr::col((
                cart_discount_codes::Entity,
                cart_discount_codes::Column::CartId,
            )),
            Alias::new(ENTERED_CART),
        )
        .expr_as(
            Expr::col((
                cart_discount_codes::Entity,
                cart_discount_codes::Column::CreatedAt,
            )),
            Alias::new(ENTERED_AT),
        )
        .from(promotions::Entity)
        .join(
            JoinType::LeftJoin,
            cart_discount_codes::Entity,
            Condition::all()
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::PromotionId,
                    ))
                    .equals((promotions::Entity, promotions::Column::Id)),
                )
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::CartId,
                    ))
                    .is_in(ids.iter().copied()),
                ),
        )
        .cond_where(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Expr::col((promotions::Entity, promotions::Column::Code)).is_null())
                        .add(Expr::col((promotions::Entity, promotions::Column::Active)).eq(true)),
                )
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::CartId,
                    ))
                    .is_not_null(),
                ),
        )
        .order_by((promotions::Entity, promotions::Column::Id), Order::Asc);
    let statement = db.get_database_backend().build(&query);
    // Automatic promotions concern every cart; codes only the cart they were entered on.
    let mut everyone = Vec::new();
    let mut per_cart: HashMap<String, Vec<(promotions::Model, DateTime<Utc>)>> = HashMap::new();
    for row in db.query_all_raw(statement).await? {
        let promotion = promotions::Model::from_query_result(&row, "")?;
        let cart: Option<String> = row.try_get("", ENTERED_CART)?;
        let entered: Option<DateTime<Utc>> = row.try_get("", ENTERED_AT)?;
        match (cart, entered) {
            (Some(cart), Some(at)) => per_cart.entry(cart).or_default().push((promotion, at)),
            _ => everyone.push(promotion),
        }
    }

    let uses = customers_uses(db, carts).await?;
    Ok(carts
        .iter()
        .map(|cart| {
            let (customer, buyer) = (customer_of(cart), buyer_of(cart));
            // The same rule as a single cart's read (`customers_use`): this customer's or this
            // buyer email's uses, on other carts.
            let used = |promotion: &promotions::Model| {
                let counted = uses.iter().filter(|u| {
                    u.promotion_id == promotion.id
                        && u.cart_id != cart.id
                        && (u.customer == customer || (buyer.is_some() && u.buyer_key == buyer))
                });
                i64::try_from(counted.count()).unwrap_or(i64::MAX)
            };
            let mut found: Vec<Found> = everyone
                .iter()
                .map(|p| Found {
                    used_by_customer: used(p),
                    promotion: p.clone(),
                    entered_at: None,
                })
                .collect();
            for (p, at) in per_cart.get(&cart.id).into_iter().flatten() {
                // An automatic promotion cannot be entered; a code shows once per cart.
                found.push(Found {
                    used_by_customer: used(p),
                    promotion: p.clone(),
                    entered_at: Some(*at),
                });
            }
            sort_out(found, now, in_checkout(cart))
        })
        .collect())
}

/// Every counted use by the customers or buyer emails of `carts`.
async fn customers_uses(
    db: &impl ConnectionTrait,
    carts: &[carts::Model],
) -> Result<Vec<promotion_usages::Model>, DbErr> {
    let customers: Vec<String> = carts.iter().map(customer_of).collect();
    let buyers: Vec<String> = carts.iter().filter_map(buyer_of).collect();
    let mut same = Condition::any().add(promotion_usages::Column::Customer.is_in(customers));
    if !buyers.is_empty() {
        same = same.add(promotion_usages::Column::BuyerKey.is_in(buyers));
    }
    promotion_usages::Entity::find()
        .filter(same)
        .order_by_asc(promotion_usages::Column::PromotionId)
        .order_by_asc(promotion_usages::Column::CartId)
        .all(db)
        .await
}
