//! The admin cart search: whitelisted filters, multi-key ordering and keyset pagination.
//! Every value reaches SQL as a bound parameter; column names come from the enums below, never
//! from the client.

use crate::service::Page;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Func, Query, SelectStatement},
};

pub use super::search_order::{CartCursor, CartOrder, OrderField, default_order};
use super::search_order::{after_condition, column};

use crate::{
    entity::{cart_items, carts, products},
    error::AppResult,
    service::text_match::{containing, contains_exactly},
};

/// Which carts to list. Every field narrows the result; all are optional.
#[derive(Clone, Debug, Default)]
pub struct CartFilter {
    pub user_ids: Option<Vec<String>>,
    /// `Some(true)`: guest carts only; `Some(false)`: user carts only.
    pub guest: Option<bool>,
    pub status: Listing,
    /// Holds a line of any of these products.
    pub product_ids: Option<Vec<String>>,
    /// Holds a line of any of these SKUs.
    pub skus: Option<Vec<String>>,
    /// Holds a line carrying this attribute (key, value).
    pub line_attribute: Option<(String, String)>,
    /// Carries this cart attribute (key, value).
    pub cart_attribute: Option<(String, String)>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub is_empty: Option<bool>,
    /// Has lines but no change for this many hours.
    pub abandoned_for_hours: Option<u32>,
    /// Free text: a user id, SKU or product name containing it (case-insensitive).
    pub search: Option<String>,
}

/// Which carts a search lists: open ones, closed ones (cleared, merged, expired, completed),
/// or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Listing {
    #[default]
    Open,
    Closed,
    Any,
}

/// One page of carts in `order`, after `after`.
pub async fn search_carts(
    db: &impl ConnectionTrait,
    filter: &CartFilter,
    order: &[CartOrder],
    after: Option<&CartCursor>,
    limit: u64,
) -> AppResult<Page<carts::Model>> {
    let mut query =
        carts::Entity::find().filter(condition(filter, Utc::now(), db.get_database_backend()));
    if let Some(after) = after {
        query = query.filter(after_condition(after));
    }
    for key in order {
        let direction = if key.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        query = query.order_by(column(key.field), direction);
    }
    let query = query.order_by_asc(carts::Column::Id);
    Ok(Page::read(db, query, limit).await?)
}

/// How many carts match `filter`.
pub async fn count_carts(db: &impl ConnectionTrait, filter: &CartFilter) -> AppResult<u64> {
    Ok(carts::Entity::find()
        .filter(condition(filter, Utc::now(), db.get_database_backend()))
        .count(db)
        .await?)
}

/// The filter as one condition on `carts`.
fn condition(filter: &CartFilter, now: DateTime<Utc>, backend: DbBackend) -> Condition {
    let mut all = Condition::all();
    all = match filter.status {
        Listing::Open => all.add(carts::Column::Live.eq(true)),
        Listing::Closed => all.add(carts::Column::Live.is_null()),
        Listing::Any => all,
    };
    if let Some(ids) = &filter.user_ids {
        all = all.add(carts::Column::UserId.is_in(ids.iter().cloned()));
    }
    match filter.guest {
        Some(true) => all = all.add(carts::Column::UserId.is_null()),
        Some(false) => all = all.add(carts::Column::UserId.is_not_null()),
        None => {}
    }
    if let Some(ids) = &filter.product_ids {
        let lines = lines_of_cart()
            .and_where(
                Expr::col((cart_items::Entity, cart_items::Column::ProductId))
                    .is_in(ids.iter().cloned()),
            )
            .to_owned();
        all = all.add(Expr::exists(lines));
    }
    if let Some(skus) = &filter.skus {
        let lines = lines_with_products()
            .and_where(
                Expr::col((products::Entity, products::Column::Sku)).is_in(skus.iter().cloned()),
            )
            .to_owned();
        all = all.add(Expr::exists(lines));
    }
    if let Some((key, value)) = &filter.line_attribute {
        let lines = lines_of_cart()
            .and_where(has_attribute(
                backend,
                Expr::col((cart_items::Entity, cart_items::Column::Attributes)),
                key,
                value,
            ))
            .to_owned();
        all = all.add(Expr::exists(lines));
    }
    if let Some((key, value)) = &filter.cart_attribute {
        all = all.add(has_attribute(
            backend,
            Expr::col((carts::Entity, carts::Column::Attributes)),
            key,
            value,
        ));
    }
    // MySQL's TIMESTAMP only holds 1970–2038 and compares a value outside it as zero. No
    // cart was changed outside that span, so such a bound cuts nothing and is left out.
    let (earliest, latest) = crate::db::timestamp_span();
    if let Some(after) = filter.updated_after.filter(|t| *t > earliest) {
        all = all.add(carts::Column::UpdatedAt.gt(Ord::min(after, latest)));
    }
    if let Some(before) = filter.updated_before.filter(|t| *t < latest) {
        all = all.add(carts::Column::UpdatedAt.lt(Ord::max(before, earliest)));
    }
    match filter.is_empty {
        Some(true) => all = all.add(Expr::not_exists(lines_of_cart())),
        Some(false) => all = all.add(Expr::exists(lines_of_cart())),
        None => {}
    }
    if let Some(hours) = filter.abandoned_for_hours {
        all = all
            .add(Expr::exists(lines_of_cart()))
            .add(carts::Column::UpdatedAt.lt(now - Duration::hours(i64::from(hours))));
    }
    if let Some(term) = &filter.search {
        let pattern = || containing(&term.to_lowercase());
        let lower = |col: Expr| Expr::expr(Func::lower(col));
        let lines = lines_with_products()
            .cond_where(
                Condition::any()
                    .add(
                        lower(Expr::col((products::Entity, products::Column::Sku))).like(pattern()),
                    )
                    .add(
                        lower(Expr::col((products::Entity, products::Column::Name)))
                            .like(pattern()),
                    ),
            )
            .to_owned();
        all = all.add(
            Condition::any()
                .add(lower(Expr::col((carts::Entity, carts::Column::UserId))).like(pattern()))
                .add(Expr::exists(lines)),
        );
    }
    all
}

/// `SELECT 1 FROM cart_items WHERE` the line belongs to the outer cart and counts: a live
/// line, or a line closed together with its cart (same `deleted_at`).
fn lines_of_cart() -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(cart_items::Entity)
        .and_where(
            Expr::col((cart_items::Entity, cart_items::Column::CartId))
                .equals((carts::Entity, carts::Column::Id)),
        )
        .cond_where(
            Condition::any()
                .add(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true))
                .add(
                    Expr::col((cart_items::Entity, cart_items::Column::DeletedAt))
                        .equals((carts::Entity, carts::Column::DeletedAt)),
                ),
        )
        .to_owned()
}

/// [`lines_of_cart`] joined with their products.
fn lines_with_products() -> SelectStatement {
    lines_of_cart()
        .inner_join(
            products::Entity,
            Expr::col((products::Entity, products::Column::Id))
                .equals((cart_items::Entity, cart_items::Column::ProductId)),
        )
        .to_owned()
}

/// Attributes are stored as canonical JSON (`{"key":"value",…}`), so a pair is present
/// exactly when its JSON spelling `"key":"value"` occurs in the text: quotes inside values
/// are escaped, so the spelling cannot straddle two entries. The pair is matched byte for
/// byte on every backend (keys and values are case-sensitive).
fn has_attribute(backend: DbBackend, column: Expr, key: &str, value: &str) -> Expr {
    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    contains_exactly(backend, column, &format!("{}:{}", json(key), json(value)))
}
