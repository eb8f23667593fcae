//! `TestApp`: the service built by `build_app_on` over a fresh database (`database`), with
//! the fixture catalog (`fixtures`), request helpers for each kind of caller, and a statement
//! counter; `replies` reads codes out of answers. `TEST_LOG=1` shows the service's logs
//! (filtered by `CARTQL_LOG`, `info` by default).

pub mod checkout;
pub mod client;
mod database;
pub mod events;
mod fixtures;
pub mod pricing;
mod replies;
mod requests;
pub mod server;

pub use fixtures::{ADD, CART_VIEW, bulk_price_minor, fixture_catalog};
pub use replies::{error_codes, top_level_code, warning_codes};

pub use database::TestDatabase;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::Router;
use cartql::{Config, auth::JwtIssuer, db, service::seed};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

/// The HS256 secret every test signs with.
pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

/// The guest-token key the service derives from [`SECRET`].
pub fn guest_key() -> cartql::auth::GuestKey {
    cartql::auth::GuestKey::derive(SECRET.as_bytes())
}

/// Who sends a request.
#[derive(Clone, Debug)]
pub enum Who {
    Anonymous,
    Guest(String),
    User(String),
    Admin,
    /// A caller with the `checkout` role: an order system.
    OrderSystem,
    /// Raw headers, for credential tests.
    Headers(Vec<(String, String)>),
}

pub struct TestApp {
    pub router: Router,
    /// What the handlers share (the compiled view path's plans, the authenticator).
    pub state: cartql::state::AppState,
    /// The test database, for other processes to share.
    pub database_url: String,
    pub db: DatabaseConnection,
    issuer: Option<JwtIssuer>,
    statements: Arc<AtomicUsize>,
    /// The settings the app was built with, for siblings.
    env: HashMap<String, String>,
    /// Dropped with the last app over it.
    _database: Arc<TestDatabase>,
}

impl TestApp {
    /// The service over a fresh database with the fixture catalog.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Like [`spawn`](Self::spawn) with extra settings (an empty value unsets one).
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        init_test_logs();
        let database = TestDatabase::create().await;
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".to_owned(), database.url.clone()),
            ("CARTQL_JWT_SECRET".to_owned(), SECRET.to_owned()),
            ("CARTQL_DEMO_CATALOG".to_owned(), "false".to_owned()),
            (
                "CARTQL_HANDOFF_SECRET".to_owned(),
                checkout::HANDOFF_SECRET.to_owned(),
            ),
            // The test tokens carry no `aud`, so the production tests start without one.
            ("CARTQL_JWT_AUDIENCE_OPTIONAL".to_owned(), "true".to_owned()),
        ]);
        // `.ci/run` runs the suite once more with the general add path, and once without the
        // compiled view path and group commit.
        for setting in [
            "CARTQL_ONE_STATEMENT_ADD",
            "CARTQL_COMPILED_VIEWS",
            "CARTQL_GROUP_COMMIT",
        ] {
            if let Ok(value) = std::env::var(setting) {
                env.insert(setting.to_owned(), value);
            }
        }
        for (key, value) in settings {
            env.insert((*key).to_owned(), (*value).to_owned());
        }
        // `TEST_DATABASE_HOST` routes the service's connections through another host:port
        // (the outage test's proxy); the test database itself is made and dropped directly.
        if let Some(host) = env.remove("TEST_DATABASE_HOST") {
            let url = &database.url;
            let start = url
                .find('@')
                .map_or_else(|| url.find("://").map_or(0, |i| i + 3), |i| i + 1);
            let end = start + url[start..].find('/').unwrap_or(url.len() - start);
            // In plain text, so that the proxy can see (and cut at) each statement.
            let plain = if url.starts_with("postgres") {
                "sslmode=disable"
            } else {
                "ssl-mode=disabled"
            };
            let joiner = if url.contains('?') { '&' } else { '?' };
            env.insert(
                "DATABASE_URL".to_owned(),
                format!("{}{host}{}{joiner}{plain}", &url[..start], &url[end..]),
            );
        }
        let config =
            Config::from_lookup(|key| env.get(key).cloned()).expect("test settings are valid");
        let mut db = db::connect(&config.database_url, 8)
            .await
            .expect("connect to the test database");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        // Requests' statements: the event dispatcher's, which all read or write
        // `outbox_cursors`, run in the background on their own schedule.
        db.set_metric_callback(move |info| {
            if !info.statement.sql.contains("outbox_cursors") {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let app = cartql::build_app_on(&config, db.clone())
            .await
            .expect("build the app");
        seed::import(&db, fixture_catalog(), config.currency)
            .await
            .expect("load the fixture catalog");
        Self {
            router: app.router,
            state: app.state,
            database_url: config.database_url.clone(),
            db,
            issuer: app.issuer,
            statements,
            env,
            _database: Arc::new(database),
        }
    }

    /// A second app over the same database with some settings changed (as another instance
    /// configured otherwise would be); the catalog is not loaded again.
    pub async fn sibling(&self, settings: &[(&str, &str)]) -> Self {
        let mut env = self.env.clone();
        for (key, value) in settings {
            env.insert((*key).to_owned(), (*value).to_owned());
        }
        let config =
            Config::from_lookup(|key| env.get(key).cloned()).expect("sibling settings are valid");
        let app = cartql::build_app_on(&config, self.db.clone())
            .await
            .expect("build the sibling app");
        Self {
            router: app.router,
            state: app.state,
            database_url: self.database_url.clone(),
            db: self.db.clone(),
            issuer: app.issuer,
            statements: self.statements.clone(),
            env,
            _database: self._database.clone(),
        }
    }

    /// SQL statements run so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// Every cart and line row, as text: equal before and after means nothing changed.
    pub async fn snapshot(&self) -> String {
        let mut out = String::new();
        for sql in [
            "SELECT id, user_id, token_hash, live, version, updated_at, deleted_at FROM carts ORDER BY id",
            "SELECT id, cart_id, product_id, quantity, attributes, live, updated_at, deleted_at FROM cart_items ORDER BY id",
            "SELECT id, sku, price_minor, stock, active FROM products ORDER BY id",
        ] {
            let rows = self
                .db
                .query_all_raw(Statement::from_string(self.db.get_database_backend(), sql))
                .await
                .expect("snapshot");
            for row in rows {
                out.push_str(&render_row(&row));
                out.push('\n');
            }
        }
        out
    }

    /// Runs a scalar query such as `SELECT COUNT(*) …` and returns the number.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("one row");
        row.try_get_by_index::<i64>(0)
            .or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from))
            .expect("a number")
    }

    /// Every non-null value of a text column, joined.
    pub async fn text_column(&self, sql: &str) -> String {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .expect("query");
        rows.iter()
            .filter_map(|row| row.try_get_by_index::<Option<String>>(0).ok().flatten())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs one statement of the test's own (to stage a fault).
    pub async fn execute(&self, sql: &str) {
        self.db
            .execute_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .expect("statement");
    }

    /// Σ quantity over live lines, summed here (MySQL's SUM returns DECIMAL).
    pub async fn live_quantity(&self) -> i64 {
        let sql = "SELECT quantity FROM cart_items WHERE live IS NOT NULL";
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .expect("query");
        rows.iter()
            .map(|row| i64::from(row.try_get_by_index::<i32>(0).expect("a quantity")))
            .sum()
    }

    /// Sets timestamp `column` of the carts matching `condition` (SQL) to `value`, to age
    /// carts without waiting.
    pub async fn set_cart_time(
        &self,
        column: &str,
        value: chrono::DateTime<chrono::Utc>,
        condition: &str,
    ) {
        let backend = self.db.get_database_backend();
        let placeholder = match backend {
            DbBackend::Postgres => "$1",
            _ => "?",
        };
        let sql = format!("UPDATE carts SET {column} = {placeholder} WHERE {condition}");
        self.db
            .execute_raw(Statement::from_sql_and_values(backend, sql, [value.into()]))
            .await
            .expect("set a cart timestamp");
    }

    /// Holds every cart's row lock (on SQLite, the write lock) until the returned
    /// transaction ends, so a cart mutation sent meanwhile stays in flight.
    pub async fn hold_cart_locks(&self) -> sea_orm::DatabaseTransaction {
        use sea_orm::{EntityTrait, QuerySelect};
        let txn = db::begin_write(&self.db).await.expect("begin");
        cartql::entity::carts::Entity::find()
            .lock_exclusive()
            .all(&txn)
            .await
            .expect("lock the carts");
        txn
    }

    /// The id of the fixture product `sku`.
    pub async fn product_id(&self, sku: &str) -> String {
        let data = self
            .gql(
                &Who::Anonymous,
                "query($sku: String) { product(sku: $sku) { id } }",
                json!({ "sku": sku }),
            )
            .await;
        data["product"]["id"]
            .as_str()
            .expect("a product id")
            .to_owned()
    }

    /// Adds `quantity` of `sku` for `who` and returns the payload.
    pub async fn add(&self, who: &Who, sku: &str, quantity: i64) -> Value {
        let data = self
            .gql(
                who,
                ADD,
                json!({ "input": { "product": { "sku": sku }, "quantity": quantity } }),
            )
            .await;
        data["addToCart"].clone()
    }

    /// A guest with a fresh cart.
    pub async fn new_guest(&self) -> Who {
        let data = self
            .gql(
                &Who::Anonymous,
                "mutation { createCart { cart { token } } }",
                json!({}),
            )
            .await;
        Who::Guest(
            data["createCart"]["cart"]["token"]
                .as_str()
                .expect("a token")
                .to_owned(),
        )
    }
}

/// The row key of a global id (`gid://cartql/<Type>/<key>`), for reading the database.
pub fn key_of(id: &str) -> &str {
    id.rsplit_once('/').map_or(id, |(_, key)| key)
}

/// With `TEST_LOG` set, the service's logs go to the test output (once per test binary).
fn init_test_logs() {
    static INIT: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("TEST_LOG").is_some() {
        INIT.call_once(|| {
            let filter = tracing_subscriber::EnvFilter::try_from_env("CARTQL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        });
    }
}

/// Every value of a row, as text: the drivers' own `Debug` shows no values, so comparisons of
/// rows go through this.
pub fn render_row(row: &sea_orm::QueryResult) -> String {
    (0..row.column_names().len())
        .map(|n| {
            let text = |v: Option<String>| v.unwrap_or_else(|| "NULL".to_owned());
            row.try_get_by_index::<Option<String>>(n)
                .map(text)
                .or_else(|_| {
                    row.try_get_by_index::<Option<i64>>(n)
                        .map(|v| text(v.map(|v| v.to_string())))
                })
                .or_else(|_| {
                    row.try_get_by_index::<Option<i32>>(n)
                        .map(|v| text(v.map(|v| v.to_string())))
                })
                .or_else(|_| {
                    row.try_get_by_index::<Option<bool>>(n)
                        .map(|v| text(v.map(|v| v.to_string())))
                })
                .or_else(|_| {
                    row.try_get_by_index::<Option<i8>>(n)
                        .map(|v| text(v.map(|v| v.to_string())))
                })
                .or_else(|_| {
                    row.try_get_by_index::<Option<chrono::DateTime<chrono::Utc>>>(n)
                        .map(|v| text(v.map(|v| v.to_rfc3339())))
                })
                .unwrap_or_else(|_| {
                    panic!(
                        "column {n} of {:?} has a type render_row does not read",
                        row.column_names()
                    )
                })
        })
        .collect::<Vec<_>>()
        .join("|")
}
