//! `outbox_cursors`: per sink and cart, how far delivery got, who delivers now, and retries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_cursors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sink: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cart_id: String,
    /// The last `outbox_events.seq` this sink acknowledged for the cart.
    pub delivered_seq: i64,
    /// Failures in a row of the next event.
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// The delivery round that holds the cart, until `lease_until`.
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Set after too many failures: delivery stops until `cartql events redrive`.
    pub parked_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
