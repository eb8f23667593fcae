//! Limits hold across instances (R25): with `CARTQL_REDIS_URL` every bucket lives in Redis,
//! so one client address meets one bucket whichever instance serves it, and another address
//! its own; with Redis unreachable each instance limits on its own and says so. Needs Redis
//! (`CARTQL_TEST_REDIS_URL`, default the machine's); `.ci/run` runs these.

use axum::{body::Body, http::StatusCode};
use cartql::limits::gcra::{self, Mode, Quota};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;

use crate::helpers::{TestApp, Who, pricing::APPLY};

const CREATE: &str = "mutation { createCart { cart { id } } }";

fn redis_url() -> String {
    std::env::var("CARTQL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Settings for an instance sharing limits in this test's own key space.
fn shared(prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CARTQL_REDIS_URL", redis_url()),
        ("CARTQL_REDIS_PREFIX", prefix.to_owned()),
    ]
}

fn unique_prefix() -> String {
    format!("cartql-test-{}", uuid::Uuid::new_v4().simple())
}

async fn readyz(app: &TestApp) -> String {
    let request = app.request(
        &Who::Anonymous,
        "GET",
        "/readyz",
        "text/plain",
        Body::empty(),
    );
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    body.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
#[ignore = "needs Redis at CARTQL_TEST_REDIS_URL; .ci/run runs it"]
async fn one_address_meets_one_bucket_on_both_instances_and_another_address_its_own() {
    let prefix = unique_prefix();
    let mut settings = shared(&prefix);
    settings.push(("CARTQL_RATE_NEW_CARTS", "3".into()));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = TestApp::spawn_with(&settings).await;
    let second = first.sibling(&settings).await;
    assert_eq!(readyz(&first).await, "ready; rate limits shared in Redis");

    let mut statuses = Vec::new();
    for n in 0..5 {
        let instance = if n % 2 == 0 { &first } else { &second };
        let (status, _) = instance
            .from("127.0.0.2")
            .post(&Who::Anonymous, CREATE, json!({}))
            .await;
        statuses.push(status.as_u16());
    }
    // Per process, each instance would have allowed 3: five in all.
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let (status, _) = second
        .from("127.0.0.3")
        .post(&Who::Anonymous, CREATE, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
#[ignore = "needs Redis at CARTQL_TEST_REDIS_URL; .ci/run runs it"]
async fn code_misses_are_counted_across_instances() {
    let prefix = unique_prefix();
    let mut settings = shared(&prefix);
    settings.push(("CARTQL_RATE_DISCOUNT_CODES", "4".into()));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = TestApp::spawn_with(&settings).await;
    let second = first.sibling(&settings).await;
    let mut looked = 0;
    for n in 0..8 {
        let instance = if n % 2 == 0 { &first } else { &second };
        let client = instance.from("127.0.0.2");
        let guest = client
            .guest_ready("TEE", 1, &format!("m{n}@example.com"))
            .await;
        let (_, body) = client.post(&guest, APPLY, json!({ "code": "NOPE" })).await;
        looked += usize::from(body.get("errors").is_none());
    }
    assert_eq!(looked, 4);
}

#[tokio::test]
async fn with_redis_unreachable_each_instance_limits_on_its_own_and_says_so() {
    // Nothing listens on port 1.
    let settings = [
        ("CARTQL_REDIS_URL", "redis://127.0.0.1:1"),
        ("CARTQL_RATE_NEW_CARTS", "2"),
    ];
    let app = TestApp::spawn_with(&settings).await;
    let client = app.from("127.0.0.2");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            client
                .post(&Who::Anonymous, CREATE, json!({}))
                .await
                .0
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 429], "never unlimited");
    assert_eq!(
        readyz(&app).await,
        "ready; rate limits per instance: Redis is unreachable"
    );
    let request = app.request(
        &Who::Anonymous,
        "GET",
        "/metrics",
        "text/plain",
        Body::empty(),
    );
    let (_, metrics) = app.send(request).await;
    let metrics = metrics.as_str().unwrap_or_default().to_owned();
    // The gauge is process-wide (other tests share the recorder); the fallbacks only grow.
    assert!(
        metrics.contains("cartql_limits_fallbacks_total "),
        "{metrics}"
    );
}

#[tokio::test]
#[ignore = "needs Redis at CARTQL_TEST_REDIS_URL; .ci/run runs it"]
async fn the_lua_bucket_answers_exactly_as_the_rust_one() {
    let client = redis::Client::open(redis_url()).expect("a Redis URL");
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis answers");
    let script = redis::Script::new(gcra::SCRIPT);
    let mut rng = StdRng::seed_from_u64(7);
    let modes = [Mode::Take, Mode::Peek, Mode::Add];
    for round in 0..20 {
        let quota = Quota {
            burst: rng.random_range(1..=10),
            period: std::time::Duration::from_secs(rng.random_range(60..=600)),
        };
        let key = format!("{}:{round}", unique_prefix());
        let mut now: i64 = 1_800_000_000_000_000;
        let mut tat = None;
        for step in 0..200 {
            now += rng.random_range(0..=quota.interval_us() * 2);
            let cost = rng.random_range(1..=quota.burst);
            let mode = modes[rng.random_range(0..modes.len())];
            let (expected, stored) = gcra::step(tat, now, quota, cost, mode);
            if let Some((next, _)) = stored {
                tat = Some(next);
            }
            let mut call = script.key(&key);
            call.arg(quota.interval_us())
                .arg(quota.burst)
                .arg(cost)
                .arg(mode.as_str())
                .arg(now);
            let got: i64 = call
                .invoke_async(&mut redis)
                .await
                .expect("the script runs");
            assert_eq!(got, expected, "round {round}, step {step}, {mode:?} {cost}");
        }
    }
}
