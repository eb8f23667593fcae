//! Reading carts: one statement for a cart with its lines, their products and shops, one more
//! for the products' media when they are asked for, and for prices one for promotions and,
//! when the buyer gave a country, two for the region's rates. The admin list reads a whole
//! page of carts the same way, so a page costs the same few statements whatever it holds.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryFilter,
    QueryResult, QueryTrait, Select,
    sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement},
};

use super::{
    rows::Positional,
    view::{CartView, Destination, Include, Line},
};
use crate::{
    auth::Viewer,
    domain::{Currency, ProductId},
    entity::{cart_items, carts, product_media, products, shops},
    error::AppResult,
    service::{catalog, promotions, rates},
};

/// The query for the viewer's open, unexpired cart (`None` for anonymous callers). A cart
/// past its expiry reads as no cart even before the sweeper closes it.
fn live_cart_query(viewer: &Viewer) -> Option<Select<carts::Entity>> {
    let live = carts::Entity::find()
        .filter(carts::Column::Live.eq(true))
        .filter(
            Condition::any()
                .add(carts::Column::ExpiresAt.is_null())
                .add(carts::Column::ExpiresAt.gt(Utc::now())),
        );
    match viewer {
        Viewer::Anonymous => None,
        Viewer::User(user) => Some(live.filter(carts::Column::UserId.eq(user.id.as_str()))),
        Viewer::Guest(token) => Some(live.filter(carts::Column::TokenHash.eq(token.hash()))),
    }
}

/// The viewer's open cart, complete; `None` for anonymous callers and callers without a cart.
pub async fn viewer_cart(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    include: Include,
) -> AppResult<Option<CartView>> {
    let Some(query) = live_cart_query(viewer) else {
        return Ok(None);
    };
    let token = match viewer {
        Viewer::Guest(token) => Some(token.expose().to_owned()),
        _ => None,
    };
    Ok(read_joined(db, query.into_query(), token, include).await?)
}

/// The live cart `cart_id`, complete, after a mutation.
pub async fn view_by_id(
    db: &impl ConnectionTrait,
    cart_id: &str,
    token: Option<String>,
    include: Include,
) -> AppResult<Option<CartView>> {
    Ok(live_view(db, cart_id, token, include).await?)
}

/// [`view_by_id`] inside a mutation's transaction.
pub(super) async fn live_view(
    db: &impl ConnectionTrait,
    cart_id: &str,
    token: Option<String>,
    include: Include,
) -> Result<Option<CartView>, DbErr> {
    let query = carts::Entity::find_by_id(cart_id.to_owned())
        .filter(carts::Column::Live.eq(true))
        .into_query();
    read_joined(db, query, token, include).await
}

/// Runs `cart_query` (a `SELECT` of carts narrowed to one cart) extended with the cart's live
/// lines, their products and shops as LEFT JOINs: one round trip for the whole view. Each
/// table's columns are selected in order (aliased with a prefix, for readable logs) and read
/// back by position.
async fn read_joined(
    db: &impl ConnectionTrait,
    mut cart_query: SelectStatement,
    token: Option<String>,
    include: Include,
) -> Result<Option<CartView>, DbErr> {
    cart_query.clear_selects();
    select_prefixed::<carts::Entity>(&mut cart_query, CART);
    select_prefixed::<cart_items::Entity>(&mut cart_query, ITEM);
    cart_query.join(
        JoinType::LeftJoin,
        cart_items::Entity,
        Condition::all()
            .add(
                Expr::col((cart_items::Entity, cart_items::Column::CartId))
                    .equals((carts::Entity, carts::Column::Id)),
            )
            .add(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true)),
    );
    join_catalog(&mut cart_query);
    let rows = query_all(db, &cart_query).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut view = CartView::bare(carts::Model::read(first, 0)?, token);
    view.lines.reserve(rows.len());
    for row in &rows {
        view.lines
            .extend(read_line(row, carts::Model::COLUMNS.len())?);
    }
    if include.media {
        attach_media(db, view.lines.iter_mut()).await?;
    }
    if include.prices {
        view.offers = Some(promotions::cart_offers(db, &view.cart, Utc::now()).await?);
        attach_destinations(db, std::slice::from_mut(&mut view)).await?;
    }
    Ok(Some(view))
}

/// Several carts with their lines, complete (for the admin list): one statement for all the
/// lines, one more for their media when included, and two for their promotions when
/// included. The lines of a closed cart are those it
/// held when it was closed.
pub async fn load_views(
    db: &impl ConnectionTrait,
    carts: Vec<carts::Model>,
    include: Include,
) -> AppResult<Vec<CartView>> {
    let mut views: Vec<CartView> = carts
        .into_iter()
        .map(|cart| CartView::bare(cart, None))
        .collect();
    if views.is_empty() {
        return Ok(views);
    }
    let at: HashMap<String, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.cart.id.clone(), i))
        .collect();
    let mut query = Query::select();
    query.from(cart_items::Entity).and_where(
        Expr::col((cart_items::Entity, cart_items::Column::CartId))
            .is_in(at.keys().map(String::as_str)),
    );
    select_prefixed::<cart_items::Entity>(&mut query, ITEM);
    join_catalog(&mut query);
    for row in query_all(db, &query).await? {
        let Some(line) = read_line(&row, 0)? else {
            continue;
        };
        let Some(view) = at.get(&line.item.cart_id).map(|&i| &mut views[i]) else {
            continue;
        };
        // An open cart shows its live lines; a closed one the lines closed with it.
        let shown = match view.cart.deleted_at {
            None => line.item.live == Some(true),
            Some(closed) => line.item.deleted_at == Some(closed),
        };
        if shown {
            view.lines.push(line);
        }
    }
    if include.media {
        attach_media(db, views.iter_mut().flat_map(|v| v.lines.iter_mut())).await?;
    }
    if include.prices {
        let carts: Vec<carts::Model> = views.iter().map(|v| v.cart.clone()).collect();
        let offers = promotions::carts_offers(db, &carts, Utc::now()).await?;
        for (view, offers) in views.iter_mut().zip(offers) {
            view.offers = Some(offers);
        }
        attach_destinations(db, &mut views).await?;
    }
    Ok(views)
}

/// Gives every view whose buyer gave a country its [`Destination`]: two statements for all
/// of them together, none when no buyer gave a country.
async fn attach_destinations(
    db: &impl ConnectionTrait,
    views: &mut [CartView],
) -> Result<(), DbErr> {
    let mut countries: Vec<&str> = views
        .iter()
        .filter_map(|v| v.cart.buyer_country_code.as_deref())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    let tables = rates::rates_for(db, &countries).await?;
    for view in views {
        let Some(country) = view.cart.buyer_country_code.clone() else {
            continue;
        };
        let currency = Currency::parse(&view.cart.currency).unwrap_or(Currency::UNKNOWN);
        view.destination = Some(Destination {
            tax: tables.tax_rule(&country, view.cart.buyer_province_code.as_deref()),
            options: tables.delivery_options(&country, currency),
        });
    }
    Ok(())
}

/// One live line of the cart `cart_id`, complete, as a mutation found it under the cart lock.
pub(super) async fn live_line_of(
    db: &impl ConnectionTrait,
    cart_id: &str,
    item_id: &str,
) -> Result<Option<Line>, DbErr> {
    let mut query = Query::select();
    query
        .from(cart_items::Entity)
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::Id)).eq(item_id))
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::CartId)).eq(cart_id))
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true));
    select_prefixed::<cart_items::Entity>(&mut query, ITEM);
    join_catalog(&mut query);
    match query_all(db, &query).await?.first() {
        Some(row) => read_line(row, 0),
        None => Ok(None),
    }
}

const CART: &str = "c_";
const ITEM: &str = "i_";
const PRODUCT: &str = "p_";
const SHOP: &str = "s_";

/// Selects every column of `E` as `<prefix><column>`.
pub(super) fn select_prefixed<E: EntityTrait>(query: &mut SelectStatement, prefix: &str) {
    for column in E::Column::iter() {
        query.expr_as(
            Expr::col((E::default(), column)),
            Alias::new(format!("{prefix}{}", IdenStatic::as_str(&column))),
        );
    }
}

/// Extends a query that selects cart lines with their products and shops (LEFT JOINs, so a
/// vanished product still shows its line), in the order lines are shown: oldest first.
fn join_catalog(query: &mut SelectStatement) {
    select_prefixed::<products::Entity>(query, PRODUCT);
    select_prefixed::<shops::Entity>(query, SHOP);
    query
        .join(
            JoinType::LeftJoin,
            products::Entity,
            Expr::col((products::Entity, products::Column::Id))
                .equals((cart_items::Entity, cart_items::Column::ProductId)),
        )
        .join(
            JoinType::LeftJoin,
            shops::Entity,
            Expr::col((shops::Entity, shops::Column::Id))
                .equals((products::Entity, products::Column::ShopId)),
        )
        .order_by(
            (cart_items::Entity, cart_items::Column::CreatedAt),
            Order::Asc,
        )
        .order_by((cart_items::Entity, cart_items::Column::Id), Order::Asc);
}

/// The line whose columns start at `at` (line, then product, then shop, as `join_catalog`
/// selects them); `None` when the row holds no line (a cart without lines).
fn read_line(row: &QueryResult, at: usize) -> Result<Option<Line>, DbErr> {
    let product_at = at + cart_items::Model::COLUMNS.len();
    let shop_at = product_at + products::Model::COLUMNS.len();
    let Some(item) = cart_items::Model::read_optional(row, at)? else {
        return Ok(None);
    };
    Ok(Some(Line::new(
        item,
        products::Model::read_optional(row, product_at)?,
        shops::Model::read_optional(row, shop_at)?,
    )))
}

async fn query_all(
    db: &impl ConnectionTrait,
    query: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(db.get_database_backend().build(query))
        .await
}

/// Reads the media of every line's product in one statement and hands each line its own.
pub(super) async fn attach_media<'a>(
    db: &impl ConnectionTrait,
    lines: impl Iterator<Item = &'a mut Line>,
) -> Result<(), DbErr> {
    let mut lines: Vec<&mut Line> = lines.collect();
    let mut ids: Vec<ProductId> = lines
        .iter()
        .filter_map(|l| l.product.as_ref())
        .map(|p| ProductId(p.id.clone()))
        .collect();
    ids.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    let mut by_product: HashMap<String, Vec<product_media::Model>> = HashMap::new();
    if !ids.is_empty() {
        for row in catalog::media_of_products(db, &ids).await? {
            by_product
                .entry(row.product_id.clone())
                .or_default()
                .push(row);
        }
    }
    for line in &mut lines {
        let media = by_product.get(&line.item.product_id).cloned();
        line.media = Some(media.unwrap_or_default());
    }
    Ok(())
}
