//! R20: checkouts raced over two cartql processes on one database (PostgreSQL, MariaDB, or
//! one SQLite file). A hundred shoppers check out a product with ten units: exactly ten hold
//! it, every other one is told so, the stock never goes negative and each hold is released
//! exactly once; twenty carts with a code limited to three: the code is used exactly three
//! times.

use std::{sync::Arc, thread};

use serde_json::{Value, json};

use crate::helpers::{
    SECRET, TestApp, Who,
    checkout::{BEGIN, COMPLETE, ready_buyer},
    pricing::{apply, promote},
    server::{Server, post},
};

/// Sends `requests` (authorization, body) to two processes at once, alternating, each from
/// its own thread; the replies in request order.
async fn fire(addresses: Vec<String>, requests: Vec<(String, Value)>) -> Vec<(u16, Value)> {
    let addresses = Arc::new(addresses);
    tokio::task::spawn_blocking(move || {
        let calls: Vec<_> = requests
            .into_iter()
            .enumerate()
            .map(|(n, (authorization, body))| {
                let addresses = addresses.clone();
                thread::spawn(move || {
                    post(
                        &addresses[n % addresses.len()],
                        &[("Authorization", &authorization)],
                        &body,
                    )
                })
            })
            .collect();
        calls
            .into_iter()
            .map(|call| call.join().expect("a client thread"))
            .collect()
    })
    .await
    .expect("the clients finished")
}

fn two_servers(app: &TestApp) -> [Server; 2] {
    let settings = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        // Every shopper comes from one loopback address: the hold caps are another test's.
        ("CARTQL_HOLD_MAX_CHECKOUTS", "1000"),
        ("CARTQL_HOLD_MAX_SHARE", "1"),
    ];
    [Server::start(&settings), Server::start(&settings)]
}

/// The codes of a reply's `userErrors` under `field`.
fn codes(reply: &Value, field: &str) -> Vec<String> {
    reply["data"][field]["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_checkouts_of_ten_units_hold_ten_and_sell_ten() {
    const SHOPPERS: usize = 100;
    let app = TestApp::spawn().await;
    app.gql(
        &Who::Admin,
        r#"mutation { upsertProducts(products: [{ sku: "RACE", name: "Race", price: "3.00", stock: 10 }]) { userErrors { code } } }"#,
        json!({}),
    )
    .await;
    for n in 0..SHOPPERS {
        let shopper = Who::User(format!("racer-{n}"));
        assert_eq!(app.add(&shopper, "RACE", 1).await["userErrors"], json!([]));
        ready_buyer(&app, &shopper).await;
    }
    let servers = two_servers(&app);
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let begins = (0..SHOPPERS)
        .map(|n| {
            (
                format!("Bearer {}", app.token(&format!("racer-{n}"), false)),
                json!({ "query": BEGIN }),
            )
        })
        .collect();
    let replies = fire(addresses.clone(), begins).await;

    let mut held = Vec::new();
    for (status, reply) in &replies {
        assert_eq!(*status, 200, "{reply}");
        assert!(reply.get("errors").is_none(), "{reply}");
        match codes(reply, "beginCheckout").as_slice() {
            [] => held.push(
                reply["data"]["beginCheckout"]["checkout"]["id"]
                    .as_str()
                    .expect("an id")
                    .to_owned(),
            ),
            [code] => assert_eq!(code, "NOT_ENOUGH_STOCK", "{reply}"),
            other => panic!("unexpected refusal {other:?}"),
        }
    }
    assert_eq!(held.len(), 10, "exactly the stock is held");
    let product = "FROM products WHERE sku = 'RACE'";
    assert_eq!(app.scalar(&format!("SELECT held {product}")).await, 10);
    assert_eq!(app.scalar(&format!("SELECT stock {product}")).await, 10);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkouts WHERE state = 'HOLDING'")
            .await,
        10
    );

    // The order system completes each twice, on both processes at once: each sells once.
    let order_system = format!("Bearer {}", app.token_with_roles("orders", &["checkout"]));
    let completions = held
        .iter()
        .flat_map(|id| [id.clone(), id.clone()])
        .map(|id| {
            let body = json!({ "query": COMPLETE, "variables": { "id": id, "ref": format!("ORDER-{id}") } });
            (order_system.clone(), body)
        })
        .collect();
    for (status, reply) in fire(addresses, completions).await {
        assert_eq!(status, 200, "{reply}");
        assert_eq!(
            codes(&reply, "completeCheckout"),
            Vec::<String>::new(),
            "{reply}"
        );
        assert_eq!(
            reply["data"]["completeCheckout"]["checkout"]["status"],
            "COMPLETED"
        );
    }
    assert_eq!(app.scalar(&format!("SELECT stock {product}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT held {product}")).await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkouts WHERE state = 'COMPLETED'")
            .await,
        10
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_events WHERE kind = 'CHECKOUT_COMPLETED'")
            .await,
        10,
        "each completion recorded once"
    );
    drop(servers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_carts_racing_a_code_limited_to_three_use_it_exactly_three_times() {
    const CARTS: usize = 20;
    let app = TestApp::spawn().await;
    let stored = promote(
        &app,
        json!([{ "code": "THREE", "title": "Three only", "kind": "AMOUNT_OFF", "value": "5.00",
                 "usageLimit": 3 }]),
    )
    .await;
    assert_eq!(stored["userErrors"], json!([]));
    for n in 0..CARTS {
        let shopper = Who::User(format!("coder-{n}"));
        app.add(&shopper, "TEE", 1).await;
        ready_buyer(&app, &shopper).await;
        let applied = apply(&app, &shopper, "three").await;
        assert_eq!(
            applied["data"]["applyDiscountCode"]["cart"]["discountCodes"][0]["state"],
            "APPLIED"
        );
    }
    let servers = two_servers(&app);
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let token = |n: usize| format!("Bearer {}", app.token(&format!("coder-{n}"), false));
    let begins = (0..CARTS)
        .map(|n| (token(n), json!({ "query": BEGIN })))
        .collect();
    let first = fire(addresses.clone(), begins).await;
    let with_code = first
        .iter()
        .filter(|(_, r)| {
            r["data"]["beginCheckout"]["checkout"]["discountCodes"] == json!(["THREE"])
        })
        .count();
    assert_eq!(with_code, 3, "three checkouts hold the code's uses");
    for (_, reply) in &first {
        let refused = codes(reply, "beginCheckout");
        assert!(
            refused.is_empty() || refused == ["DISCOUNT_CODE_LIMIT_EXCEEDED"],
            "{reply}"
        );
    }
    // The others check out again, now priced without the code.
    let retries = (0..CARTS)
        .map(|n| (token(n), json!({ "query": BEGIN })))
        .collect();
    let mut checkouts = Vec::new();
    for (_, reply) in fire(addresses.clone(), retries).await {
        assert_eq!(
            codes(&reply, "beginCheckout"),
            Vec::<String>::new(),
            "{reply}"
        );
        checkouts.push(
            reply["data"]["beginCheckout"]["checkout"]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
        );
    }
    let order_system = format!("Bearer {}", app.token_with_roles("orders", &["checkout"]));
    let completions = checkouts
        .iter()
        .map(|id| {
            let body =
                json!({ "query": COMPLETE, "variables": { "id": id, "ref": format!("O-{id}") } });
            (order_system.clone(), body)
        })
        .collect();
    for (_, reply) in fire(addresses, completions).await {
        assert_eq!(
            codes(&reply, "completeCheckout"),
            Vec::<String>::new(),
            "{reply}"
        );
    }
    assert_eq!(
        app.scalar("SELECT times_used FROM promotions WHERE code_key = 'three'")
            .await,
        3
    );
    assert_eq!(
        app.scalar("SELECT times_held FROM promotions WHERE code_key = 'three'")
            .await,
        0
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM promotion_usages").await, 3);
    drop(servers);
}
