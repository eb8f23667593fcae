//! Events out across processes (R21): cartql killed with SIGKILL while delivering loses no
//! committed event, and two instances over one database deliver each event once per sink.

use std::{thread, time::Duration};

use serde_json::json;

use crate::helpers::{
    ADD, SECRET, TestApp,
    events::{Receiver, WEBHOOK_SECRET, check_deliveries, drained, history},
    server::{Server, post},
};

/// Users adding in parallel, each `adds` times, spread over `addresses`.
fn shoppers(
    app: &TestApp,
    addresses: &[String],
    users: usize,
    adds: usize,
) -> Vec<thread::JoinHandle<()>> {
    (0..users)
        .map(|n| {
            let address = addresses[n % addresses.len()].clone();
            let others: Vec<String> = addresses.to_vec();
            let authorization = format!("Bearer {}", app.token(&format!("shopper-{n}"), false));
            thread::spawn(move || {
                for i in 0..adds {
                    // Alternate instances when there are two.
                    let address = if i % 2 == 0 { &address } else { &others[(n + i) % others.len()] };
                    let sku = format!("BULK-{:03}", 1 + (n * adds + i) % 60);
                    let body = json!({ "query": ADD, "variables": { "input": { "product": { "sku": sku } } } });
                    let (status, reply) = post(address, &[("Authorization", &authorization)], &body);
                    assert_eq!(status, 200, "{reply}");
                    assert!(reply.get("errors").is_none(), "{reply}");
                }
            })
        })
        .collect()
}

fn settings<'a>(app: &'a TestApp, receiver: &'a Receiver) -> Vec<(&'a str, &'a str)> {
    vec![
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_RATE_MUTATIONS", "100000"),
        ("CARTQL_WEBHOOK_URL", receiver.url.as_str()),
        ("CARTQL_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("CARTQL_EVENTS_POLL_INTERVAL", "100ms"),
        ("CARTQL_EVENTS_RETRY_MIN", "100ms"),
        ("CARTQL_EVENTS_RETRY_MAX", "1s"),
        // A killed instance's claims run out after this.
        ("CARTQL_EVENTS_LEASE", "3s"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_loses_no_committed_event() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    // Slow answers keep deliveries in flight when the kill lands.
    receiver.set_delay(Duration::from_millis(30));
    let settings = settings(&app, &receiver);
    let mut first = Server::start(&settings);
    let writers = shoppers(&app, std::slice::from_ref(&first.address), 6, 20);
    for writer in writers {
        writer.join().expect("a shopper");
    }
    while receiver.delivered().len() < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill();
    let waiting = app.scalar("SELECT COUNT(*) FROM outbox_events").await;
    assert!(
        waiting > 0,
        "the kill landed while events were still going out"
    );

    // The restarted instance takes over once the dead one's claims run out.
    let _second = Server::start(&settings);
    drained(&app, Duration::from_secs(60)).await;
    assert_eq!(receiver.forged(), Vec::<String>::new());
    let duplicates = check_deliveries(&history(&app).await, &receiver.delivered());
    // Only the events in flight at the kill may come twice.
    assert!(duplicates <= 8, "{duplicates} duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_each_event_once() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let settings = settings(&app, &receiver);
    let servers = [Server::start(&settings), Server::start(&settings)];
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    for writer in shoppers(&app, &addresses, 8, 10) {
        writer.join().expect("a shopper");
    }
    drained(&app, Duration::from_secs(60)).await;
    let history = history(&app).await;
    assert!(history.len() >= 80);
    assert_eq!(check_deliveries(&history, &receiver.delivered()), 0);
}
