//! `carts`: the admin's list of carts with whitelisted filters, ordering and cursors.

use async_graphql::{
    Context, Enum, InputObject, Object, Result,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Utc};

use crate::{
    domain::{Attributes, ProductId, Sku},
    error::AppError,
    graphql::{context::ContextExt, global_id::NodeKind, inputs::AttributeInput, types::Cart},
    service::cart::{self, CartCursor, CartFilter as Filter, CartOrder as Order, Listing},
};

/// Largest page of carts.
const MAX_PAGE: i32 = 100;
/// Most ids or SKUs in one filter list.
const MAX_LIST: usize = 100;
/// Longest free-text search.
const MAX_SEARCH_LEN: usize = 100;

/// Which carts `carts` returns. Every field narrows the list; all are optional.
#[derive(Clone, Debug, Default, InputObject)]
pub struct CartFilter {
    /// Carts of these users (at most 100).
    pub user_ids: Option<Vec<String>>,
    /// Guest carts or user carts only.
    pub kind: Option<CartKind>,
    /// Open carts (the default), closed ones (cleared, merged or expired), or both.
    #[graphql(default_with = "CartStatusFilter::Open")]
    pub status: CartStatusFilter,
    /// Carts holding any of these products (at most 100).
    pub product_ids: Option<Vec<async_graphql::ID>>,
    /// Carts holding any of these SKUs (at most 100).
    pub skus: Option<Vec<String>>,
    /// Carts with a line carrying this attribute (exact key and value).
    pub line_attribute: Option<AttributeInput>,
    /// Carts carrying this cart attribute (exact key and value).
    pub cart_attribute: Option<AttributeInput>,
    /// Changed after this instant.
    pub updated_after: Option<DateTime<Utc>>,
    /// Changed before this instant.
    pub updated_before: Option<DateTime<Utc>>,
    /// Empty carts (true) or carts with lines (false).
    pub is_empty: Option<bool>,
    /// Abandoned carts: with lines, and unchanged for at least this many hours (1–8760).
    pub abandoned_for_hours: Option<i32>,
    /// Free text (at most 100 characters) found in the user id, or in a line's SKU or
    /// product name; case-insensitive.
    pub search: Option<String>,
}

/// A guest cart (`X-Cart-Token`) or a registered user's cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum CartKind {
    Guest,
    User,
}

/// Whether to list open carts, closed ones, or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum CartStatusFilter {
    /// Carts in use.
    #[default]
    Open,
    /// Carts cleared, merged into another, expired or checked out.
    Closed,
    /// Both.
    Any,
}

/// A sort key of `carts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum CartOrderField {
    /// When the cart last changed.
    UpdatedAt,
    /// When the cart was opened.
    CreatedAt,
    /// How many changes the cart has seen.
    Version,
}

/// Ascending or descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// One key of the ordering of `carts`; ties are broken by the next key, then by cart id.
#[derive(Clone, Copy, Debug, InputObject)]
pub struct CartOrder {
    /// The key.
    pub field: CartOrderField,
    /// The direction; descending when omitted.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

/// Extra fields of the cart list.
pub struct CartListInfo {
    filter: Filter,
}

#[Object]
impl CartListInfo {
    /// How many carts match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(cart::count_carts(&ctx.state().db, &self.filter).await?)
    }
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Carts of every customer, for back-office tools (admin role only): filtered,
    /// ordered by up to three keys (most recently updated first by default) and paged with
    /// cursors; `totalCount` counts every match.
    #[graphql(
        complexity = "first.map_or(20, |n| n.clamp(0, MAX_PAGE) as usize) * child_complexity"
    )]
    async fn carts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which carts; open carts when omitted.")] filter: Option<CartFilter>,
        #[graphql(desc = "Sort keys, most significant first (at most 3).")] order_by: Option<
            Vec<CartOrder>,
        >,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return carts after this cursor (an `endCursor`).")] after: Option<String>,
    ) -> Result<Connection<String, Cart, CartListInfo>> {
        ctx.admin()?;
        let first = first.unwrap_or(20);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(bad(format!("`first` must be between 0 and {MAX_PAGE}")).into());
        }
        let filter = parse_filter(ctx, filter.unwrap_or_default())?;
        let order = parse_order(order_by)?;
        let after = after
            .map(|raw| CartCursor::decode(&raw, &order))
            .transpose()?;

        let db = &ctx.state().db;
        let page = cart::search_carts(db, &filter, &order, after.as_ref(), first as u64).await?;
        let selection = ctx.look_ahead();
        let include = Cart::include(selection.field("edges").field("node"))
            .union(Cart::include(selection.field("nodes")));
        let views = cart::load_views(db, page.rows, include).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            page.has_next,
            CartListInfo { filter },
        );
        let settings = ctx.state().settings;
        connection.edges.extend(views.into_iter().map(|view| {
            let cursor = CartCursor::of(&view.cart, &order).encode();
            Edge::new(cursor, Cart::new(view, settings))
        }));
        Ok(connection)
    }
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadUserInput(message.into())
}

fn parse_filter(ctx: &Context<'_>, input: CartFilter) -> Result<Filter, AppError> {
    let list = |name: &str, values: Option<Vec<String>>| -> Result<_, AppError> {
        match values {
            Some(values) if values.len() > MAX_LIST => Err(bad(format!(
                "`filter.{name}` holds at most {MAX_LIST} values"
            ))),
            other => Ok(other),
        }
    };
    let limits = &ctx.state().settings.limits;
    let attribute = |name: &str, input: Option<AttributeInput>| -> Result<_, AppError> {
        let Some(pair) = input else { return Ok(None) };
        Attributes::parse(
            [(pair.key.as_str(), pair.value.as_str())],
            limits.max_attributes,
        )
        .map_err(|_| bad(format!("`filter.{name}` is not a valid attribute")))?;
        Ok(Some((pair.key, pair.value)))
    };
    let product_ids = list(
        "productIds",
        input.product_ids.map(|ids| {
            ids.iter()
                .map(|id| NodeKind::Product.key(id).to_owned())
                .collect()
        }),
    )?
    // An id that cannot name a product matches nothing, exactly like an unknown one.
    .map(|ids: Vec<String>| {
        ids.into_iter()
            .filter(|id| ProductId::parse(id).is_some())
            .collect()
    });
    let skus = list("skus", input.skus)?.map(|skus: Vec<String>| {
        skus.into_iter()
            .filter(|sku| Sku::parse(sku).is_some())
            .collect()
    });
    let abandoned_for_hours = match input.abandoned_for_hours {
        Some(hours @ 1..=8760) => Some(hours as u32),
        Some(_) => return Err(bad("`filter.abandonedForHours` must be between 1 and 8760")),
        None => None,
    };
    let search = match input.search.map(|s| s.trim().to_owned()) {
        Some(s) if s.chars().count() > MAX_SEARCH_LEN => {
            return Err(bad(format!(
                "`filter.search` is at most {MAX_SEARCH_LEN} characters"
            )));
        }
        Some(s) if s.is_empty() => None,
        other => other,
    };
    Ok(Filter {
        user_ids: list("userIds", input.user_ids)?,
        guest: input.kind.map(|kind| kind == CartKind::Guest),
        status: match input.status {
            CartStatusFilter::Open => Listing::Open,
            CartStatusFilter::Closed => Listing::Closed,
            CartStatusFilter::Any => Listing::Any,
        },
        product_ids,
        skus,
        line_attribute: attribute("lineAttribute", input.line_attribute)?,
        cart_attribute: attribute("cartAttribute", input.cart_attribute)?,
        updated_after: input.updated_after,
        updated_before: input.updated_before,
        is_empty: input.is_empty,
        abandoned_for_hours,
        search,
    })
}

fn parse_order(input: Option<Vec<CartOrder>>) -> Result<Vec<Order>, AppError> {
    let keys = input.unwrap_or_default();
    if keys.len() > 3 {
        return Err(bad("`orderBy` takes at most 3 keys"));
    }
    let mut order: Vec<Order> = Vec::new();
    for key in keys {
        let field = match key.field {
            CartOrderField::UpdatedAt => cart::OrderField::UpdatedAt,
            CartOrderField::CreatedAt => cart::OrderField::CreatedAt,
            CartOrderField::Version => cart::OrderField::Version,
        };
        if order.iter().any(|o| o.field == field) {
            return Err(bad("each `orderBy` field may appear once"));
        }
        order.push(Order {
            field,
            descending: key.direction == OrderDirection::Desc,
        });
    }
    Ok(match order.is_empty() {
        true => cart::default_order(),
        false => order,
    })
}
