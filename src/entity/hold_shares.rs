//! `hold_shares`: what one holder (a client address or a buyer email, as a key) holds in open
//! checkouts: the number of checkouts (`item` is empty) and the units per product.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hold_shares")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub holder: String,
    /// A product id, or `''` for the count of open checkouts.
    #[sea_orm(primary_key, auto_increment = false)]
    pub item: String,
    pub amount: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
