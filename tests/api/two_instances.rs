//! Two cartql processes over one database (PostgreSQL, MariaDB, or one SQLite file), raced by
//! parallel clients over real TCP: no increment is lost, no duplicate cart or line appears, and
//! no client sees an error.

use std::{sync::Arc, thread};

use serde_json::{Value, json};

use crate::helpers::{
    ADD, SECRET, TestApp,
    server::{Server, post},
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

/// R4 across processes: ten merges of one guest cart, sent to two processes at once, by a
/// user who has no cart yet. The guest cart is merged once and closed; every caller gets the
/// merged cart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_merge_one_guest_cart_once() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 3).await;
    app.add(&guest, "MUG", 2).await;
    let crate::helpers::Who::Guest(token) = guest else {
        unreachable!("new_guest returns a guest")
    };
    let settings = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
    ];
    let servers = [Server::start(&settings), Server::start(&settings)];
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let authorization = format!("Bearer {}", app.token("signer", false));
    let body = json!({ "query": crate::merge::MERGE, "variables": { "token": token } });

    let replies = tokio::task::spawn_blocking(move || {
        let calls: Vec<_> = (0..10)
            .map(|n| {
                let (address, authorization, body) = (
                    addresses[n % 2].clone(),
                    authorization.clone(),
                    body.clone(),
                );
                thread::spawn(move || post(&address, &[("Authorization", &authorization)], &body))
            })
            .collect();
        calls
            .into_iter()
            .map(|c| c.join().expect("a merge thread"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("the merges finished");

    for (status, reply) in &replies {
        assert_eq!(*status, 200, "{reply}");
        let payload = &reply["data"]["mergeGuestCart"];
        assert_eq!(payload["userErrors"], json!([]), "{reply}");
        assert_eq!(payload["cart"]["totalQuantity"], 5, "{reply}");
    }
    assert_eq!(app.live_quantity().await, 5, "merged once");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE live IS NOT NULL")
            .await,
        1,
        "one open cart: the user's"
    );
    drop(servers);
}
