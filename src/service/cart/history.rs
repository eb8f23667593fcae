//! The append-only history of a cart: every committed change writes its events in the same
//! transaction, stamped with the version the change produced, and (while a sink is configured)
//! queues them in the outbox in the same transaction.

use crate::service::Page;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::outbox::{self, Outbox};
use crate::{
    domain::ids::new_id,
    entity::{cart_events, carts},
    error::AppResult,
};

/// What happened to a cart. Each has a stable GraphQL name (`CartEventKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Added,
    Updated,
    Removed,
    Cleared,
    Merged,
    Synced,
    AttributesUpdated,
    Expired,
    DiscountCodeApplied,
    DiscountCodeRemoved,
    BuyerIdentityUpdated,
    DeliveryOptionSelected,
    CheckoutStarted,
    CheckoutClaimed,
    CheckoutCancelled,
    CheckoutReleased,
    CheckoutExpired,
    CheckoutCompleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Added => "ADDED",
            Self::Updated => "UPDATED",
            Self::Removed => "REMOVED",
            Self::Cleared => "CLEARED",
            Self::Merged => "MERGED",
            Self::Synced => "SYNCED",
            Self::AttributesUpdated => "ATTRIBUTES_UPDATED",
            Self::Expired => "EXPIRED",
            Self::DiscountCodeApplied => "DISCOUNT_CODE_APPLIED",
            Self::DiscountCodeRemoved => "DISCOUNT_CODE_REMOVED",
            Self::BuyerIdentityUpdated => "BUYER_IDENTITY_UPDATED",
            Self::DeliveryOptionSelected => "DELIVERY_OPTION_SELECTED",
            Self::CheckoutStarted => "CHECKOUT_STARTED",
            Self::CheckoutClaimed => "CHECKOUT_CLAIMED",
            Self::CheckoutCancelled => "CHECKOUT_CANCELLED",
            Self::CheckoutReleased => "CHECKOUT_RELEASED",
            Self::CheckoutExpired => "CHECKOUT_EXPIRED",
            Self::CheckoutCompleted => "CHECKOUT_COMPLETED",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Added,
            Self::Updated,
            Self::Removed,
            Self::Cleared,
            Self::Merged,
            Self::Synced,
            Self::AttributesUpdated,
            Self::Expired,
            Self::DiscountCodeApplied,
            Self::DiscountCodeRemoved,
            Self::BuyerIdentityUpdated,
            Self::DeliveryOptionSelected,
            Self::CheckoutStarted,
            Self::CheckoutClaimed,
            Self::CheckoutCancelled,
            Self::CheckoutReleased,
            Self::CheckoutExpired,
            Self::CheckoutCompleted,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw)
    }
}

/// Who the history records a change as made by, and whether its events also go out.
#[derive(Clone, Debug)]
pub struct Author {
    pub actor: String,
    pub outbox: Outbox,
}

impl Author {
    /// The service itself: sweepers and expiry.
    pub fn system(outbox: Outbox) -> Self {
        Self {
            actor: "system".to_owned(),
            outbox,
        }
    }
}

/// An event about to be written.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: EventKind,
    pub item_id: Option<String>,
    pub product_id: Option<String>,
    /// The line's quantity after the change (0 once removed).
    pub quantity: Option<i32>,
    pub detail: Option<String>,
}

impl NewEvent {
    /// An event about the cart as a whole.
    pub fn cart(kind: EventKind, detail: Option<String>) -> Self {
        Self {
            kind,
            item_id: None,
            product_id: None,
            quantity: None,
            detail,
        }
    }

    /// An event about one line and the quantity it ended with.
    pub fn line(kind: EventKind, item_id: &str, product_id: &str, quantity: i32) -> Self {
        Self {
            kind,
            item_id: Some(item_id.to_owned()),
            product_id: Some(product_id.to_owned()),
            quantity: Some(quantity),
            detail: None,
        }
    }
}

/// Writes `events` for `cart` at the version the change gives it (one past the locked
/// row's), in one statement, and with the outbox on, queues them for the sinks in a second.
pub(super) async fn append(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
    author: &Author,
    events: Vec<NewEvent>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<cart_events::Model> = events
        .into_iter()
        .map(|event| cart_events::Model {
            id: new_id(),
            cart_id: cart.id.clone(),
            version: cart.version + 1,
            kind: event.kind.as_str().to_owned(),
            actor: author.actor.clone(),
            item_id: event.item_id,
            product_id: event.product_id,
            quantity: event.quantity,
            detail: event.detail,
            created_at: now,
        })
        .collect();
    if author.outbox == Outbox::On {
        outbox::enqueue(txn, cart, &rows).await?;
    }
    cart_events::Entity::insert_many(rows.into_iter().map(cart_events::ActiveModel::from))
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Where a page of events starts: after this (version, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCursor {
    pub version: i64,
    pub id: String,
}

impl EventCursor {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.version, self.id)
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let (version, id) = raw.split_once(':')?;
        Some(Self {
            version: version.parse().ok()?,
            id: crate::domain::CartItemId::parse(id)?.0,
        })
    }
}

/// A page of `size` events of `cart_id`, oldest first, after `after`.
pub async fn events_page(
    db: &impl ConnectionTrait,
    cart_id: &str,
    after: Option<&EventCursor>,
    size: u64,
) -> AppResult<Page<cart_events::Model>> {
    let mut query = cart_events::Entity::find().filter(cart_events::Column::CartId.eq(cart_id));
    if let Some(after) = after {
        query = query.filter(
            Condition::any()
                .add(cart_events::Column::Version.gt(after.version))
                .add(
                    Condition::all()
                        .add(cart_events::Column::Version.eq(after.version))
                        .add(cart_events::Column::Id.gt(after.id.as_str())),
                ),
        );
    }
    let query = query
        .order_by_asc(cart_events::Column::Version)
        .order_by_asc(cart_events::Column::Id);
    Ok(Page::read(db, query, size).await?)
}
