//! Two cartql processes over one database (PostgreSQL, MariaDB, or one SQLite file), raced by
//! parallel clients over real TCP: no increment is lost, no duplicate cart or line appears, and
//! no client sees an error.

use std::{sync::Arc, thread};

use serde_json::{Value, json};

use crate::{
    helpers::{ADD, SECRET, TestApp},
    process::{Server, post},
};

const ADDS: usize = 200;
const CLIENTS: usize = 16;

/// True when a reply is a clean success: no error and nothing adjusted.
fn clean(status: u16, body: &Value) -> bool {
    let payload = &body["data"]["addToCart"];
    status == 200
        && body.get("errors").is_none()
        && payload["userErrors"] == json!([])
        && payload["warnings"] == json!([])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_lose_no_increment_and_make_one_cart_and_one_line() {
    let app = TestApp::spawn().await;
    let settings = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
    ];
    let servers = [Server::start(&settings), Server::start(&settings)];
    let addresses: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.address.clone()).collect());
    // A user with no cart yet: the first requests also race to create the cart and the line.
    let authorization = format!("Bearer {}", app.token("racer", false));
    let body = json!({ "query": ADD, "variables": { "input": { "product": { "sku": "CAP" }, "quantity": 1 } } });

    let failures = tokio::task::spawn_blocking(move || {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let addresses = addresses.clone();
                let authorization = authorization.clone();
                let body = body.clone();
                thread::spawn(move || {
                    (client..ADDS)
                        .step_by(CLIENTS)
                        .map(|n| {
                            post(
                                &addresses[n % 2],
                                &[("Authorization", &authorization)],
                                &body,
                            )
                        })
                        .filter(|(status, reply)| !clean(*status, reply))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().expect("a client thread"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("the clients finished");

    assert!(
        failures.is_empty(),
        "{} of {ADDS} adds failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts").await,
        1,
        "one cart"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items").await,
        1,
        "one line"
    );
    assert_eq!(
        app.live_quantity().await,
        ADDS as i64,
        "every increment counted"
    );
    drop(servers);
}
