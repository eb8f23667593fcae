//! `addToCart` in one statement on PostgreSQL, for the common case: the caller's open cart
//! exists and the line fits without a rule or a cut. One statement (data-modifying CTEs) locks
//! the cart, checks, upserts the line, bumps the version and appends the history, so the add
//! costs one round trip instead of a transaction of six (with a sink configured, the same
//! statement also queues the event in the outbox).
//!
//! It decides only what it can decide exactly as the general path would: anything else — no
//! cart yet, an expired or frozen cart, an inactive or foreign-currency product, a quantity
//! rule, required attributes, a line that would need cutting or refusing, a version conflict,
//! an `Idempotency-Key` — leaves the statement without effect, and the caller
//! runs the general transaction, which answers with the refusal or warning.
//!
//! Freshness: the statement reads under one snapshot, taken before it waits for the cart's
//! lock. A change that committed to the cart meanwhile bumped its version, so the locked row
//! (re-read after the wait) and the snapshot's disagree on the version, and the statement
//! decides nothing; when they agree, everything it read about the cart is current.

use std::fmt::Write as _;

use chrono::Utc;
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    RuntimeErr, Statement, Value,
};

use crate::{
    auth::Viewer,
    db::{TxError, retrying},
    domain::{Currency, ids::new_id},
    entity::{cart_items, products, shops},
    error::{AppError, AppResult},
    service::{Outcome, catalog::ProductRef},
};

use super::{
    change::{AddLine, Change, ItemChange},
    lock::after,
    outbox::Outbox,
    txn::Writer,
    view::Line,
};

const LINE: &str = "l_";
const PRODUCT: &str = "p_";
const SHOP: &str = "s_";
const CART_CURRENCY: &str = "cart_currency";

/// The add done in one statement, or `None` when the general path must decide.
pub(super) async fn try_add(
    writer: &Writer<'_>,
    line: &AddLine,
) -> AppResult<Option<Outcome<(Change, ItemChange)>>> {
    let db = writer.db;
    let settings = writer.settings;
    if db.get_database_backend() != DbBackend::Postgres
        || !settings.one_statement_add
        || writer.claim.is_some()
    {
        return Ok(None);
    }
    let (owner_column, owner, ttl, token) = match writer.viewer {
        Viewer::User(user) => ("user_id", user.id.clone(), settings.user_cart_ttl, None),
        Viewer::Guest(token) => (
            "token_hash",
            token.hash(),
            settings.guest_cart_ttl,
            Some(token.expose().to_owned()),
        ),
        Viewer::Anonymous => return Ok(None),
    };
    let (product_column, product) = match &line.product {
        ProductRef::Id(id) => ("id", id.as_str().to_owned()),
        ProductRef::Sku(sku) => ("sku", sku.as_str().to_owned()),
    };
    let now = Utc::now();
    let mut values: Vec<Value> = vec![
        owner.into(),                          // $1
        product.into(),                        // $2
        line.attributes.identity_key().into(), // $3
        i32::try_from(line.quantity.get())
            .unwrap_or(i32::MAX)
            .into(), // $4
        now.into(),                            // $5
        i32::try_from(settings.limits.max_line_quantity)
            .unwrap_or(i32::MAX)
            .into(), // $6
        i64::from(settings.limits.max_lines).into(), // $7
        writer.expected_version.into(),        // $8
        new_id().into(),                       // $9
        line.attributes.to_json().into(),      // $10
        after(now, ttl).into(),                // $11
        new_id().into(),                       // $12
        writer.actor().into(),                 // $13
    ];
    let outbox = settings.outbox == Outbox::On;
    if outbox {
        // The instant as the outbox's payload writes it elsewhere (serde's RFC 3339).
        let occurred = serde_json::to_value(now)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        values.push(occurred.into()); // $14
    }
    let sql = statement(owner_column, product_column, outbox);
    let row = retrying(|| async {
        let statement = Statement::from_sql_and_values(DbBackend::Postgres, &sql, values.clone());
        match db.query_one_raw(statement).await {
            Ok(row) => Ok(row),
            // The statement is its own transaction: a connection lost while it ran may have
            // lost only the answer, as a COMMIT's can, so the outcome is unknown, never "no".
            Err(err) if maybe_committed(&err) => {
                tracing::warn!(error = %err, "the connection broke during a one-statement add");
                Err(TxError::App(AppError::OutcomeUnknown))
            }
            Err(err) => Err(TxError::Db(err)),
        }
    })
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let item = cart_items::Model::from_query_result(&row, LINE)?;
    let product = products::Model::from_query_result(&row, PRODUCT)?;
    let shop = shops::Model::from_query_result_optional(&row, SHOP)?;
    let cart_currency: String = row.try_get("", CART_CURRENCY)?;
    let change = Change {
        cart_id: Some(item.cart_id.clone()),
        token,
    };
    let value = (
        change,
        ItemChange::Set {
            line: Box::new(Line::new(item, Some(product), shop)),
            currency: Currency::parse(&cart_currency).unwrap_or(settings.currency),
        },
    );
    Ok(Some(Outcome::Done {
        value,
        warnings: Vec::new(),
    }))
}

/// A broken connection once a statement may have been sent (not a pool that had none to give).
fn maybe_committed(err: &DbErr) -> bool {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            e.as_ref(),
            sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::Protocol(_)
                | sea_orm::sqlx::Error::Tls(_)
                | sea_orm::sqlx::Error::WorkerCrashed
        ),
        _ => false,
    }
}

/// The statement, for the caller's cart found by `owner_column` and the product by
/// `product_column` (both fixed names, never input); with `outbox`, it also queues the event
/// with the payload `outbox.rs` describes.
fn statement(owner_column: &str, product_column: &str, outbox: bool) -> String {
    let queued = match outbox {
        true => QUEUED,
        false => "",
    };
    let mut returned = String::new();
    columns::<cart_items::Entity>(&mut returned, "upserted", LINE);
    returned.push_str(", ");
    columns::<products::Entity>(&mut returned, "product", PRODUCT);
    returned.push_str(", ");
    columns::<shops::Entity>(&mut returned, "s", SHOP);
    let _ = write!(
        returned,
        ", (SELECT currency FROM locked) AS {CART_CURRENCY}"
    );
    format!(
        r#"WITH
snap AS (SELECT id, version FROM carts WHERE {owner_column} = $1 AND live = true),
locked AS (
  SELECT id, version, currency, status, expires_at, user_id FROM carts
  WHERE {owner_column} = $1 AND live = true FOR UPDATE
),
product AS (SELECT * FROM products WHERE {product_column} = $2),
line AS (
  SELECT ci.id, ci.quantity FROM cart_items ci JOIN locked ON ci.cart_id = locked.id
  WHERE ci.product_id = (SELECT id FROM product) AND ci.attributes_key = $3 AND ci.live = true
),
decided AS (
  SELECT locked.id AS cart_id, product.id AS product_id,
    CASE WHEN product.discount_price_minor < product.price_minor
      THEN product.discount_price_minor ELSE product.price_minor END AS price
  FROM locked
  JOIN snap ON snap.id = locked.id AND snap.version = locked.version
  JOIN product ON product.active
    AND lower(product.currency) = lower(locked.currency)
    AND product.required_attributes IN ('', '[]')
    AND product.quantity_minimum IS NULL
    AND product.quantity_maximum IS NULL
    AND product.quantity_increment IS NULL
  WHERE locked.status = 'OPEN'
    AND (locked.expires_at IS NULL OR locked.expires_at > $5)
    AND ($8::bigint IS NULL OR locked.version = $8::bigint)
    AND COALESCE((SELECT quantity FROM line), 0) + $4
      <= LEAST($6, product.stock - product.held)
    AND (EXISTS (SELECT 1 FROM line)
      OR (SELECT count(*) FROM cart_items ci WHERE ci.cart_id = locked.id AND ci.live = true) < $7)
),
upserted AS (
  INSERT INTO cart_items (id, cart_id, product_id, quantity, attributes, attributes_key, live,
    created_at, updated_at, deleted_at, added_unit_price_minor)
  SELECT $9, cart_id, product_id, $4, $10, $3, true, $5, $5, NULL, price FROM decided
  ON CONFLICT (cart_id, product_id, attributes_key, live) DO UPDATE
    SET quantity = cart_items.quantity + EXCLUDED.quantity,
      updated_at = EXCLUDED.updated_at,
      added_unit_price_minor = EXCLUDED.added_unit_price_minor
  RETURNING *
),
bumped AS (
  UPDATE carts SET version = version + 1, updated_at = $5, expires_at = $11
  WHERE id = (SELECT cart_id FROM upserted)
  RETURNING version
),
recorded AS (
  INSERT INTO cart_events (id, cart_id, version, kind, actor, item_id, product_id, quantity,
    detail, created_at)
  SELECT $12, upserted.cart_id, bumped.version, 'ADDED', $13, upserted.id, upserted.product_id,
    upserted.quantity, NULL, $5
  FROM upserted, bumped
){queued}
SELECT {returned}
FROM upserted JOIN product ON true LEFT JOIN shops s ON s.id = product.shop_id"#
    )
}

/// The outbox row of the add, when a sink is configured.
const QUEUED: &str = r#",
queued AS (
  INSERT INTO outbox_events (event_id, cart_id, version, kind, payload, created_at)
  SELECT $12, upserted.cart_id, bumped.version, 'ADDED',
    json_build_object('id', $12::text, 'kind', 'ADDED', 'cartId', upserted.cart_id,
      'version', bumped.version, 'actor', $13::text, 'userId', (SELECT user_id FROM locked),
      'itemId', upserted.id, 'productId', upserted.product_id, 'quantity', upserted.quantity,
      'detail', NULL, 'occurredAt', $14::text)::text,
    $5
  FROM upserted, bumped
)"#;

/// `alias.column AS prefix_column, …` for every column of `E`, in the entity's order.
fn columns<E: EntityTrait>(out: &mut String, alias: &str, prefix: &str) {
    for (n, column) in E::Column::iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        let name = IdenStatic::as_str(&column);
        let _ = write!(out, "{alias}.{name} AS {prefix}{name}");
    }
}
