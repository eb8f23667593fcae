//! `Product`, `Shop` and `ProductMedia`.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    domain::{Currency, Money as DomainMoney, ProductId, ShopId},
    entity::{product_media, products, shops},
    graphql::{context::ContextExt, loaders::MediaOf, types::Money},
    service::{catalog, pricing},
};

/// A product from the catalog, with its live price and stock.
#[derive(Clone)]
pub struct Product(pub products::Model);

impl Product {
    fn money(&self, minor: i64) -> Money {
        let currency = Currency::parse(&self.0.currency).unwrap_or(Currency::UNKNOWN);
        DomainMoney::new(minor, currency).into()
    }
}

/// A product from the catalog, with its live price and stock.
#[Object]
impl Product {
    /// The product's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Stock keeping unit, unique in the catalog.
    async fn sku(&self) -> &str {
        &self.0.sku
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Long description (plain text).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The list price.
    async fn price(&self) -> Money {
        self.money(self.0.price_minor)
    }

    /// The discounted price, when the product is on sale.
    async fn discount_price(&self) -> Option<Money> {
        self.0.discount_price_minor.map(|minor| self.money(minor))
    }

    /// What a cart charges per unit: the discount price when set and lower, else the price.
    async fn effective_price(&self) -> Money {
        self.money(pricing::effective_price(&self.0))
    }

    /// Units in stock now. A cart line can never hold more than this.
    async fn stock(&self) -> i32 {
        self.0.stock
    }

    /// The main image URL.
    async fn image(&self) -> Option<&str> {
        self.0.image.as_deref()
    }

    /// Images in display order (`cover`, `gallery`, ...).
    async fn media(&self, ctx: &Context<'_>) -> Result<Vec<ProductMedia>> {
        let media = ctx
            .loaders()
            .load_one(MediaOf(ProductId(self.0.id.clone())))
            .await?;
        Ok(media
            .unwrap_or_default()
            .into_iter()
            .map(ProductMedia)
            .collect())
    }

    /// The shop that sells this product.
    async fn shop(&self, ctx: &Context<'_>) -> Result<Option<Shop>> {
        let Some(shop_id) = &self.0.shop_id else {
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
        catalog::required_attributes(&self.0)
    }

    /// Whether the product can be added to carts.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// ISO 4217 code of the product's prices.
    async fn currency_code(&self) -> &str {
        &self.0.currency
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
