//! The cart mutations. Each runs as one write transaction (retried whole on contention) that
//! locks the caller's cart first; a refusal rolls everything back.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query},
};

use crate::{
    auth::Viewer,
    domain::{Attributes, CartItemId, Currency, Quantity, ids::new_id},
    entity::{cart_items, carts, products},
    error::AppResult,
    service::{
        ErrorCode, Outcome, UserError, Warning,
        catalog::{self, ProductRef},
        pricing,
    },
};

use super::{
    history::{EventKind, NewEvent},
    lock::{self, Closed, Locked},
    rules,
    txn::{Body, Flow, Writer},
    view::{self, Line},
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

/// `addToCart`: increments the matching line or adds a new one, creating the cart if needed.
pub async fn add_to_cart(
    writer: &Writer<'_>,
    line: &AddLine,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let added = add_line(txn, writer, &locked.cart, line, &["input"]).await?;
        lock::commit_change(txn, writer, &locked, vec![added.event]).await?;
        Ok((
            (
                change_of(&locked),
                ItemChange::Written {
                    line: Box::new(added.line),
                    currency: Currency::parse(&locked.cart.currency)
                        .unwrap_or(writer.settings.currency),
                },
            ),
            added.warning.into_iter().collect(),
        ))
    })
}

/// What adding a line did.
struct Added {
    /// The line as this transaction left it.
    line: Line,
    warning: Option<Warning>,
    event: NewEvent,
}

/// Adds `line` to `cart` under the cart lock.
async fn add_line(
    txn: &DatabaseTransaction,
    writer: &Writer<'_>,
    cart: &carts::Model,
    line: &AddLine,
    prefix: &[&str],
) -> Result<Added, Flow> {
    let settings = writer.settings;
    let field = |last: &'static str| [prefix, &[last]].concat();
    let key = line.attributes.identity_key();
    let Target {
        product,
        existing,
        live_lines,
    } = target_of(txn, &cart.id, &line.product, &key)
        .await?
        .ok_or_else(|| {
            UserError::new(
                ErrorCode::ProductNotFound,
                &field("product"),
                "no product has this id or SKU",
            )
        })?;
    rules::check_can_add(&product, &line.attributes, cart, prefix)?;
    if existing.is_none() && live_lines >= i64::from(settings.limits.max_lines) {
        return Err(UserError::new(
            ErrorCode::CartLimitExceeded,
            &field("product"),
            format!("a cart holds at most {} lines", settings.limits.max_lines),
        )
        .into());
    }
    let held = existing.as_ref().map_or(0, |l| l.quantity);
    let desired = u64::from(held.unsigned_abs()) + u64::from(line.quantity.get());
    let (quantity, warning) =
        rules::settle_quantity(desired, &product, &settings.limits, &field("quantity"))?;

    let price = pricing::effective_price(&product);
    let item = match existing {
        // The line already holds more than the stock allows now: bring it down to the stock.
        Some(mut existing) if quantity <= existing.quantity => {
            set_quantity(txn, &existing.id, quantity, price).await?;
            existing.quantity = quantity;
            existing.added_unit_price_minor = Some(price);
            existing
        }
        _ => {
            upsert_line(
                txn,
                &cart.id,
                &product.id,
                line,
                &key,
                quantity - held,
                price,
            )
            .await?
        }
    };
    Ok(Added {
        event: NewEvent::line(EventKind::Added, &item.id, &product.id, quantity),
        warning: warning.map(|w| Warning {
            target: Some(item.id.clone()),
            ..w
        }),
        line: Line {
            attributes: line.attributes.clone(),
            item,
            product: Some(product),
            shop: None,
        },
    })
}

/// What an add works on, read in one statement under the cart lock: the product, the cart's
/// live line with the same product and attributes (if any), and how many live lines the cart
/// holds.
struct Target {
    product: products::Model,
    existing: Option<cart_items::Model>,
    live_lines: i64,
}

/// The columns of the joined line are prefixed so that they do not shadow the product's.
const LINE: &str = "l_";
const LIVE_LINES: &str = "live_lines";

async fn target_of(
    txn: &impl ConnectionTrait,
    cart_id: &str,
    reference: &ProductRef,
    key: &str,
) -> Result<Option<Target>, DbErr> {
    let product = products::Entity::find();
    let mut query = match reference {
        ProductRef::Id(id) => product.filter(products::Column::Id.eq(id.as_str())),
        ProductRef::Sku(sku) => product.filter(products::Column::Sku.eq(sku.as_str())),
    }
    .into_query();
    view::select_prefixed::<cart_items::Entity>(&mut query, LINE);
    let live_lines = Query::select()
        .expr(Expr::col((cart_items::Entity, cart_items::Column::Id)).count())
        .from(cart_items::Entity)
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::CartId)).eq(cart_id))
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true))
        .to_owned();
    query
        .expr_as(
            Expr::SubQuery(None, Box::new(live_lines.into())),
            Alias::new(LIVE_LINES),
        )
        .join(
            JoinType::LeftJoin,
            cart_items::Entity,
            Condition::all()
                .add(
                    Expr::col((cart_items::Entity, cart_items::Column::ProductId))
                        .equals((products::Entity, products::Column::Id)),
                )
                .add(Expr::col((cart_items::Entity, cart_items::Column::CartId)).eq(cart_id))
                .add(Expr::col((cart_items::Entity, cart_items::Column::AttributesKey)).eq(key))
                .add(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true)),
        );
    let statement = txn.get_database_backend().build(&query);
    let Some(row) = txn.query_one_raw(statement).await? else {
        return Ok(None);
    };
    Ok(Some(Target {
        product: products::Model::from_query_result(&row, "")?,
        existing: cart_items::Model::from_query_result_optional(&row, LINE)?,
        live_lines: row.try_get("", LIVE_LINES)?,
    }))
}

/// Inserts the line, or increments the live line with the same identity by `add`: atomic on
/// every backend, so a concurrent add can never be lost or duplicated. The line takes the
/// price the customer saw when adding. Returns the line as it now stands, through `RETURNING`
/// where the backend has it (PostgreSQL, SQLite) and by reading it back otherwise.
async fn upsert_line(
    txn: &DatabaseTransaction,
    cart_id: &str,
    product_id: &str,
    line: &AddLine,
    key: &str,
    add: i32,
    price: i64,
) -> Result<cart_items::Model, Flow> {
    let now = Utc::now();
    let insert = cart_items::Entity::insert(cart_items::ActiveModel {
        id: Set(new_id()),
        cart_id: Set(cart_id.to_owned()),
        product_id: Set(product_id.to_owned()),
        quantity: Set(add),
        attributes: Set(line.attributes.to_json()),
        attributes_key: Set(key.to_owned()),
        live: Set(Some(true)),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        added_unit_price_minor: Set(Some(price)),
    })
    .on_conflict(
        OnConflict::columns([
            cart_items::Column::CartId,
            cart_items::Column::ProductId,
            cart_items::Column::AttributesKey,
            cart_items::Column::Live,
        ])
        .value(
            cart_items::Column::Quantity,
            Expr::col((cart_items::Entity, cart_items::Column::Quantity)).add(add),
        )
        .value(cart_items::Column::UpdatedAt, Expr::value(now))
        .value(cart_items::Column::AddedUnitPriceMinor, Expr::value(price))
        .to_owned(),
    );
    if txn.support_returning() {
        return Ok(insert.exec_with_returning(txn).await?);
    }
    insert.exec_without_returning(txn).await?;
    live_line(txn, cart_id, product_id, key)
        .await?
        .ok_or_else(|| {
            Flow::Db(DbErr::RecordNotFound(
                "the upserted line is not readable".into(),
            ))
        })
}

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
        let (locked, item, product) =
            locked_line(txn, writer, &update.item_id, &["input", "itemId"]).await?;
        if update.quantity.is_zero() {
            return remove_locked_line(txn, writer, locked, item, product).await;
        }
        let product = product.ok_or_else(|| {
            UserError::new(
                ErrorCode::ProductUnavailable,
                &["input", "itemId"],
                "this line's product is no longer sold",
            )
        })?;
        rules::check_available(&product, &["input", "itemId"])?;
        let attributes = update
            .attributes
            .clone()
            .unwrap_or_else(|| Attributes::from_json(&item.attributes));
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
        let (locked, item, product) = locked_line(txn, writer, item_id, &["itemId"]).await?;
        remove_locked_line(txn, writer, locked, item, product).await
    })
}

/// Removes a line of the locked cart; the payload shows it as it was.
async fn remove_locked_line(
    txn: &DatabaseTransaction,
    writer: &Writer<'_>,
    locked: Locked,
    item: cart_items::Model,
    product: Option<products::Model>,
) -> Body<(Change, ItemChange)> {
    soft_delete_line(txn, &item.id).await?;
    let event = NewEvent::line(EventKind::Removed, &item.id, &item.product_id, 0);
    lock::commit_change(txn, writer, &locked, vec![event]).await?;
    let removed = Line {
        attributes: Attributes::from_json(&item.attributes),
        item,
        product,
        shop: None,
    };
    Ok((
        (change_of(&locked), ItemChange::Removed(Box::new(removed))),
        Vec::new(),
    ))
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

/// Locks the caller's cart and finds one of its live lines with its product. A line of
/// another cart is reported exactly like a line that does not exist, at `field` (the
/// argument that named it).
async fn locked_line(
    txn: &DatabaseTransaction,
    writer: &Writer<'_>,
    item_id: &CartItemId,
    field: &[&str],
) -> Result<(Locked, cart_items::Model, Option<products::Model>), Flow> {
    let not_found = || UserError::new(ErrorCode::ItemNotFound, field, "no such line in your cart");
    let locked = lock::lock_existing(txn, writer)
        .await?
        .ok_or_else(not_found)?;
    let (item, product) = cart_items::Entity::find()
        .filter(cart_items::Column::Id.eq(item_id.as_str()))
        .filter(cart_items::Column::CartId.eq(locked.cart.id.as_str()))
        .filter(cart_items::Column::Live.eq(true))
        .find_also_related(products::Entity)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    Ok((locked, item, product))
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

async fn live_line(
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

pub(super) fn change_of(locked: &Locked) -> Change {
    Change {
        cart_id: Some(locked.cart.id.clone()),
        token: locked.token.clone(),
    }
}
