//! `promotions`: discount codes (`code` set) and automatic promotions (`code` NULL).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The code as the admin wrote it; NULL for an automatic promotion.
    pub code: Option<String>,
    /// The code lower-cased (unique): what a shopper's entry is matched against.
    pub code_key: Option<String>,
    pub title: String,
    /// `PERCENTAGE_OFF`, `AMOUNT_OFF`, `BUY_X_GET_Y` or `FREE_SHIPPING`.
    pub kind: String,
    /// `ORDER` or `LINES`.
    pub scope: String,
    /// Hundredths of a percent for percentages, minor units of `currency` for amounts.
    pub value: i64,
    pub currency: String,
    /// JSON arrays of targeted product ids, SKUs and shop ids (all empty: every line).
    pub product_ids: String,
    pub skus: String,
    pub shop_ids: String,
    pub min_subtotal_minor: Option<i64>,
    pub min_quantity: Option<i32>,
    pub get_quantity: Option<i32>,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub usage_limit: Option<i32>,
    pub usage_limit_per_customer: Option<i32>,
    /// Completed checkouts that used it.
    pub times_used: i32,
    /// Open checkouts holding a use of it: `times_used + times_held` never passes
    /// `usage_limit`.
    pub times_held: i32,
    pub stackable: bool,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
