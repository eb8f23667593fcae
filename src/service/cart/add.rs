//! `addToCart`: the product, the matching line and the line count in one read, the rules,
//! then one atomic upsert of the line.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query},
};

use crate::{
    domain::{Currency, ids::new_id},
    entity::{cart_items, carts, products, shops},
    error::AppResult,
    service::{ErrorCode, Outcome, UserError, Warning, catalog::ProductRef, pricing},
};

use super::{
    fast_add,
    history::{EventKind, NewEvent},
    lock::{self},
    read, rules,
    txn::{Flow, Writer},
    view::Line,
};

use super::change::{AddLine, Change, ItemChange, change_of};
use super::lines::{live_line, set_quantity};

/// `addToCart`: increments the matching line or adds a new one, creating the cart if needed.
pub async fn add_to_cart(
    writer: &Writer<'_>,
    line: &AddLine,
) -> AppResult<Outcome<(Change, ItemChange)>> {
    if let Some(done) = fast_add::try_add(writer, line).await? {
        return Ok(done);
    }
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let added = add_line(txn, writer, &locked.cart, line, &["input"]).await?;
        lock::commit_change(txn, writer, &locked, vec![added.event]).await?;
        Ok((
            (
                change_of(&locked),
                ItemChange::Set {
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
pub(super) struct Added {
    /// The line as this transaction left it.
    pub(super) line: Line,
    pub(super) warning: Option<Warning>,
    pub(super) event: NewEvent,
}

/// Adds `line` to `cart` under the cart lock.
pub(super) async fn add_line(
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
        shop,
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
        line: Line::new(item, Some(product), shop),
    })
}

/// What an add works on, read in one statement under the cart lock: the product with its
/// shop, the cart's live line with the same product and attributes (if any), and how many
/// live lines the cart holds.
struct Target {
    product: products::Model,
    shop: Option<shops::Model>,
    existing: Option<cart_items::Model>,
    live_lines: i64,
}

/// The columns of the joined line and shop are prefixed so that they do not shadow the
/// product's.
const LINE: &str = "l_";
const SHOP: &str = "s_";
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
    read::select_prefixed::<cart_items::Entity>(&mut query, LINE);
    read::select_prefixed::<shops::Entity>(&mut query, SHOP);
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
        )
        .join(
            JoinType::LeftJoin,
            shops::Entity,
            Expr::col((shops::Entity, shops::Column::Id))
                .equals((products::Entity, products::Column::ShopId)),
        );
    let statement = txn.get_database_backend().build(&query);
    let Some(row) = txn.query_one_raw(statement).await? else {
        return Ok(None);
    };
    Ok(Some(Target {
        product: products::Model::from_query_result(&row, "")?,
        shop: shops::Model::from_query_result_optional(&row, SHOP)?,
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
