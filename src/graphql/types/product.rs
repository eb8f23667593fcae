//! `Product`, `Shop` and `ProductMedia`.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    domain::{Currency, Money as DomainMoney, ProductId, ShopId},
    entity::{product_media, products, shops},
    graphql::{
        context::ContextExt,
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

    fn money(&self, minor: i64) -> Money {
        let currency = Currency::parse(&self.model.currency).unwrap_or(Currency::UNKNOWN);
        DomainMoney::new(minor, currency).into()
    }
}

/// A product from the catalog, with its live price and stock.
#[Object]
impl Product {
    /// The product's id.
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }

    /// Stock keeping unit, unique in the catalog.
    async fn sku(&self) -> &str {
        &self.model.sku
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.model.name
    }

    /// Long description (plain text).
    async fn description(&self) -> &str {
        &self.model.description
    }

    /// The list price.
    async fn price(&self) -> Money {
        self.money(self.model.price_minor)
    }

    /// The discounted price, when the product is on sale.
    async fn discount_price(&self) -> Option<Money> {
        self.model
            .discount_price_minor
            .map(|minor| self.money(minor))
    }

    /// What a cart charges per unit: the discount price when set and lower, else the price.
    async fn effective_price(&self) -> Money {
        self.money(pricing::effective_price(&self.model))
    }

    /// Units that can be bought now: the stock less what open checkouts hold. A cart line can
    /// never hold more than this.
    async fn stock(&self) -> i32 {
        catalog::available(&self.model)
    }

    /// The main image URL.
    async fn image(&self) -> Option<&str> {
        self.model.image.as_deref()
    }

    /// Images in display order (`cover`, `gallery`, ...).
    async fn media(&self, ctx: &Context<'_>) -> Result<Vec<ProductMedia>> {
        let media = match self.with_line.as_ref().and_then(|l| l.media.clone()) {
            Some(media) => media,
            None => ctx
                .loaders()
                .load_one(MediaOf(ProductId(self.model.id.clone())))
                .await?
                .unwrap_or_default(),
        };
        Ok(media.into_iter().map(ProductMedia).collect())
    }

    /// The shop that sells this product.
    async fn shop(&self, ctx: &Context<'_>) -> Result<Option<Shop>> {
        if let Some(line) = &self.with_line {
            return Ok(line.shop.clone().map(Shop));
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
        catalog::required_attributes(&self.model)
    }

    /// Whether the product can be added to carts.
    async fn active(&self) -> bool {
        self.model.active
    }

    /// How many units one cart line may hold.
    async fn quantity_rule(&self) -> QuantityRule {
        catalog::quantity_rule(&self.model).into()
    }

    /// ISO 4217 code of the product's prices.
    async fn currency_code(&self) -> &str {
        &self.model.currency
    }
}

/// A shop that sells products.
#[derive(Clone)]
pub struct Shop(pub shops::Model);

/// A shop that sells products.
#[Object]
impl Shop {
    /// The shop's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// One image of a product.
#[derive(Clone)]
pub struct ProductMedia(pub product_media::Model);

/// One image of a product.
#[Object]
impl ProductMedia {
    /// What the image is for: `cover` or `gallery`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Where the image is.
    async fn url(&self) -> &str {
        &self.0.url
    }
}
