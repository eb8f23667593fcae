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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
