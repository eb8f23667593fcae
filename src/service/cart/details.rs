//! `updateCartAttributes`: the cart's own key/value attributes and its note (gift message,
//! delivery instructions, a purchase-order number...).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    domain::Attributes,
    entity::carts,
    error::AppResult,
    service::{ErrorCode, Outcome, UserError},
};

use super::{
    change::{Change, change_of},
    history::{EventKind, NewEvent},
    lock,
    txn::Writer,
};

/// Longest cart note, in characters.
pub const MAX_NOTE_LEN: usize = 2_000;

/// Checks a note: at most [`MAX_NOTE_LEN`] characters, no control characters but line breaks
/// and tabs.
pub fn parse_note(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let ok = raw.chars().count() <= MAX_NOTE_LEN
        && raw
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    match ok {
        true => Ok(raw.to_owned()),
        false => Err(UserError::new(
            ErrorCode::InvalidNote,
            field,
            format!("a note is at most {MAX_NOTE_LEN} characters without control characters"),
        )),
    }
}

/// Replaces the cart's attributes and, when `note` is given, its note (an empty note clears
/// it). Creates the cart when the caller has none, like `addToCart`.
pub async fn update_cart_attributes(
    writer: &Writer<'_>,
    attributes: &Attributes,
    note: Option<&str>,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let mut update = carts::Entity::update_many()
            .col_expr(carts::Column::Attributes, Expr::value(attributes.to_json()));
        if let Some(note) = note {
            let note = (!note.is_empty()).then(|| note.to_owned());
            update = update.col_expr(carts::Column::Note, Expr::value(note));
        }
        update
            .filter(carts::Column::Id.eq(locked.cart.id.as_str()))
            .exec(txn)
            .await?;
        let event = NewEvent::cart(EventKind::AttributesUpdated, None);
        lock::commit_change(txn, writer, &locked, vec![event]).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}
