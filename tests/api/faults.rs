//! R18 under fire: a TCP proxy between cartql and the database cuts connections at random
//! points, COMMIT included (forwarded to the server, then the connection dropped before the
//! answer comes back), while 1,000 adds with an `Idempotency-Key` each are retried until
//! they are answered. The final state must be exactly the acknowledged adds: no add lost, none
//! applied twice, every unknown outcome resolved by its retry, no key stuck.
//!
//! It needs a networked database, so it is ignored by a plain `cargo test`; `.ci/run` runs it
//! on PostgreSQL and MariaDB. `FAULT_ADDS` sets how many adds (default 1,000).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::body::Body;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::helpers::{ADD, TestApp, Who};

/// Chance that a forwarded COMMIT is followed by a cut before its answer returns.
const COMMIT_CUT: f64 = 0.06;
/// Chance that any other client packet is dropped with its connection.
const RANDOM_CUT: f64 = 0.004;
/// Workers, each a user adding to its own line.
const WORKERS: usize = 8;
/// Attempts one add may take before its key counts as stuck.
const MAX_ATTEMPTS: usize = 300;

#[derive(Default)]
struct Cuts {
    at_commit: AtomicUsize,
    elsewhere: AtomicUsize,
}

/// Forwards TCP to the database, cutting connections at random once `chaos` is on.
async fn chaos_proxy(target: String, chaos: Arc<AtomicBool>, cuts: Arc<Cuts>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(&target).await else {
                continue;
            };
            let (chaos, cuts) = (chaos.clone(), cuts.clone());
            tokio::spawn(relay(client, server, chaos, cuts));
        }
    });
    address
}

/// One connection; returning drops both sockets, which is the cut.
async fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    chaos: Arc<AtomicBool>,
    cuts: Arc<Cuts>,
) {
    let (mut up, mut down) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    loop {
        tokio::select! {
            read = client.read(&mut up) => {
                let Ok(n) = read else { return };
                if n == 0 { return; }
                let packet = &up[..n];
                let on = chaos.load(Ordering::Relaxed);
                let roll: f64 = rand::random();
                if on && contains(packet, b"COMMIT") && roll < COMMIT_CUT {
                    // The server gets the COMMIT; the client never hears back.
                    if server.write_all(packet).await.is_ok() {
                        let _ = server.flush().await;
                        tokio::time::sleep(Duration::from_millis(30)).await;
                    }
                    cuts.at_commit.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if on && roll < RANDOM_CUT {
                    cuts.elsewhere.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if server.write_all(packet).await.is_err() { return; }
            }
            read = server.read(&mut down) => {
                let Ok(n) = read else { return };
                if n == 0 || client.write_all(&down[..n]).await.is_err() { return; }
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// How one logical add went.
#[derive(Default)]
struct Tally {
    acknowledged: usize,
    attempts: usize,
    unknown: usize,
    unavailable: usize,
    stuck: usize,
    unexpected: Vec<String>,
    keys: Vec<String>,
}

fn keyed_add(app: &TestApp, who: &Who, key: &str) -> axum::http::Request<Body> {
    let body = json!({ "query": ADD, "variables": { "input": { "product": { "sku": "CAP" } } } });
    let mut request = app.request(
        who,
        "POST",
        "/graphql",
        "application/json",
        Body::from(body.to_string()),
    );
    request
        .headers_mut()
        .insert("idempotency-key", key.parse().expect("a header value"));
    request
}

fn code(reply: &Value) -> String {
    reply["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn worker(app: Arc<TestApp>, who: Who, adds: usize) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..adds {
        let key = uuid::Uuid::new_v4().to_string();
        let mut answered = false;
        for _ in 0..MAX_ATTEMPTS {
            tally.attempts += 1;
            let (status, reply) = app.send(keyed_add(&app, &who, &key)).await;
            let quantity = &reply["data"]["addToCart"]["item"]["quantity"];
            if status == 200 && reply.get("errors").is_none() && quantity.is_number() {
                answered = true;
                break;
            }
            match code(&reply).as_str() {
                "OUTCOME_UNKNOWN" => tally.unknown += 1,
                "SERVICE_UNAVAILABLE" | "IDEMPOTENCY_IN_PROGRESS" => tally.unavailable += 1,
                _ => tally.unexpected.push(format!("{status}: {reply}")),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if answered {
            tally.acknowledged += 1;
        } else {
            tally.stuck += 1;
        }
        tally.keys.push(key);
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL or MySQL in DATABASE_URL; .ci/run runs it on both"]
async fn connections_cut_at_random_points_commit_included_lose_and_double_nothing() {
    let base = std::env::var("DATABASE_URL").unwrap_or_default();
    assert!(
        base.starts_with("postgres") || base.starts_with("mysql"),
        "set DATABASE_URL to PostgreSQL or MySQL"
    );
    let total: usize = std::env::var("FAULT_ADDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let per_worker = total.div_ceil(WORKERS);
    let after_at = base
        .rsplit_once('@')
        .map_or(base.as_str(), |(_, rest)| rest);
    let target = after_at.split('/').next().expect("host:port").to_owned();
    let (chaos, cuts) = (Arc::new(AtomicBool::new(false)), Arc::new(Cuts::default()));
    let proxy = chaos_proxy(target, chaos.clone(), cuts.clone()).await;
    let app = Arc::new(
        TestApp::spawn_with(&[
            ("TEST_DATABASE_HOST", &proxy),
            ("CARTQL_RATE_MUTATIONS", "1000000"),
        ])
        .await,
    );

    chaos.store(true, Ordering::SeqCst);
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(worker(app, Who::User(format!("fault-{n}")), per_worker))
        })
        .collect();
    let mut tallies = Vec::new();
    for worker in workers {
        tallies.push(worker.await.expect("a worker"));
    }
    chaos.store(false, Ordering::SeqCst);

    let sum = |f: fn(&Tally) -> usize| tallies.iter().map(f).sum::<usize>();
    let (acknowledged, attempts, unknown, unavailable, stuck) = (
        sum(|t| t.acknowledged),
        sum(|t| t.attempts),
        sum(|t| t.unknown),
        sum(|t| t.unavailable),
        sum(|t| t.stuck),
    );
    let (at_commit, elsewhere) = (
        cuts.at_commit.load(Ordering::SeqCst),
        cuts.elsewhere.load(Ordering::SeqCst),
    );
    println!(
        "faults: {acknowledged} adds acknowledged in {attempts} attempts; {at_commit} cuts at \
         COMMIT, {elsewhere} elsewhere; {unknown} OUTCOME_UNKNOWN and {unavailable} \
         SERVICE_UNAVAILABLE answers resolved by retries; {stuck} stuck"
    );
    let unexpected: Vec<&String> = tallies.iter().flat_map(|t| &t.unexpected).collect();
    assert!(
        unexpected.is_empty(),
        "only coded, retryable failures: {unexpected:?}"
    );
    assert_eq!(stuck, 0, "every key resolved");
    assert_eq!(acknowledged, per_worker * WORKERS);
    assert!(at_commit > 0, "the scenario cut connections at COMMIT");

    // The final state is exactly the acknowledged effects: one unit per add, per user.
    for n in 0..WORKERS {
        let stored = app
            .scalar(&format!(
                "SELECT COALESCE(MAX(i.quantity), 0) FROM cart_items i JOIN carts c \
                 ON c.id = i.cart_id WHERE c.user_id = 'fault-{n}' AND i.live IS NOT NULL"
            ))
            .await;
        assert_eq!(
            stored, per_worker as i64,
            "fault-{n}: one effect per acknowledged add"
        );
    }
    // No key is stuck: with the connections calm, every key answers at once, acting on
    // nothing.
    for (n, tally) in tallies.iter().enumerate() {
        let who = Who::User(format!("fault-{n}"));
        for key in &tally.keys {
            let (status, reply) = app.send(keyed_add(&app, &who, key)).await;
            assert_eq!(status, 200, "{reply}");
            assert!(reply.get("errors").is_none(), "{key}: {reply}");
        }
    }
    assert_eq!(app.live_quantity().await, (per_worker * WORKERS) as i64);
}
