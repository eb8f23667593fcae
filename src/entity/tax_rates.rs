//! `tax_rates`: a tax rate for a country, or for one province of it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tax_rates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The subdivision code, or `''` for the whole country.
    pub province_code: String,
    pub title: String,
    /// A decimal between 0 and 1 (`"0.13"`).
    pub rate: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
