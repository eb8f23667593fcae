//! Reading a cart: one statement for the cart, one for its lines joined with their products.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use crate::{
    auth::Viewer,
    domain::{Attributes, Currency, Money},
    entity::{cart_items, carts, products},
    error::AppResult,
    service::{CartSettings, Warning, WarningCode, pricing},
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

    /// The effective unit price when the customer last set this line, if recorded.
    pub fn added_unit_price_minor(&self) -> Option<i64> {
        self.item.added_unit_price_minor
    }

    /// True when the catalog price moved since the customer last set this line.
    pub fn price_changed(&self) -> bool {
        match (&self.product, self.item.added_unit_price_minor) {
            (Some(product), Some(added)) => pricing::effective_price(product) != added,
            _ => false,
        }
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

    /// The cart-level attributes.
    pub fn attributes(&self) -> Attributes {
        self.cart
            .attributes
            .as_deref()
            .map(Attributes::from_json)
            .unwrap_or_default()
    }

    /// A PRICE_CHANGED warning for every line whose price moved since it was set.
    pub fn price_warnings(&self) -> Vec<Warning> {
        let currency = self.currency_or(Currency::UNKNOWN);
        self.lines
            .iter()
            .filter(|line| line.price_changed())
            .map(|line| {
                let was = Money::new(
                    i128::from(line.added_unit_price_minor().unwrap_or_default()),
                    currency,
                );
                let now = Money::new(i128::from(line.unit_price_minor()), currency);
                Warning {
                    code: WarningCode::PriceChanged,
                    message: format!(
                        "the price of {} moved from {} to {} since it was added",
                        line.product
                            .as_ref()
                            .map_or("this product", |p| p.sku.as_str()),
                        was.formatted(),
                        now.formatted()
                    ),
                    target: Some(line.item.id.clone()),
                }
            })
            .collect()
    }

    fn currency_or(&self, fallback: Currency) -> Currency {
        Currency::parse(&self.cart.currency).unwrap_or(fallback)
    }

    pub fn cost(&self, settings: &CartSettings) -> pricing::CartCost {
        let currency = self.currency_or(settings.currency);
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

/// Several carts with their lines (for the admin list): one statement for all the lines. The
/// lines of a closed cart are those it held when it was closed.
pub async fn load_views(
    db: &impl ConnectionTrait,
    carts: Vec<carts::Model>,
) -> AppResult<Vec<CartView>> {
    let ids: Vec<String> = carts.iter().map(|c| c.id.clone()).collect();
    let rows = match ids.is_empty() {
        true => Vec::new(),
        false => {
            cart_items::Entity::find()
                .filter(cart_items::Column::CartId.is_in(ids))
                .find_also_related(products::Entity)
                .order_by_asc(cart_items::Column::CreatedAt)
                .order_by_asc(cart_items::Column::Id)
                .all(db)
                .await?
        }
    };
    let mut views: Vec<CartView> = carts
        .into_iter()
        .map(|cart| CartView {
            cart,
            lines: Vec::new(),
            token: None,
        })
        .collect();
    for (item, product) in rows {
        let Some(view) = views.iter_mut().find(|v| v.cart.id == item.cart_id) else {
            continue;
        };
        // An open cart shows its live lines; a closed one the lines closed with it.
        let shown = match view.cart.deleted_at {
            None => item.live == Some(true),
            Some(closed) => item.deleted_at == Some(closed),
        };
        if shown {
            view.lines.push(Line {
                attributes: Attributes::from_json(&item.attributes),
                item,
                product,
            });
        }
    }
    Ok(views)
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
