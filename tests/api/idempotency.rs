//! `Idempotency-Key`: 50 concurrent copies of a mutation make one effect and get identical
//! replies; a reused key with another request is refused.

use std::sync::Arc;

use axum::body::Body;
use serde_json::{Value, json};

use crate::helpers::{ADD, TestApp, Who, top_level_code};

fn keyed(app: &TestApp, who: &Who, key: &str, variables: Value) -> axum::http::Request<Body> {
    let body = json!({ "query": ADD, "variables": variables }).to_string();
    let mut request = app.request(
        who,
        "POST",
        "/graphql",
        "application/json",
        Body::from(body),
    );
    request
        .headers_mut()
        .insert("idempotency-key", key.parse().expect("a header value"));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_copies_make_one_effect_with_identical_replies() {
    let app = Arc::new(TestApp::spawn().await);
    let who = Who::User("retrier".into());
    let variables = json!({ "input": { "product": { "sku": "CAP" }, "quantity": 2 } });
    let copies: Vec<_> = (0..50)
        .map(|_| {
            let app = app.clone();
            let who = who.clone();
            let variables = variables.clone();
            tokio::spawn(async move { app.send(keyed(&app, &who, "order-42", variables)).await })
        })
        .collect();
    let mut replies = Vec::new();
    for copy in copies {
        replies.push(copy.await.expect("a reply"));
    }
    assert!(
        replies.iter().all(|(status, _)| *status == 200),
        "{:?}",
        replies.iter().find(|(s, _)| *s != 200)
    );
    assert!(
        replies.iter().all(|(_, body)| *body == replies[0].1),
        "every copy gets the same reply"
    );
    assert_eq!(replies[0].1["data"]["addToCart"]["item"]["quantity"], 2);
    assert_eq!(app.live_quantity().await, 2, "one effect");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM idempotency_keys").await, 1);

    // A later retry replays too; a new key acts again.
    let (_, again) = app
        .send(keyed(&app, &who, "order-42", variables.clone()))
        .await;
    assert_eq!(again, replies[0].1);
    let (_, fresh) = app.send(keyed(&app, &who, "order-43", variables)).await;
    assert_eq!(fresh["data"]["addToCart"]["item"]["quantity"], 4);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let who = Who::User("u".into());
    app.send(keyed(
        &app,
        &who,
        "k-1",
        json!({ "input": { "product": { "sku": "CAP" } } }),
    ))
    .await;
    let before = app.snapshot().await;
    let (status, body) = app
        .send(keyed(
            &app,
            &who,
            "k-1",
            json!({ "input": { "product": { "sku": "TEE" } } }),
        ))
        .await;
    assert_eq!(status, 422);
    assert_eq!(top_level_code(&body), "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(app.snapshot().await, before);
    // Keys belong to their caller: another user's identical key is unrelated.
    let (status, other) = app
        .send(keyed(
            &app,
            &Who::User("v".into()),
            "k-1",
            json!({ "input": { "product": { "sku": "TEE" } } }),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(other["data"]["addToCart"]["item"]["quantity"], 1);
    let (status, bad) = app
        .send(keyed(
            &app,
            &who,
            &"x".repeat(256),
            json!({ "input": { "product": { "sku": "CAP" } } }),
        ))
        .await;
    assert_eq!(status, 400, "{bad}");
}

#[tokio::test]
async fn a_refused_mutation_replays_its_refusal() {
    let app = TestApp::spawn().await;
    let who = Who::User("u".into());
    let variables = json!({ "input": { "product": { "sku": "SOLDOUT" } } });
    let (_, first) = app.send(keyed(&app, &who, "k-2", variables.clone())).await;
    assert_eq!(
        first["data"]["addToCart"]["userErrors"][0]["code"],
        "OUT_OF_STOCK"
    );
    let (_, second) = app.send(keyed(&app, &who, "k-2", variables)).await;
    assert_eq!(first, second);
}
