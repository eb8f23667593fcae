//! `createCart` and `clearCart`. Each cart mutation runs as one write transaction (retried
//! whole on contention) that locks the caller's cart first; a refusal rolls everything back.
//! Adds are in `add`, line changes in `lines`, what they share in `change`.

use crate::{auth::Viewer, error::AppResult, service::Outcome};

use super::{
    add::add_line,
    change::{AddLine, Change, change_of},
    close::{Closed, close},
    lock,
    txn::Writer,
};

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
        close(
            txn,
            &locked.cart,
            Closed::Cleared,
            None,
            &writer.author(),
            None,
        )
        .await?;
        Ok((closed, Vec::new()))
    })
}
