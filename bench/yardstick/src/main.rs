//! The yardstick: what a hand-written endpoint on the same stack reaches for the benchmark's
//! `q1` (cart view) and `q2` (add to cart), over cartql's own tables. One joined query per
//! view, one atomic upsert per add, a verified HS256 token per request, JSON out. Nothing
//! more: no limits, no GraphQL, no history. It is not part of the product.
//!
//! `yardstick DATABASE_URL BIND JWT_SECRET` (PostgreSQL or SQLite).

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::{PgPool, Row, SqlitePool, postgres::PgPoolOptions, sqlite::SqlitePoolOptions};

enum Pool {
    Pg(PgPool),
    Sqlite(SqlitePool),
}

struct Yardstick {
    pool: Pool,
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddInput {
    product_id: String,
}

/// The lines of the caller's open cart with product and shop, in display order.
const VIEW: &str = "SELECT c.id AS cart_id, i.id, i.quantity, i.attributes, p.id AS product_id, \
     p.sku, p.name, p.price_minor, p.discount_price_minor, p.stock, p.image, s.name AS shop_name \
     FROM carts c JOIN cart_items i ON i.cart_id = c.id AND i.live = TRUE \
     JOIN products p ON p.id = i.product_id LEFT JOIN shops s ON s.id = p.shop_id \
     WHERE c.user_id = $1 AND c.live = TRUE ORDER BY i.created_at, i.id";

/// Insert the line or add one to it, atomically, in the caller's open cart.
const ADD: &str = "INSERT INTO cart_items (id, cart_id, product_id, quantity, attributes, \
     attributes_key, live, created_at, updated_at) \
     SELECT $1, c.id, $2, 1, '{}', \
     '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', TRUE, $3, $3 \
     FROM carts c WHERE c.user_id = $4 AND c.live = TRUE \
     ON CONFLICT (cart_id, product_id, attributes_key, live) \
     DO UPDATE SET quantity = cart_items.quantity + 1, updated_at = excluded.updated_at \
     RETURNING id, product_id, quantity";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, bind, secret] = args.as_slice() else {
        anyhow::bail!("usage: yardstick DATABASE_URL BIND JWT_SECRET");
    };
    let pool = if url.starts_with("postgres") {
        Pool::Pg(
            PgPoolOptions::new()
                .max_connections(10)
                .connect(url)
                .await?,
        )
    } else {
        Pool::Sqlite(
            SqlitePoolOptions::new()
                .max_connections(10)
                .connect(url)
                .await?,
        )
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    let state = Arc::new(Yardstick {
        pool,
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation,
    });
    let app = Router::new()
        .route("/q1", post(view))
        .route("/q2", post(add))
        .route("/readyz", get(|| async { "ok" }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn user(state: &Yardstick, headers: &HeaderMap) -> Result<String, StatusCode> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    decode::<Claims>(token, &state.key, &state.validation)
        .map(|data| data.claims.sub)
        .map_err(|_| StatusCode::UNAUTHORIZED)
}

fn internal(err: sqlx::Error) -> StatusCode {
    eprintln!("yardstick: {err}");
    StatusCode::INTERNAL_SERVER_ERROR
}

/// Shapes one joined row as a cart line; returns the line and its subtotal in minor units.
fn line(row: &impl LineRow) -> (Value, i64) {
    let price = row.minor("price_minor");
    let discount = row.minor_opt("discount_price_minor");
    let effective = discount.map_or(price, |d| d.min(price));
    let quantity = row.int("quantity");
    let subtotal = effective * i64::from(quantity);
    let attributes: Value = serde_json::from_str(&row.text("attributes")).unwrap_or(json!({}));
    let value = json!({
        "id": row.text("id"),
        "quantity": quantity,
        "attributes": attributes,
        "subtotal": money(subtotal),
        "product": {
            "id": row.text("product_id"),
            "sku": row.text("sku"),
            "name": row.text("name"),
            "price": money(price),
            "discountPrice": discount.map(money),
            "stock": row.int("stock"),
            "image": row.text_opt("image"),
            "shop": { "name": row.text_opt("shop_name") },
        }
    });
    (value, subtotal)
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Column access shared by both backends' rows.
trait LineRow {
    fn text(&self, column: &str) -> String;
    fn text_opt(&self, column: &str) -> Option<String>;
    fn minor(&self, column: &str) -> i64;
    fn minor_opt(&self, column: &str) -> Option<i64>;
    fn int(&self, column: &str) -> i32;
}

macro_rules! line_row {
    ($row:ty) => {
        impl LineRow for $row {
            fn text(&self, column: &str) -> String {
                self.try_get(column).unwrap_or_default()
            }
            fn text_opt(&self, column: &str) -> Option<String> {
                self.try_get(column).ok().flatten()
            }
            fn minor(&self, column: &str) -> i64 {
                self.try_get(column).unwrap_or_default()
            }
            fn minor_opt(&self, column: &str) -> Option<i64> {
                self.try_get(column).ok().flatten()
            }
            fn int(&self, column: &str) -> i32 {
                self.try_get(column).unwrap_or_default()
            }
        }
    };
}
line_row!(sqlx::postgres::PgRow);
line_row!(sqlx::sqlite::SqliteRow);

/// Runs `$body` with `$pool` bound to whichever backend's pool this is.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Pg($p) => $body,
            Pool::Sqlite($p) => $body,
        }
    };
}

/// Each row as (line, subtotal, cart id).
fn shape<R: LineRow>(rows: &[R]) -> Vec<(Value, i64, String)> {
    rows.iter()
        .map(|row| {
            let (value, subtotal) = line(row);
            (value, subtotal, row.text("cart_id"))
        })
        .collect()
}

async fn view(
    State(state): State<Arc<Yardstick>>,
    headers: HeaderMap,
) -> Result<Json<Value>, StatusCode> {
    let user = user(&state, &headers)?;
    let shaped = on_pool!(&state.pool, |pool| shape(
        &sqlx::query(VIEW)
            .bind(&user)
            .fetch_all(pool)
            .await
            .map_err(internal)?
    ));
    let Some(cart_id) = shaped.first().map(|(_, _, id)| id.clone()) else {
        return Ok(Json(json!({ "cart": null })));
    };
    let subtotal: i64 = shaped.iter().map(|(_, s, _)| s).sum();
    let total_quantity: i64 = shaped
        .iter()
        .map(|(l, _, _)| l["quantity"].as_i64().unwrap_or_default())
        .sum();
    let items: Vec<Value> = shaped.into_iter().map(|(l, _, _)| l).collect();
    Ok(Json(json!({ "cart": {
        "id": cart_id,
        "itemCount": items.len(),
        "totalQuantity": total_quantity,
        "subtotal": money(subtotal),
        "items": items,
    }})))
}

async fn add(
    State(state): State<Arc<Yardstick>>,
    headers: HeaderMap,
    Json(input): Json<AddInput>,
) -> Result<Json<Value>, StatusCode> {
    let user = user(&state, &headers)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = chrono::Utc::now();
    let (line_id, product_id, quantity): (String, String, i32) = on_pool!(&state.pool, |pool| {
        sqlx::query_as(ADD)
            .bind(&id)
            .bind(&input.product_id)
            .bind(now)
            .bind(&user)
            .fetch_one(pool)
            .await
            .map_err(internal)?
    });
    Ok(Json(
        json!({ "line": { "id": line_id, "productId": product_id, "quantity": quantity } }),
    ))
}
