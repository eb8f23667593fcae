//! The outbox: a cart's events queued for the configured sinks (NATS, webhooks) in the same
//! transaction as the change, so an event is out if and only if its change committed. The
//! payload is fixed here, as JSON, so delivery never needs the cart again (a purged cart's
//! events still go out).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;

use crate::entity::{cart_events, carts, outbox_events};

/// Whether changes queue their events for delivery: on while any sink is configured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Outbox {
    #[default]
    Off,
    On,
}

/// What every sink delivers for one event (the README's "Events out" lists the fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    /// Stable across redeliveries: consumers drop the duplicates of an id they have seen.
    id: &'a str,
    kind: &'a str,
    cart_id: &'a str,
    /// The cart's version after the change; the events of one cart arrive in this order.
    version: i64,
    /// `user:<id>`, `guest`, `system`, or an admin or order system's principal.
    actor: &'a str,
    /// The cart's registered owner; none for a guest cart.
    user_id: Option<&'a str>,
    item_id: Option<&'a str>,
    product_id: Option<&'a str>,
    quantity: Option<i32>,
    detail: Option<&'a str>,
    occurred_at: DateTime<Utc>,
}

/// Queues `events` (already stamped for the history) of `cart`, in one statement.
pub(super) async fn enqueue(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
    events: &[cart_events::Model],
) -> Result<(), DbErr> {
    let rows = events.iter().map(|event| {
        let payload = Payload {
            id: &event.id,
            kind: &event.kind,
            cart_id: &event.cart_id,
            version: event.version,
            actor: &event.actor,
            user_id: cart.user_id.as_deref(),
            item_id: event.item_id.as_deref(),
            product_id: event.product_id.as_deref(),
            quantity: event.quantity,
            detail: event.detail.as_deref(),
            occurred_at: event.created_at,
        };
        outbox_events::ActiveModel {
            event_id: Set(event.id.clone()),
            cart_id: Set(event.cart_id.clone()),
            version: Set(event.version),
            kind: Set(event.kind.clone()),
            // Serialising plain strings and numbers cannot fail.
            payload: Set(serde_json::to_string(&payload).unwrap_or_default()),
            created_at: Set(event.created_at),
            ..Default::default()
        }
    });
    outbox_events::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
