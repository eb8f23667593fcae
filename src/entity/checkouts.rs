//! `checkouts`: one per `beginCheckout`, holding the cart's priced contents as frozen then.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub cart_id: String,
    /// `HOLDING`, `CLAIMED`, `CANCELLED`, `RELEASED`, `EXPIRED` or `COMPLETED`.
    pub state: String,
    /// `user:<id>` or `guest:<hash>`.
    pub customer: String,
    pub currency: String,
    pub total_minor: i64,
    /// The priced contents as JSON, and their SHA-256 in hex.
    pub contents: String,
    pub contents_hash: String,
    /// JSON array of the promotions it applied.
    pub promotion_ids: String,
    pub order_reference: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The client address that began it, as a holder key (none when unknown).
    pub address_key: Option<String>,
    /// The buyer's normalised email, as a holder key.
    pub buyer_key: Option<String>,
    /// When an order system claimed it for payment.
    pub claimed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
