//! `CartEvent`: one entry of a cart's history.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{entity::cart_events, graphql::global_id::NodeKind, service::cart::EventKind};

/// What happened to a cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::cart::EventKind")]
pub enum CartEventKind {
    /// The cart was opened.
    Created,
    /// A line was added or its quantity increased by an add.
    Added,
    /// A line's quantity or attributes were set.
    Updated,
    /// A line was removed.
    Removed,
    /// The cart was emptied and closed by `clearCart`.
    Cleared,
    /// A guest cart was merged: on the user's cart, what came in; on the guest cart, where
    /// it went.
    Merged,
    /// `syncCart` replaced the lines.
    Synced,
    /// The cart's attributes or note changed.
    AttributesUpdated,
    /// The cart expired after its time without changes and was closed.
    Expired,
    /// A discount code was put on the cart (`detail`: the code).
    DiscountCodeApplied,
    /// A discount code was taken off the cart (`detail`: the code).
    DiscountCodeRemoved,
    /// The buyer's identity changed (the history never holds the personal data itself).
    BuyerIdentityUpdated,
    /// A delivery option was selected (`detail`: its handle).
    DeliveryOptionSelected,
    /// A checkout began: the cart froze and its stock is held (`detail`: the checkout id).
    CheckoutStarted,
    /// The order system claimed the checkout to take payment (`detail`: the checkout id);
    /// the shopper can no longer cancel it.
    CheckoutClaimed,
    /// The shopper cancelled the checkout; the hold was released and the cart reopened.
    CheckoutCancelled,
    /// The order system gave the checkout back (payment failed); the hold was released and
    /// the cart reopened.
    CheckoutReleased,
    /// The checkout's hold expired; the hold was released and the cart reopened.
    CheckoutExpired,
    /// The order system completed the checkout (`detail`: the order reference); the cart is
    /// closed.
    CheckoutCompleted,
}

/// One change in a cart's history. The history is append-only: it is kept while the cart is
/// kept, including after the cart is cleared, merged or expired.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartEvent {
    /// The event's id.
    pub id: ID,
    /// What happened.
    pub kind: CartEventKind,
    /// The cart's `version` once this change was committed.
    pub version: i64,
    /// Who did it: `user:<id>`, `guest`, `anonymous` or `system` (expiry).
    pub actor: String,
    /// The line concerned, for line events.
    pub item_id: Option<ID>,
    /// The line's product, for line events.
    pub product_id: Option<ID>,
    /// The line's quantity after the change (0 once removed), for line events.
    pub quantity: Option<i32>,
    /// More about the change, for people (e.g. the merge strategy and the other cart).
    pub detail: Option<String>,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

impl From<cart_events::Model> for CartEvent {
    fn from(row: cart_events::Model) -> Self {
        Self {
            id: ID(row.id),
            // Rows are written by this service only; an unknown kind cannot occur.
            kind: EventKind::parse(&row.kind).map_or(CartEventKind::Updated, CartEventKind::from),
            version: row.version,
            actor: row.actor,
            item_id: row.item_id.map(|id| NodeKind::CartItem.id(&id)),
            product_id: row.product_id.map(|id| NodeKind::Product.id(&id)),
            quantity: row.quantity,
            detail: row.detail,
            created_at: row.created_at,
        }
    }
}
