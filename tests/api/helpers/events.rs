//! Watching events out: a real webhook receiver (an HTTP server in the test process that
//! checks every signature, and can be taken down or slowed), and the checks every sink's
//! deliveries must pass against the history in the database.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use sha2::Sha256;

use super::TestApp;

/// The webhook secret every test signs with.
pub const WEBHOOK_SECRET: &str = "webhook-secret-that-is-long-enough-to-sign";

/// One delivery as it arrived.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub id: String,
    pub kind: String,
    pub cart_id: String,
    pub version: i64,
    pub payload: Value,
}

#[derive(Default)]
struct Inbox {
    down: AtomicBool,
    delay_ms: AtomicU64,
    refused: AtomicU64,
    got: Mutex<Vec<Delivered>>,
    forged: Mutex<Vec<String>>,
}

/// A webhook receiver on a loopback port, up until told otherwise.
pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

impl Receiver {
    pub async fn start() -> Self {
        let inbox = Arc::new(Inbox::default());
        let router = Router::new()
            .route("/hook", post(receive))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port");
        let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, inbox }
    }

    /// While down, every delivery is answered 503 and not kept.
    pub fn set_down(&self, down: bool) {
        self.inbox.down.store(down, Ordering::SeqCst);
    }

    /// Each accepted delivery takes this long to answer.
    pub fn set_delay(&self, delay: Duration) {
        self.inbox
            .delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Deliveries answered 503 so far.
    pub fn refused(&self) -> u64 {
        self.inbox.refused.load(Ordering::SeqCst)
    }

    /// Every accepted delivery, in arrival order (redeliveries included).
    pub fn delivered(&self) -> Vec<Delivered> {
        self.inbox
            .got
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Deliveries whose signature or headers did not check out.
    pub fn forged(&self) -> Vec<String> {
        self.inbox
            .forged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if inbox.down.load(Ordering::SeqCst) {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let delivered = match verify(&headers, &body) {
        Ok(delivered) => delivered,
        Err(why) => {
            inbox
                .forged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(why);
            return StatusCode::BAD_REQUEST;
        }
    };
    let delay = inbox.delay_ms.load(Ordering::SeqCst);
    // Kept before answering: a sender that dies before reading the answer sends it again.
    inbox
        .got
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(delivered);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    StatusCode::NO_CONTENT
}

/// Checks a delivery the way the README tells receivers to.
fn verify(headers: &HeaderMap, body: &[u8]) -> Result<Delivered, String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or(format!("no {name}"))
    };
    let timestamp = header("x-cartql-timestamp")?;
    let signature = header("x-cartql-signature")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).expect("a key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    if signature != expected {
        return Err(format!("bad signature {signature}"));
    }
    let age =
        chrono::Utc::now().timestamp() - timestamp.parse::<i64>().map_err(|e| e.to_string())?;
    if !(-5..=300).contains(&age) {
        return Err(format!("timestamp {age} s old"));
    }
    let payload: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let delivered = delivered_from(&payload)?;
    if header("x-cartql-event-id")? != delivered.id
        || header("x-cartql-event-kind")? != delivered.kind
    {
        return Err(format!("headers disagree with {payload}"));
    }
    if header("content-type")? != "application/json" {
        return Err("not JSON".to_owned());
    }
    Ok(delivered)
}

/// Reads the fields every sink's payload carries.
pub fn delivered_from(payload: &Value) -> Result<Delivered, String> {
    let text = |field: &str| {
        payload[field]
            .as_str()
            .map(str::to_owned)
            .ok_or(format!("no {field} in {payload}"))
    };
    Ok(Delivered {
        id: text("id")?,
        kind: text("kind")?,
        cart_id: text("cartId")?,
        version: payload["version"].as_i64().ok_or("no version")?,
        payload: payload.clone(),
    })
}

/// Every history event's id, cart and version, as committed.
pub async fn history(app: &TestApp) -> Vec<(String, String, i64)> {
    let sql = "SELECT id, cart_id, version FROM cart_events ORDER BY cart_id, version, id";
    let rows = app
        .db
        .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .expect("read the history");
    rows.iter()
        .map(|row| {
            (
                row.try_get_by_index(0).expect("an id"),
                row.try_get_by_index(1).expect("a cart"),
                row.try_get_by_index(2).expect("a version"),
            )
        })
        .collect()
}

/// What a sink's deliveries must show against the history: every committed event arrived,
/// nothing arrived that was not committed, and, duplicates dropped by id, each cart's events
/// arrived in version order. Returns how many deliveries were duplicates.
pub fn check_deliveries(history: &[(String, String, i64)], delivered: &[Delivered]) -> usize {
    let committed: HashSet<&str> = history.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut last_version: HashMap<&str, i64> = HashMap::new();
    let mut duplicates = 0;
    for event in delivered {
        assert!(
            committed.contains(event.id.as_str()),
            "delivered an event that is not in the history: {:?}",
            event.payload
        );
        if !seen.insert(event.id.as_str()) {
            duplicates += 1;
            continue;
        }
        let last = last_version.entry(event.cart_id.as_str()).or_insert(0);
        assert!(
            event.version >= *last,
            "cart {} went from version {last} back to {}",
            event.cart_id,
            event.version
        );
        *last = event.version;
    }
    let missing: Vec<_> = committed.difference(&seen).collect();
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    duplicates
}

/// Waits until the outbox is empty (every sink has every event), at most `limit`.
pub async fn drained(app: &TestApp, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let waiting = app.scalar("SELECT COUNT(*) FROM outbox_events").await;
        if waiting == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{waiting} events still waiting after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
