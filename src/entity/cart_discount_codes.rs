//! `cart_discount_codes`: the codes a shopper entered on a cart.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cart_discount_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cart_id: String,
    /// The code lower-cased, as `promotions.code_key`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code_key: String,
    pub promotion_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
