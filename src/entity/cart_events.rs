//! `cart_events`: the append-only history of a cart, one row per change.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cart_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub cart_id: String,
    /// The cart's version after the change.
    pub version: i64,
    /// `CREATED`, `ADDED`, `UPDATED`, `REMOVED`, `CLEARED`, `MERGED`, `SYNCED`,
    /// `ATTRIBUTES_UPDATED` or `EXPIRED`.
    pub kind: String,
    /// `user:<id>`, `guest` or `system`.
    pub actor: String,
    pub item_id: Option<String>,
    pub product_id: Option<String>,
    /// The line's quantity after the change (0 once removed).
    pub quantity: Option<i32>,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::carts::Entity",
        from = "Column::CartId",
        to = "super::carts::Column::Id"
    )]
    Cart,
}

impl Related<super::carts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cart.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
