//! What the cart mutations share: their parsed input line, and what they report back (the
//! cart they left, the line they touched), with its idempotency record.

use crate::{
    domain::{Attributes, Currency, Quantity},
    service::{catalog::ProductRef, idempotency::Record},
};

use super::{lock::Locked, txn::Replayable, view::Line};

/// A parsed request to add a product to a cart.
#[derive(Clone, Debug)]
pub struct AddLine {
    pub product: ProductRef,
    pub quantity: Quantity,
    pub attributes: Attributes,
}

/// Which cart a mutation left behind.
#[derive(Clone, Debug)]
pub struct Change {
    /// The cart's id; `None` when the mutation closed it (or there was none).
    pub cart_id: Option<String>,
    /// The guest token to hand back to the client.
    pub token: Option<String>,
}

/// The line a mutation touched.
#[derive(Clone, Debug)]
pub enum ItemChange {
    /// The line is live; only its id is known (a replayed change, or an update).
    Live(String),
    /// The line is live: it as the transaction left it, with its product and shop, and the
    /// cart's currency.
    Set { line: Box<Line>, currency: Currency },
    /// The line was removed: it as it was, with its product and shop.
    Removed(Box<Line>),
}

pub(super) fn change_of(locked: &Locked) -> Change {
    Change {
        cart_id: Some(locked.cart.id.clone()),
        token: locked.token.clone(),
    }
}

impl Replayable for Change {
    fn record(&self) -> Record {
        Record {
            cart_id: self.cart_id.clone(),
            token: self.token.clone(),
            ..Record::default()
        }
    }

    fn replay(record: Record) -> Self {
        Self {
            cart_id: record.cart_id,
            token: record.token,
        }
    }
}

impl Replayable for (Change, ItemChange) {
    fn record(&self) -> Record {
        let item_id = match &self.1 {
            ItemChange::Live(id) => id.clone(),
            ItemChange::Set { line, .. } | ItemChange::Removed(line) => line.item.id.clone(),
        };
        Record {
            item_id: Some(item_id),
            ..self.0.record()
        }
    }

    /// The line as it is now: a replay shows the cart after the effect, not a snapshot.
    fn replay(record: Record) -> Self {
        let item = ItemChange::Live(record.item_id.clone().unwrap_or_default());
        (Change::replay(record), item)
    }
}
