//! Changing one existing line: `updateCartItem` and `removeCartItem`, and the helpers every
//! line write shares (finding a locked line, setting a quantity, soft-deleting).

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};

use crate::{
    domain::{Attributes, CartItemId, Quantity},
    entity::{cart_items, products},
    error::AppResult,
    service::{
        ErrorCode, Outcome, UserError, Warning,
        catalog::{self, ProductRef},
        pricing,
    },
};

use super::{
    history::{EventKind, NewEvent},
    lock::{self, Locked},
    read, rules,
    txn::{Body, Flow, Writer},
    view::Line,
};

use super::change::{Change, ItemChange, change_of};

/// A parsed `updateCartItem`.
#[derive(Clone, Debug)]
pub struct UpdateLine {
    pub item_id: CartItemId,
    pub quantity: Quantity,
    pub attributes: Option<Attributes>,
}

/// `updateCartItem`: sets an absolute quantity (0 removes the line) and optionally replaces
/// the attributes. When new attributes make the line identical to another, the two merge.
pub async fn update_item(
    writer: &Writer<'_>,
    update: &UpdateLine,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(writer, |txn| {
        let (locked, line) =
            locked_line(txn, writer, &update.item_id, &["input", "itemId"]).await?;
        if update.quantity.is_zero() {
            return remove_locked_line(txn, writer, locked, line).await;
        }
        let Line {
            item,
            attributes: held_attributes,
            product,
            ..
        } = line;
        let product = product.ok_or_else(|| {
            UserError::new(
                ErrorCode::ProductUnavailable,
                &["input", "itemId"],
                "this line's product is no longer sold",
            )
        })?;
        rules::check_available(&product, &["input", "itemId"])?;
        let attributes = update.attributes.clone().unwrap_or(held_attributes);
        rules::check_required_attributes(&product, &attributes, &["input", "attributes"])?;

        let key = attributes.identity_key();
        let twin = match key == item.attributes_key {
            true => None,
            false => live_line(txn, &locked.cart.id, &product.id, &key).await?,
        };
        let desired = u64::from(update.quantity.get())
            + twin
                .as_ref()
                .map_or(0, |t| u64::from(t.quantity.unsigned_abs()));
        let (quantity, warning) = rules::settle_quantity(
            desired,
            &product,
            &writer.settings.limits,
            &["input", "quantity"],
        )?;

        let price = pricing::effective_price(&product);
        let mut events = Vec::new();
        let kept_id = match twin {
            // The edited line becomes identical to `twin`: fold it into `twin`.
            Some(twin) => {
                soft_delete_line(txn, &item.id).await?;
                set_quantity(txn, &twin.id, quantity, price).await?;
                events.push(NewEvent::line(EventKind::Removed, &item.id, &product.id, 0));
                twin.id
            }
            None => {
                cart_items::Entity::update_many()
                    .col_expr(cart_items::Column::Quantity, Expr::value(quantity))
                    .col_expr(
                        cart_items::Column::Attributes,
                        Expr::value(attributes.to_json()),
                    )
                    .col_expr(cart_items::Column::AttributesKey, Expr::value(key))
                    .col_expr(cart_items::Column::AddedUnitPriceMinor, Expr::value(price))
                    .col_expr(cart_items::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(cart_items::Column::Id.eq(item.id.as_str()))
                    .exec(txn)
                    .await?;
                item.id
            }
        };
        events.push(NewEvent::line(
            EventKind::Updated,
            &kept_id,
            &product.id,
            quantity,
        ));
        lock::commit_change(txn, writer, &locked, events).await?;
        let warnings = warning
            .map(|w| Warning {
                target: Some(kept_id.clone()),
                ..w
            })
            .into_iter()
            .collect();
        Ok(((change_of(&locked), ItemChange::Live(kept_id)), warnings))
    })
}

/// `removeCartItem`: soft-deletes the line and reports it as it was.
pub async fn remove_item(
    writer: &Writer<'_>,
    item_id: &CartItemId,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(writer, |txn| {
        let (locked, line) = locked_line(txn, writer, item_id, &["itemId"]).await?;
        remove_locked_line(txn, writer, locked, line).await
    })
}

/// Removes a line of the locked cart; the payload shows it as it was.
async fn remove_locked_line(
    txn: &DatabaseTransaction,
    writer: &Writer<'_>,
    locked: Locked,
    line: Line,
) -> Body<(Change, ItemChange)> {
    soft_delete_line(txn, &line.item.id).await?;
    let event = NewEvent::line(EventKind::Removed, &line.item.id, &line.item.product_id, 0);
    lock::commit_change(txn, writer, &locked, vec![event]).await?;
    Ok((
        (change_of(&locked), ItemChange::Removed(Box::new(line))),
        Vec::new(),
    ))
}

/// Locks the caller's cart and finds one of its live lines with its product and shop. A line
/// of another cart is reported exactly like a line that does not exist, at `field` (the
/// argument that named it).
async fn locked_line(
    txn: &DatabaseTransaction,
    writer: &Writer<'_>,
    item_id: &CartItemId,
    field: &[&str],
) -> Result<(Locked, Line), Flow> {
    let not_found = || UserError::new(ErrorCode::ItemNotFound, field, "no such line in your cart");
    let locked = lock::lock_existing(txn, writer)
        .await?
        .ok_or_else(not_found)?;
    let line = read::live_line_of(txn, &locked.cart.id, item_id.as_str())
        .await?
        .ok_or_else(not_found)?;
    Ok((locked, line))
}

pub(super) async fn product_for(
    txn: &impl ConnectionTrait,
    reference: &ProductRef,
    field: &[&str],
) -> Result<products::Model, Flow> {
    catalog::find_product(txn, reference).await?.ok_or_else(|| {
        UserError::new(
            ErrorCode::ProductNotFound,
            field,
            "no product has this id or SKU",
        )
        .into()
    })
}

pub(super) async fn live_line(
    txn: &impl ConnectionTrait,
    cart_id: &str,
    product_id: &str,
    key: &str,
) -> Result<Option<cart_items::Model>, DbErr> {
    cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart_id))
        .filter(cart_items::Column::ProductId.eq(product_id))
        .filter(cart_items::Column::AttributesKey.eq(key))
        .filter(cart_items::Column::Live.eq(true))
        .one(txn)
        .await
}

/// Sets a line's quantity and re-prices it at `price` (the customer just set it).
pub(super) async fn set_quantity(
    txn: &impl ConnectionTrait,
    item_id: &str,
    quantity: i32,
    price: i64,
) -> Result<(), DbErr> {
    cart_items::Entity::update_many()
        .col_expr(cart_items::Column::Quantity, Expr::value(quantity))
        .col_expr(cart_items::Column::AddedUnitPriceMinor, Expr::value(price))
        .col_expr(cart_items::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cart_items::Column::Id.eq(item_id))
        .exec(txn)
        .await?;
    Ok(())
}

pub(super) async fn soft_delete_line(
    txn: &impl ConnectionTrait,
    item_id: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    cart_items::Entity::update_many()
        .col_expr(cart_items::Column::Live, Expr::value(Option::<bool>::None))
        .col_expr(cart_items::Column::DeletedAt, Expr::value(now))
        .col_expr(cart_items::Column::UpdatedAt, Expr::value(now))
        .filter(cart_items::Column::Id.eq(item_id))
        .exec(txn)
        .await?;
    Ok(())
}
