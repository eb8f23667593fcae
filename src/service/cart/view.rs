//! Reading a cart: one statement for the cart with its lines, their products and shops.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IdenStatic, Iterable, QueryFilter,
    QueryOrder, QueryTrait, Select,
    sea_query::{Alias, Expr, ExprTrait, JoinType, Order, SelectStatement},
};

use super::rows::Positional;
use crate::{
    auth::Viewer,
    domain::{Attributes, Currency, Money},
    entity::{cart_items, carts, products, shops},
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

/// A live line with its product (absent if the product vanished from the catalog) and, when
/// the read joined it, the product's shop.
#[derive(Clone, Debug)]
pub struct Line {
    pub item: cart_items::Model,
    pub attributes: Attributes,
    pub product: Option<products::Model>,
    pub shop: Option<shops::Model>,
}

impl Line {
    /// The product, if the cart can charge for it: it exists and is priced in the cart's
    /// `currency`. A product whose currency changed after the line was added cannot be
    /// charged (nor converted): its line shows zero and is left out of the totals, so the
    /// lines still add up to the subtotal.
    pub fn charged_product(&self, currency: Currency) -> Option<&products::Model> {
        self.product
            .as_ref()
            .filter(|p| p.currency.eq_ignore_ascii_case(currency.code()))
    }

    /// The unit price charged now in the cart's `currency`, in minor units; zero when the
    /// product vanished or is priced in another currency.
    pub fn unit_price_minor(&self, currency: Currency) -> i64 {
        self.charged_product(currency)
            .map_or(0, pricing::effective_price)
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

    /// Unit price × quantity in the cart's `currency`, in minor units.
    pub fn subtotal_minor(&self, currency: Currency) -> i128 {
        i128::from(self.unit_price_minor(currency)) * i128::from(self.item.quantity)
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
                let now = Money::new(i128::from(line.unit_price_minor(currency)), currency);
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

/// The viewer's open cart with its lines, their products and their shops, read in one
/// statement; `None` for anonymous callers and callers without a cart.
pub async fn viewer_cart(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> AppResult<Option<CartView>> {
    let Some(query) = live_cart_query(viewer) else {
        return Ok(None);
    };
    let token = match viewer {
        Viewer::Guest(token) => Some(token.expose().to_owned()),
        _ => None,
    };
    read_joined(db, query.into_query(), token).await
}

/// The live cart `cart_id` with its lines, after a mutation.
pub async fn view_by_id(
    db: &impl ConnectionTrait,
    cart_id: &str,
    token: Option<String>,
) -> AppResult<Option<CartView>> {
    let query = carts::Entity::find_by_id(cart_id.to_owned())
        .filter(carts::Column::Live.eq(true))
        .into_query();
    read_joined(db, query, token).await
}

/// Runs `cart_query` (a `SELECT` of carts narrowed to one cart) extended with the cart's live
/// lines, their products and shops as LEFT JOINs: one round trip for the whole view. Each
/// table's columns are selected in order (aliased with a prefix, for readable logs) and read
/// back by position.
async fn read_joined(
    db: &impl ConnectionTrait,
    mut cart_query: SelectStatement,
    token: Option<String>,
) -> AppResult<Option<CartView>> {
    cart_query.clear_selects();
    select_prefixed::<carts::Entity>(&mut cart_query, CART);
    select_prefixed::<cart_items::Entity>(&mut cart_query, ITEM);
    select_prefixed::<products::Entity>(&mut cart_query, PRODUCT);
    select_prefixed::<shops::Entity>(&mut cart_query, SHOP);
    cart_query
        .join(
            JoinType::LeftJoin,
            cart_items::Entity,
            Condition::all()
                .add(
                    Expr::col((cart_items::Entity, cart_items::Column::CartId))
                        .equals((carts::Entity, carts::Column::Id)),
                )
                .add(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true)),
        )
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
    let statement = db.get_database_backend().build(&cart_query);
    let rows = db.query_all_raw(statement).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    // The columns come in selection order: cart, line, product, shop.
    let item_at = carts::Model::COLUMNS.len();
    let product_at = item_at + cart_items::Model::COLUMNS.len();
    let shop_at = product_at + products::Model::COLUMNS.len();
    let cart = carts::Model::read(first, 0)?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(item) = cart_items::Model::read_optional(row, item_at)? else {
            continue;
        };
        lines.push(Line {
            attributes: Attributes::from_json(&item.attributes),
            item,
            product: products::Model::read_optional(row, product_at)?,
            shop: shops::Model::read_optional(row, shop_at)?,
        });
    }
    Ok(Some(CartView { cart, lines, token }))
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
                shop: None,
            });
        }
    }
    Ok(views)
}
