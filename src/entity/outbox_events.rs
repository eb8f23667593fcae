//! `outbox_events`: events waiting for delivery to the configured sinks.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    /// Insertion order; within one cart, the order of its changes.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The history event's id, sent with every delivery.
    pub event_id: String,
    pub cart_id: String,
    pub version: i64,
    pub kind: String,
    /// The JSON body every sink sends.
    pub payload: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
