//! What the cart mutations share (their inputs and results), `createCart` and `clearCart`.
//! Each mutation runs as one write transaction (retried whole on contention) that locks the
//! caller's cart first; a refusal rolls everything back. Adds are in `add`, line changes in
//! `lines`.

use crate::{
    auth::Viewer,
    domain::{Attributes, Currency, Quantity},
    error::AppResult,
    service::{Outcome, catalog::ProductRef},
};

use super::{
    add::add_line,
    lock::{self, Closed, Locked},
    txn::Writer,
    view::Line,
};

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
    /// The line is live; the payload shows it from the fresh cart.
    Live(String),
    /// The line is live, as the transaction left it: the payload shows it from the fresh cart
    /// when it reads the cart anyway, and from this otherwise (saving a read).
    Written { line: Box<Line>, currency: Currency },
    /// The line was removed; the payload shows it as it was.
    Removed(Box<Line>),
}

/// `createCart`: a guest always gets a new cart and token; a user gets their one cart.
pub async fn create_cart(writer: &Writer<'_>, items: &[AddLine]) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = match writer.viewer {
            Viewer::User(_) => lock::lock_or_create(txn, writer).await?,
            Viewer::Guest(_) | Viewer::Anonymous => {
                lock::check_version(0, writer.expected_version)?;
                lock::create_guest_cart(txn, writer).await?
            }
        };
        let mut warnings = Vec::new();
        let mut events = Vec::new();
        for (i, line) in items.iter().enumerate() {
            let index = i.to_string();
            let added = add_line(txn, writer, &locked.cart, line, &["items", &index]).await?;
            warnings.extend(added.warning);
            events.push(added.event);
        }
        if !items.is_empty() || locked.created {
            lock::commit_change(txn, writer, &locked, events).await?;
        }
        Ok((change_of(&locked), warnings))
    })
}

/// `clearCart`: soft-deletes every line and closes the cart; a guest's token stops working.
pub async fn clear_cart(writer: &Writer<'_>) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let closed = Change {
            cart_id: None,
            token: None,
        };
        let Some(locked) = lock::lock_existing(txn, writer).await? else {
            return Ok((closed, Vec::new()));
        };
        lock::close(
            txn,
            &locked.cart,
            Closed::Cleared,
            None,
            &writer.actor(),
            None,
        )
        .await?;
        Ok((closed, Vec::new()))
    })
}

pub(super) fn change_of(locked: &Locked) -> Change {
    Change {
        cart_id: Some(locked.cart.id.clone()),
        token: locked.token.clone(),
    }
}
