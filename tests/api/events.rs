//! Events out to a real webhook receiver: every committed change arrives signed, once in the
//! normal path, in order per cart; a refused change sends nothing; a receiver that is down
//! misses nothing once it is back; failures park and `cartql events redrive` resumes them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    helpers::{
        TestApp, Who,
        checkout::{begin, complete, ready_buyer},
        events::{Receiver, WEBHOOK_SECRET, check_deliveries, drained, history},
        server::cartql,
    },
    merge::MERGE,
};

/// A test app delivering to `receiver`, retrying quickly.
async fn app_with(receiver: &Receiver, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![
        ("CARTQL_WEBHOOK_URL", receiver.url.as_str()),
        ("CARTQL_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("CARTQL_EVENTS_POLL_INTERVAL", "100ms"),
        ("CARTQL_EVENTS_RETRY_MIN", "100ms"),
        ("CARTQL_EVENTS_RETRY_MAX", "400ms"),
    ];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

/// Changes of every kind, through two users and a guest, ending in a completed checkout.
async fn shop(app: &TestApp) {
    let (alice, bob) = (Who::User("alice".into()), Who::User("bob".into()));
    for (who, sku) in [(&alice, "TEE"), (&alice, "MUG"), (&bob, "CAP")] {
        assert_eq!(app.add(who, sku, 2).await["userErrors"], json!([]));
    }
    let guest = app.new_guest().await;
    app.add(&guest, "BULK-001", 1).await;
    let Who::Guest(token) = &guest else {
        unreachable!()
    };
    let merged = app
        .gql(&bob, MERGE, json!({ "token": token, "strategy": "SUM" }))
        .await;
    assert_eq!(
        merged["mergeGuestCart"]["userErrors"],
        json!([]),
        "{merged}"
    );
    ready_buyer(app, &alice).await;
    let checkout = begin(app, &alice).await;
    let id = checkout["checkout"]["id"].as_str().expect("a checkout");
    assert_eq!(complete(app, id, "ORDER-1").await["userErrors"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_gets_every_change_signed_once_and_in_order() {
    let receiver = Receiver::start().await;
    let app = app_with(&receiver, &[]).await;
    shop(&app).await;
    // Refused changes commit nothing, so they send nothing.
    let before = app.scalar("SELECT COUNT(*) FROM cart_events").await;
    let refused = app.add(&Who::User("alice".into()), "SOLDOUT", 1).await;
    assert!(!refused["userErrors"].as_array().expect("a list").is_empty());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cart_events").await, before);

    drained(&app, Duration::from_secs(30)).await;
    let delivered = receiver.delivered();
    assert_eq!(receiver.forged(), Vec::<String>::new());
    let duplicates = check_deliveries(&history(&app).await, &delivered);
    assert_eq!(duplicates, 0, "one instance, no failure: each event once");
    let kinds: Vec<&str> = delivered.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "CREATED",
        "ADDED",
        "MERGED",
        "CHECKOUT_STARTED",
        "CHECKOUT_COMPLETED",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let added = delivered
        .iter()
        .find(|e| e.kind == "ADDED" && e.payload["userId"] == "alice")
        .expect("alice's add");
    assert_eq!(added.payload["actor"], "user:alice");
    assert_eq!(added.payload["quantity"], 2);
    assert!(added.payload["productId"].is_string(), "{}", added.payload);
    let guest_add = delivered
        .iter()
        .find(|e| e.kind == "ADDED" && e.payload["actor"] == "guest")
        .expect("the guest's add");
    assert_eq!(guest_add.payload["userId"], Value::Null);
    let completed = delivered
        .iter()
        .find(|e| e.kind == "CHECKOUT_COMPLETED")
        .expect("the completion");
    assert_eq!(completed.payload["detail"], "ORDER-1");
    assert!(
        completed.payload["occurredAt"]
            .as_str()
            .is_some_and(|t| t.contains('T'))
    );
}

#[tokio::test]
async fn without_a_sink_nothing_is_queued() {
    let app = TestApp::spawn().await;
    app.add(&Who::User("quiet".into()), "TEE", 1).await;
    assert!(app.scalar("SELECT COUNT(*) FROM cart_events").await > 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox_events").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_a_while_misses_nothing() {
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let app = app_with(&receiver, &[("CARTQL_EVENTS_MAX_ATTEMPTS", "1000")]).await;
    shop(&app).await;
    while receiver.refused() < 5 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(app.scalar("SELECT COUNT(*) FROM outbox_events").await > 0);
    let errors = app
        .text_column("SELECT last_error FROM outbox_cursors WHERE attempts > 0")
        .await;
    assert!(errors.contains("503"), "{errors}");
    assert!(receiver.delivered().is_empty());

    receiver.set_down(false);
    drained(&app, Duration::from_secs(30)).await;
    check_deliveries(&history(&app).await, &receiver.delivered());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox_cursors WHERE attempts > 0")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_park_a_cart_until_redriven() {
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let app = app_with(&receiver, &[("CARTQL_EVENTS_MAX_ATTEMPTS", "2")]).await;
    app.add(&Who::User("parked".into()), "TEE", 1).await;
    let parked = "SELECT COUNT(*) FROM outbox_cursors WHERE parked_at IS NOT NULL";
    while app.scalar(parked).await == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Parked means no more attempts, however long it waits.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(receiver.refused(), 2);

    let status = cli(&app, &["events", "status"]);
    assert!(status.contains("parked: sink webhook"), "{status}");
    assert!(status.contains("503"), "{status}");
    receiver.set_down(false);
    let redriven = cli(&app, &["events", "redrive", "--sink", "webhook"]);
    assert!(redriven.contains("redriving 1 parked carts"), "{redriven}");
    drained(&app, Duration::from_secs(30)).await;
    check_deliveries(&history(&app).await, &receiver.delivered());
    assert_eq!(app.scalar(parked).await, 0);
}

/// Runs the `cartql` binary over the test's database; its standard output.
fn cli(app: &TestApp, args: &[&str]) -> String {
    let dir = std::env::temp_dir();
    let output = cartql(&dir)
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .expect("run cartql");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn an_unreachable_nats_server_neither_stops_startup_nor_loses_events() {
    // Nothing listens on port 1: the connection keeps retrying in the background.
    let app = TestApp::spawn_with(&[("CARTQL_NATS_URL", "nats://127.0.0.1:1")]).await;
    let added = app.add(&Who::User("offline".into()), "TEE", 1).await;
    assert_eq!(added["userErrors"], json!([]));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox_events").await,
        app.scalar("SELECT COUNT(*) FROM cart_events").await
    );
}
