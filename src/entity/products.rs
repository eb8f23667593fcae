//! `products`: the catalog. Prices are integer minor units of `currency`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub shop_id: Option<String>,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub discount_price_minor: Option<i64>,
    pub currency: String,
    pub stock: i32,
    pub image: Option<String>,
    pub active: bool,
    /// JSON array of attribute keys every line of this product must carry.
    pub required_attributes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The quantity rule: a line holds at least `minimum`, at most `maximum`, in steps of
    /// `increment` (NULL: no bound).
    pub quantity_minimum: Option<i32>,
    pub quantity_maximum: Option<i32>,
    pub quantity_increment: Option<i32>,
    /// Units held by open checkouts: what can still go into a cart is `stock - held`.
    pub held: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
impl Model {
    /// An active USD product for unit tests: price, optional discount, stock.
    pub fn fixture(price_minor: i64, discount_price_minor: Option<i64>, stock: i32) -> Self {
        let now = chrono::Utc::now();
        Self {
            id: "p".into(),
            shop_id: None,
            sku: "SKU-1".into(),
            name: "Product".into(),
            description: String::new(),
            price_minor,
            discount_price_minor,
            currency: "USD".into(),
            stock,
            image: None,
            active: true,
            required_attributes: "[]".into(),
            created_at: now,
            updated_at: now,
            quantity_minimum: None,
            quantity_maximum: None,
            quantity_increment: None,
            held: 0,
        }
    }
}
