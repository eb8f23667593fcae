//! Reading a cart: one statement for the cart, one for its lines joined with their products.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use crate::{
    auth::{GuestToken, Viewer},
    domain::Attributes,
    entity::{cart_items, carts, products},
    error::AppResult,
    service::{CartSettings, pricing},
};

/// A cart with its live lines, as one consistent read.
#[derive(Clone, Debug)]
pub struct CartView {
    pub cart: carts::Model,
    pub lines: Vec<Line>,
    /// The guest token, when the caller presented or was just issued it.
    pub token: Option<String>,
}

/// A live line with its product (absent if the product vanished from the catalog).
#[derive(Clone, Debug)]
pub struct Line {
    pub item: cart_items::Model,
    pub attributes: Attributes,
    pub product: Option<products::Model>,
}

impl Line {
    /// The unit price charged now, in minor units; zero when the product vanished.
    pub fn unit_price_minor(&self) -> i64 {
        self.product.as_ref().map_or(0, pricing::effective_price)
    }

    /// Unit price × quantity, in minor units.
    pub fn subtotal_minor(&self) -> i128 {
        i128::from(self.unit_price_minor()) * i128::from(self.item.quantity)
    }
}

impl CartView {
    pub fn total_quantity(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.item.quantity)).sum()
    }

    pub fn cost(&self, settings: &CartSettings) -> pricing::CartCost {
        let currency =
            crate::domain::Currency::parse(&self.cart.currency).unwrap_or(settings.currency);
        pricing::cart_cost(
            currency,
            settings.tax_rate,
            self.lines.iter().map(|l| pricing::PricedLine {
                product: l.product.as_ref(),
                quantity: l.item.quantity,
            }),
        )
    }
}

/// The query for the viewer's live cart (`None` for anonymous callers).
pub(super) fn live_cart_query(viewer: &Viewer) -> Option<Select<carts::Entity>> {
    let live = carts::Entity::find().filter(carts::Column::Live.eq(true));
    match viewer {
        Viewer::Anonymous => None,
        Viewer::User(user) => Some(live.filter(carts::Column::UserId.eq(user.id.as_str()))),
        Viewer::Guest(token) => Some(guest_cart_query(live, token)),
    }
}

fn guest_cart_query(live: Select<carts::Entity>, token: &GuestToken) -> Select<carts::Entity> {
    live.filter(carts::Column::TokenHash.eq(token.hash()))
        .filter(
            Condition::any()
                .add(carts::Column::ExpiresAt.is_null())
                .add(carts::Column::ExpiresAt.gt(Utc::now())),
        )
}

/// The viewer's live cart row, if any.
pub async fn find_cart(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> AppResult<Option<carts::Model>> {
    match live_cart_query(viewer) {
        Some(query) => Ok(query.one(db).await?),
        None => Ok(None),
    }
}

/// Loads the live lines of `cart` with their products, oldest line first.
pub async fn load_view(
    db: &impl ConnectionTrait,
    cart: carts::Model,
    token: Option<String>,
) -> AppResult<CartView> {
    let rows = cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart.id.as_str()))
        .filter(cart_items::Column::Live.eq(true))
        .find_also_related(products::Entity)
        .order_by_asc(cart_items::Column::CreatedAt)
        .order_by_asc(cart_items::Column::Id)
        .all(db)
        .await?;
    let lines = rows
        .into_iter()
        .map(|(item, product)| Line {
            attributes: Attributes::from_json(&item.attributes),
            item,
            product,
        })
        .collect();
    Ok(CartView { cart, lines, token })
}

/// The live cart `cart_id` with its lines, after a mutation.
pub async fn view_by_id(
    db: &impl ConnectionTrait,
    cart_id: &str,
    token: Option<String>,
) -> AppResult<Option<CartView>> {
    let cart = carts::Entity::find_by_id(cart_id.to_owned())
        .filter(carts::Column::Live.eq(true))
        .one(db)
        .await?;
    match cart {
        Some(cart) => Ok(Some(load_view(db, cart, token).await?)),
        None => Ok(None),
    }
}
