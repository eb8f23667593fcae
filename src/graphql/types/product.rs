//! `Product`, `Shop` and `ProductMedia`.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    domain::{Currency, Money as DomainMoney, ProductId, ShopId},
    entity::{product_media, products, shops},
    graphql::{
        context::ContextExt,
        global_id::NodeKind,
        loaders::MediaOf,
        types::{Money, QuantityRule},
    },
    service::{cart::Line, catalog, pricing},
};

/// A product from the catalog, with its live price and stock.
#[derive(Clone)]
pub struct Product {
    model: products::Model,
    /// The shop and media read with the product as part of a cart line; `None` for a product
    /// read on its own (catalog queries, federation), whose shop and media come from the
    /// request's loaders.
    with_line: Option<LineCatalog>,
}

/// What a cart line's read brought of its product's shop and media.
#[derive(Clone)]
struct LineCatalog {
    shop: Option<shops::Model>,
    /// `None` when the read did not include media (the selection did not ask for them).
    media: Option<Vec<product_media::Model>>,
}

impl From<products::Model> for Product {
    fn from(model: products::Model) -> Self {
        Self {
            model,
            with_line: None,
        }
    }
}

impl Product {
    /// The product of a cart line, with the shop and media its read brought.
    pub fn of_line(line: &Line) -> Option<Self> {
        Some(Self {
            model: line.product.clone()?,
            with_line: Some(LineCatalog {
                shop: line.shop.clone(),
                media: line.media.clone(),
            }),
        })
    }

    /// The shop the cart line's read brought; `None` for a product read on its own.
    pub(crate) fn line_shop(&self) -> Option<Option<Shop>> {
        self.with_line
            .as_ref()
            .map(|line| line.shop.clone().map(Shop))
    }

    /// The media the cart line's read brought; `None` for a product read on its own or a
    /// read that did not include media.
    pub(crate) fn line_media(&self) -> Option<Vec<ProductMedia>> {
        let media = self.with_line.as_ref()?.media.clone()?;
        Some(media.into_iter().map(ProductMedia).collect())
    }

    fn money(&self, minor: i64) -> Money {
        let currency = Currency::parse(&self.model.currency).unwrap_or(Currency::UNKNOWN);
        DomainMoney::new(minor, currency).into()
    }
}

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl Product {
    pub(crate) fn id_value(&self) -> ID {
        NodeKind::Product.id(&self.model.id)
    }

    pub(crate) fn sku_value(&self) -> &str {
        &self.model.sku
    }

    pub(crate) fn name_value(&self) -> &str {
        &self.model.name
    }

    pub(crate) fn description_value(&self) -> &str {
        &self.model.description
    }

    pub(crate) fn price_value(&self) -> Money {
        self.money(self.model.price_minor)
    }

    pub(crate) fn discount_price_value(&self) -> Option<Money> {
        self.model
            .discount_price_minor
            .map(|minor| self.money(minor))
    }

    pub(crate) fn effective_price_value(&self) -> Money {
        self.money(pricing::effective_price(&self.model))
    }

    pub(crate) fn stock_value(&self) -> i32 {
        catalog::available(&self.model)
    }

    pub(crate) fn image_value(&self) -> Option<&str> {
        self.model.image.as_deref()
    }

    pub(crate) fn required_attributes_value(&self) -> Vec<String> {
        catalog::required_attributes(&self.model)
    }

    pub(crate) fn active_value(&self) -> bool {
        self.model.active
    }

    pub(crate) fn quantity_rule_value(&self) -> QuantityRule {
        catalog::quantity_rule(&self.model).into()
    }

    pub(crate) fn currency_code_value(&self) -> &str {
        &self.model.currency
    }
}

/// A product from the catalog, with its live price and stock.
#[Object]
impl Product {
    /// The product's id.
    pub(crate) async fn id(&self) -> ID {
        self.id_value()
    }

    /// Stock keeping unit, unique in the catalog.
    async fn sku(&self) -> &str {
        self.sku_value()
    }

    /// Display name.
    async fn name(&self) -> &str {
        self.name_value()
    }

    /// Long description (plain text).
    async fn description(&self) -> &str {
        self.description_value()
    }

    /// The list price.
    async fn price(&self) -> Money {
        self.price_value()
    }

    /// The discounted price, when the product is on sale.
    async fn discount_price(&self) -> Option<Money> {
        self.discount_price_value()
    }

    /// What a cart charges per unit: the discount price when set and lower, else the price.
    async fn effective_price(&self) -> Money {
        self.effective_price_value()
    }

    /// Units that can be bought now: the stock less what open checkouts hold. A cart line can
    /// never hold more than this.
    async fn stock(&self) -> i32 {
        self.stock_value()
    }

    /// The main image URL.
    async fn image(&self) -> Option<&str> {
        self.image_value()
    }

    /// Images in display order (`cover`, `gallery`, ...).
    async fn media(&self, ctx: &Context<'_>) -> Result<Vec<ProductMedia>> {
        if let Some(media) = self.line_media() {
            return Ok(media);
        }
        let media = ctx
            .loaders()
            .load_one(MediaOf(ProductId(self.model.id.clone())))
            .await?
            .unwrap_or_default();
        Ok(media.into_iter().map(ProductMedia).collect())
    }

    /// The shop that sells this product.
    async fn shop(&self, ctx: &Context<'_>) -> Result<Option<Shop>> {
        if let Some(shop) = self.line_shop() {
            return Ok(shop);
        }
        let Some(shop_id) = &self.model.shop_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .load_one(ShopId(shop_id.clone()))
            .await?
            .map(Shop))
    }

    /// Attribute keys every cart line of this product must carry (e.g. `team_id`).
    async fn required_attributes(&self) -> Vec<String> {
        self.required_attributes_value()
    }

    /// Whether the product can be added to carts.
    async fn active(&self) -> bool {
        self.active_value()
    }

    /// How many units one cart line may hold.
    async fn quantity_rule(&self) -> QuantityRule {
        self.quantity_rule_value()
    }

    /// ISO 4217 code of the product's prices.
    async fn currency_code(&self) -> &str {
        self.currency_code_value()
    }
}

/// A shop that sells products.
#[derive(Clone)]
pub struct Shop(pub shops::Model);

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl Shop {
    pub(crate) fn id_value(&self) -> ID {
        NodeKind::Shop.id(&self.0.id)
    }

    pub(crate) fn name_value(&self) -> &str {
        &self.0.name
    }
}

/// A shop that sells products.
#[Object]
impl Shop {
    /// The shop's id.
    pub(crate) async fn id(&self) -> ID {
        self.id_value()
    }

    /// Display name.
    async fn name(&self) -> &str {
        self.name_value()
    }
}

/// One image of a product.
#[derive(Clone)]
pub struct ProductMedia(pub product_media::Model);

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl ProductMedia {
    pub(crate) fn key_value(&self) -> &str {
        &self.0.key
    }

    pub(crate) fn url_value(&self) -> &str {
        &self.0.url
    }
}

/// One image of a product.
#[Object]
impl ProductMedia {
    /// What the image is for: `cover` or `gallery`.
    async fn key(&self) -> &str {
        self.key_value()
    }

    /// Where the image is.
    async fn url(&self) -> &str {
        self.url_value()
    }
}
