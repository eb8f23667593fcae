//! The cart mutations. Each runs as one write transaction (retried whole on contention) that
//! locks the caller's cart first; a refusal rolls everything back.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{
    auth::Viewer,
    db::{TxError, begin_write, retrying},
    domain::{Attributes, CartItemId, Quantity, ids::new_id},
    entity::{cart_items, carts, products},
    error::{AppError, AppResult},
    service::{
        CartSettings, ErrorCode, Outcome, UserError, Warning,
        catalog::{self, ProductRef},
        idempotency::{self, Claim},
    },
};

use super::{
    lock::{self, Locked},
    rules,
    view::Line,
};

/// How a transaction body ends early: a refusal (roll back, report), a copy of a request
/// whose idempotency key is already claimed (roll back, replay), or a database error.
pub(super) enum Flow {
    Reject(UserError),
    Duplicate,
    Db(DbErr),
}

impl From<DbErr> for Flow {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

impl From<UserError> for Flow {
    fn from(err: UserError) -> Self {
        Self::Reject(err)
    }
}

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
    /// The line was removed; the payload shows it as it was.
    Removed(Box<Line>),
}

/// What a transaction body produces: the value and the warnings, or why it stopped.
type Body<T> = Result<(T, Vec<Warning>), Flow>;

/// Commits a successful body and rolls back a refused one.
async fn settle<T>(txn: DatabaseTransaction, result: Body<T>) -> Result<Outcome<T>, TxError> {
    match result {
        Ok((value, warnings)) => {
            txn.commit().await?;
            Ok(Outcome::Done { value, warnings })
        }
        Err(Flow::Reject(error)) => {
            txn.rollback().await?;
            Ok(Outcome::rejected(error))
        }
        Err(Flow::Duplicate) => {
            txn.rollback().await?;
            Err(TxError::App(AppError::InProgress))
        }
        Err(Flow::Db(err)) => Err(TxError::Db(err)),
    }
}

/// Runs `$body` (a block using `$txn: &DatabaseTransaction` and returning a [`Body`]) in a
/// write transaction, retried whole on contention. With an idempotency claim, the key is
/// claimed first, in the same transaction, so the effect and the key commit together.
///
/// A macro rather than a function taking a closure: the body borrows both the transaction
/// and the caller's arguments, which a closure-taking function cannot express while keeping
/// the future `Send`.
macro_rules! in_write_transaction {
    ($db:expr, $claim:expr, |$txn:ident| $body:block) => {
        retrying(|| async {
            let transaction = begin_write($db).await?;
            let result: Body<_> = async {
                let $txn = &transaction;
                if let Some(claim) = $claim
                    && !idempotency::claim_in($txn, claim).await?
                {
                    return Err(Flow::Duplicate);
                }
                $body
            }
            .await;
            settle(transaction, result).await
        })
        .await
    };
}

/// `createCart`: a guest always gets a new cart and token; a user gets their one cart.
pub async fn create_cart(
    db: &DatabaseConnection,
    viewer: &Viewer,
    items: &[AddLine],
    settings: &CartSettings,
    claim: Option<&Claim>,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(db, claim, |txn| {
        let locked = match viewer {
            Viewer::User(_) => lock::lock_or_create(txn, viewer, settings).await?,
            Viewer::Guest(_) | Viewer::Anonymous => lock::create_guest_cart(txn, settings).await?,
        };
        let mut warnings = Vec::new();
        for (i, line) in items.iter().enumerate() {
            let index = i.to_string();
            let (_, warning) =
                add_line(txn, &locked.cart, line, settings, &["items", &index]).await?;
            warnings.extend(warning);
        }
        if !items.is_empty() {
            lock::touch(txn, &locked.cart, settings).await?;
        }
        Ok((change_of(&locked), warnings))
    })
}

/// `addToCart`: increments the matching line or adds a new one, creating the cart if needed.
pub async fn add_to_cart(
    db: &DatabaseConnection,
    viewer: &Viewer,
    line: &AddLine,
    settings: &CartSettings,
    claim: Option<&Claim>,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(db, claim, |txn| {
        let locked = lock::lock_or_create(txn, viewer, settings).await?;
        let (item_id, warning) = add_line(txn, &locked.cart, line, settings, &["input"]).await?;
        lock::touch(txn, &locked.cart, settings).await?;
        Ok((
            (change_of(&locked), ItemChange::Live(item_id)),
            warning.into_iter().collect(),
        ))
    })
}

/// Adds `line` to `cart` under the cart lock and returns the line's id.
async fn add_line(
    txn: &DatabaseTransaction,
    cart: &carts::Model,
    line: &AddLine,
    settings: &CartSettings,
    prefix: &[&str],
) -> Result<(String, Option<Warning>), Flow> {
    let field = |last: &'static str| [prefix, &[last]].concat();
    let product = product_for(txn, &line.product, &field("product")).await?;
    rules::check_available(&product, &field("product"))?;
    rules::check_required_attributes(&product, &line.attributes, &field("attributes"))?;
    if !product.currency.eq_ignore_ascii_case(&cart.currency) {
        return Err(UserError::new(
            ErrorCode::CurrencyMismatch,
            &field("product"),
            format!(
                "{} is priced in {}, the cart in {}",
                product.sku, product.currency, cart.currency
            ),
        )
        .into());
    }

    let key = line.attributes.identity_key();
    let existing = live_line(txn, &cart.id, &product.id, &key).await?;
    if existing.is_none() {
        let lines = cart_items::Entity::find()
            .filter(cart_items::Column::CartId.eq(cart.id.as_str()))
            .filter(cart_items::Column::Live.eq(true))
            .count(txn)
            .await?;
        if lines >= u64::from(settings.limits.max_lines) {
            return Err(UserError::new(
                ErrorCode::CartLimitExceeded,
                &field("product"),
                format!("a cart holds at most {} lines", settings.limits.max_lines),
            )
            .into());
        }
    }
    let held = existing.as_ref().map_or(0, |l| l.quantity);
    let desired = u64::from(held.unsigned_abs()) + u64::from(line.quantity.get());
    let (quantity, warning) =
        rules::settle_quantity(desired, &product, &settings.limits, &field("quantity"))?;

    let now = Utc::now();
    let id = match existing {
        // The line already holds more than the stock allows now: bring it down to the stock.
        Some(existing) if quantity <= existing.quantity => {
            if quantity < existing.quantity {
                set_quantity(txn, &existing.id, quantity).await?;
            }
            existing.id
        }
        _ => {
            // Insert, or increment the live line with the same identity: atomic on every
            // backend, so a concurrent add can never be lost or duplicated.
            cart_items::Entity::insert(cart_items::ActiveModel {
                id: Set(new_id()),
                cart_id: Set(cart.id.clone()),
                product_id: Set(product.id.clone()),
                quantity: Set(quantity - held),
                attributes: Set(line.attributes.to_json()),
                attributes_key: Set(key.clone()),
                live: Set(Some(true)),
                created_at: Set(now),
                updated_at: Set(now),
                deleted_at: Set(None),
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
                    Expr::col((cart_items::Entity, cart_items::Column::Quantity))
                        .add(quantity - held),
                )
                .value(cart_items::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
            live_line(txn, &cart.id, &product.id, &key)
                .await?
                .ok_or_else(|| {
                    Flow::Db(DbErr::RecordNotFound(
                        "the upserted line is not readable".into(),
                    ))
                })?
                .id
        }
    };
    Ok((
        id.clone(),
        warning.map(|w| Warning {
            target: Some(id),
            ..w
        }),
    ))
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
    db: &DatabaseConnection,
    viewer: &Viewer,
    update: &UpdateLine,
    settings: &CartSettings,
    claim: Option<&Claim>,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(db, claim, |txn| {
        let (locked, item, product) = locked_line(txn, viewer, &update.item_id).await?;
        if update.quantity.is_zero() {
            soft_delete_line(txn, &item.id).await?;
            lock::touch(txn, &locked.cart, settings).await?;
            let removed = Line {
                attributes: Attributes::from_json(&item.attributes),
                item,
                product,
            };
            return Ok((
                (change_of(&locked), ItemChange::Removed(Box::new(removed))),
                Vec::new(),
            ));
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
        let (quantity, warning) =
            rules::settle_quantity(desired, &product, &settings.limits, &["input", "quantity"])?;

        let kept_id = match twin {
            // The edited line becomes identical to `twin`: fold it into `twin`.
            Some(twin) => {
                soft_delete_line(txn, &item.id).await?;
                set_quantity(txn, &twin.id, quantity).await?;
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
                    .col_expr(cart_items::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(cart_items::Column::Id.eq(item.id.as_str()))
                    .exec(txn)
                    .await?;
                item.id
            }
        };
        lock::touch(txn, &locked.cart, settings).await?;
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
    db: &DatabaseConnection,
    viewer: &Viewer,
    item_id: &CartItemId,
    settings: &CartSettings,
    claim: Option<&Claim>,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    in_write_transaction!(db, claim, |txn| {
        let (locked, item, product) = locked_line(txn, viewer, item_id).await?;
        soft_delete_line(txn, &item.id).await?;
        lock::touch(txn, &locked.cart, settings).await?;
        let removed = Line {
            attributes: Attributes::from_json(&item.attributes),
            item,
            product,
        };
        Ok((
            (change_of(&locked), ItemChange::Removed(Box::new(removed))),
            Vec::new(),
        ))
    })
}

/// `clearCart`: soft-deletes every line and closes the cart; a guest's token stops working.
pub async fn clear_cart(
    db: &DatabaseConnection,
    viewer: &Viewer,
    claim: Option<&Claim>,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(db, claim, |txn| {
        let Some(locked) = lock::lock_existing(txn, viewer).await? else {
            return Ok((
                Change {
                    cart_id: None,
                    token: None,
                },
                Vec::new(),
            ));
        };
        let now = Utc::now();
        cart_items::Entity::update_many()
            .col_expr(cart_items::Column::Live, Expr::value(Option::<bool>::None))
            .col_expr(cart_items::Column::DeletedAt, Expr::value(now))
            .col_expr(cart_items::Column::UpdatedAt, Expr::value(now))
            .filter(cart_items::Column::CartId.eq(locked.cart.id.as_str()))
            .filter(cart_items::Column::Live.eq(true))
            .exec(txn)
            .await?;
        lock::close(txn, &locked.cart).await?;
        Ok((
            Change {
                cart_id: None,
                token: None,
            },
            Vec::new(),
        ))
    })
}

/// Locks the viewer's cart and finds one of its live lines with its product. A line of
/// another cart is reported exactly like a line that does not exist.
async fn locked_line(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    item_id: &CartItemId,
) -> Result<(Locked, cart_items::Model, Option<products::Model>), Flow> {
    let not_found = || {
        UserError::new(
            ErrorCode::ItemNotFound,
            &["input", "itemId"],
            "no such line in your cart",
        )
    };
    let locked = lock::lock_existing(txn, viewer)
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

async fn product_for(
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

async fn set_quantity(
    txn: &impl ConnectionTrait,
    item_id: &str,
    quantity: i32,
) -> Result<(), DbErr> {
    cart_items::Entity::update_many()
        .col_expr(cart_items::Column::Quantity, Expr::value(quantity))
        .col_expr(cart_items::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cart_items::Column::Id.eq(item_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn soft_delete_line(txn: &impl ConnectionTrait, item_id: &str) -> Result<(), DbErr> {
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

fn change_of(locked: &Locked) -> Change {
    Change {
        cart_id: Some(locked.cart.id.clone()),
        token: locked.token.clone(),
    }
}
