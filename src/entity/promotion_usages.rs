//! `promotion_usages`: one row per completed checkout that used a promotion.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion_usages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promotion_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cart_id: String,
    /// `user:<id>` or `guest:<hash>`.
    pub customer: String,
    pub created_at: DateTimeUtc,
    /// The buyer's normalised email as a key: the same customer across carts.
    pub buyer_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
