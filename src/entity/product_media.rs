//! `product_media`: ordered images of a product (`cover`, `gallery`, ...).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_id: String,
    pub position: i32,
    pub key: String,
    pub url: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
