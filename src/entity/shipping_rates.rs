//! `shipping_rates`: the delivery options, by handle.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipping_rates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub handle: String,
    pub title: String,
    /// JSON array of ISO 3166-1 alpha-2 codes it delivers to; empty: every country.
    pub country_codes: String,
    pub price_minor: i64,
    /// Free when the discounted subtotal reaches this (minor units of `currency`).
    pub free_over_minor: Option<i64>,
    pub currency: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
