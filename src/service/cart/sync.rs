//! `syncCart`: the cart becomes exactly the client's list of lines, atomically. For
//! offline-first clients that keep a local cart and push it when they are back online.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    domain::{Attributes, ids::new_id},
    entity::{cart_items, products},
    error::AppResult,
    service::{ErrorCode, Outcome, UserError, Warning, pricing},
};

use super::{
    change::{AddLine, Change, change_of},
    history::{EventKind, NewEvent},
    lines::{product_for, set_quantity, soft_delete_line},
    lock, rules,
    txn::Writer,
};

/// One line the cart must end with: the first input that named it, and the summed quantity
/// of every input with the same product and attributes.
struct Wanted<'a> {
    index: usize,
    product: products::Model,
    attributes: &'a Attributes,
    key: String,
    quantity: u64,
}

/// Replaces the caller's lines with `items` (creating the cart if needed). Items naming the
/// same product with the same attributes are summed into one line; stock cuts are reported
/// as NOT_ENOUGH_STOCK warnings; any refusal leaves the cart as it was.
pub async fn sync_cart(writer: &Writer<'_>, items: &[AddLine]) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let limits = &writer.settings.limits;

        let mut wanted: Vec<Wanted<'_>> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let position = index.to_string();
            let prefix = ["items", position.as_str()];
            let product =
                product_for(txn, &item.product, &[&prefix[..], &["product"]].concat()).await?;
            rules::check_can_add(&product, &item.attributes, &locked.cart, &prefix)?;
            let key = item.attributes.identity_key();
            let quantity = u64::from(item.quantity.get());
            match wanted
                .iter_mut()
                .find(|w| w.product.id == product.id && w.key == key)
            {
                Some(same) => same.quantity += quantity,
                None => wanted.push(Wanted {
                    index,
                    product,
                    attributes: &item.attributes,
                    key,
                    quantity,
                }),
            }
        }
        if wanted.len() > limits.max_lines as usize {
            return Err(UserError::new(
                ErrorCode::CartLimitExceeded,
                &["items"],
                format!("a cart holds at most {} lines", limits.max_lines),
            )
            .into());
        }

        let mut current: HashMap<(String, String), cart_items::Model> = cart_items::Entity::find()
            .filter(cart_items::Column::CartId.eq(locked.cart.id.as_str()))
            .filter(cart_items::Column::Live.eq(true))
            .all(txn)
            .await?
            .into_iter()
            .map(|line| ((line.product_id.clone(), line.attributes_key.clone()), line))
            .collect();

        let now = Utc::now();
        let mut warnings = Vec::new();
        let mut events = Vec::new();
        for want in wanted {
            let position = want.index.to_string();
            let (quantity, line_warnings) = rules::fit_quantity(
                want.quantity,
                &want.product,
                limits,
                &["items", &position, "quantity"],
            )?;
            let price = pricing::effective_price(&want.product);
            let id = match current.remove(&(want.product.id.clone(), want.key.clone())) {
                Some(line) if line.quantity == quantity => line.id,
                Some(line) => {
                    set_quantity(txn, &line.id, quantity, price).await?;
                    events.push(NewEvent::line(
                        EventKind::Updated,
                        &line.id,
                        &want.product.id,
                        quantity,
                    ));
                    line.id
                }
                None => {
                    let id = new_id();
                    // The cart is locked and no live line has this identity: a plain insert.
                    cart_items::Entity::insert(cart_items::ActiveModel {
                        id: Set(id.clone()),
                        cart_id: Set(locked.cart.id.clone()),
                        product_id: Set(want.product.id.clone()),
                        quantity: Set(quantity),
                        attributes: Set(want.attributes.to_json()),
                        attributes_key: Set(want.key.clone()),
                        live: Set(Some(true)),
                        created_at: Set(now),
                        updated_at: Set(now),
                        deleted_at: Set(None),
                        added_unit_price_minor: Set(Some(price)),
                    })
                    .exec_without_returning(txn)
                    .await?;
                    events.push(NewEvent::line(
                        EventKind::Added,
                        &id,
                        &want.product.id,
                        quantity,
                    ));
                    id
                }
            };
            warnings.extend(line_warnings.into_iter().map(|w| Warning {
                target: Some(id.clone()),
                ..w
            }));
        }
        // What the client no longer holds goes.
        for line in current.into_values() {
            soft_delete_line(txn, &line.id).await?;
            events.push(NewEvent::line(
                EventKind::Removed,
                &line.id,
                &line.product_id,
                0,
            ));
        }
        events.push(NewEvent::cart(
            EventKind::Synced,
            Some(format!("{} lines", items.len())),
        ));
        lock::commit_change(txn, writer, &locked, events).await?;
        Ok((change_of(&locked), warnings))
    })
}
