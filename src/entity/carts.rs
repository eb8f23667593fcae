//! `carts`: one per registered user (`user_id`) or per guest token (`token_hash`).
//! `live` is TRUE while the cart is open and NULL once it is soft-deleted (see the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "carts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Option<String>,
    pub token_hash: Option<String>,
    pub live: Option<bool>,
    pub currency: String,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// Cart-level attributes as a JSON object, keys sorted; NULL reads as none.
    pub attributes: Option<String>,
    pub note: Option<String>,
    /// Why a closed cart was closed: `CLEARED`, `MERGED`, `EXPIRED` or `COMPLETED`.
    pub closed_reason: Option<String>,
    /// After a merge, the cart the lines went into.
    pub merged_into: Option<String>,
    /// `OPEN`, `CHECKOUT` (frozen while a checkout holds its stock) or `COMPLETED`.
    pub status: String,
    /// The buyer's identity: personal data, purged with the cart.
    pub buyer_email: Option<String>,
    pub buyer_country_code: Option<String>,
    pub buyer_province_code: Option<String>,
    pub buyer_postal_code: Option<String>,
    /// The handle of the selected delivery option (a `shipping_rates` row).
    pub delivery_option: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cart_items::Entity")]
    CartItems,
    #[sea_orm(has_many = "super::cart_events::Entity")]
    CartEvents,
}

impl Related<super::cart_items::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CartItems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
