//! `Idempotency-Key`: 50 concurrent copies of a mutation make one effect and get identical
//! replies; a reused key with another request is refused.

use std::sync::Arc;

use axum::body::Body;
use serde_json::{Value, json};

use crate::helpers::{ADD, TestApp, Who, top_level_code};

fn keyed(app: &TestApp, who: &Who, key: &str, variables: Value) -> axum::http::Request<Body> {
    keyed_document(app, who, key, ADD, variables)
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

/// A request with `Idempotency-Key` for any document and variables.
fn keyed_document(
    app: &TestApp,
    who: &Who,
    key: &str,
    query: &str,
    variables: Value,
) -> axum::http::Request<Body> {
    let body = json!({ "query": query, "variables": variables }).to_string();
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

const CREATE_WITH_TOKEN: &str = "mutation { createCart { cart { id token } } }";
const UUID_KEY: &str = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";

#[tokio::test]
async fn a_reply_reaches_only_its_caller_and_nothing_secret_is_stored_in_plain_text() {
    let app = TestApp::spawn().await;
    // A guest cart opened by an anonymous caller: the reply carries the new token.
    let (status, first) = app
        .send(keyed_document(
            &app,
            &Who::Anonymous,
            UUID_KEY,
            CREATE_WITH_TOKEN,
            json!({}),
        ))
        .await;
    assert_eq!(status, 200, "{first}");
    let token = first["data"]["createCart"]["cart"]["token"]
        .as_str()
        .expect("a guest token")
        .to_owned();
    // The retry with the same key gets the same cart and token, once.
    let (_, again) = app
        .send(keyed_document(
            &app,
            &Who::Anonymous,
            UUID_KEY,
            CREATE_WITH_TOKEN,
            json!({}),
        ))
        .await;
    assert_eq!(again, first);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 1);
    // Neither the token nor the key is stored in plain text.
    let stored = app
        .scalar("SELECT COUNT(*) FROM idempotency_keys WHERE response IS NOT NULL")
        .await;
    assert_eq!(stored, 1);
    let rows = app
        .text_column("SELECT response FROM idempotency_keys")
        .await
        + &app
            .text_column("SELECT idem_key FROM idempotency_keys")
            .await
        + &app
            .text_column("SELECT outcome FROM idempotency_keys")
            .await;
    assert!(!rows.contains(&token), "the token is sealed: {rows}");
    assert!(!rows.contains(UUID_KEY), "the key is hashed: {rows}");

    // The same key from a user or a guest is theirs alone: it acts for them.
    let (_, users) = app
        .send(keyed_document(
            &app,
            &Who::User("someone-else".into()),
            UUID_KEY,
            CREATE_WITH_TOKEN,
            json!({}),
        ))
        .await;
    assert_ne!(
        users["data"]["createCart"]["cart"]["id"],
        first["data"]["createCart"]["cart"]["id"]
    );
    assert!(users["data"]["createCart"]["cart"]["token"].is_null());

    // Without credentials a short key (a counter, a constant) is refused: it could collide.
    let (status, body) = app
        .send(keyed_document(
            &app,
            &Who::Anonymous,
            "1",
            CREATE_WITH_TOKEN,
            json!({}),
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 2);
}

#[tokio::test]
async fn a_committed_effect_whose_reply_was_lost_is_answered_once_from_its_record() {
    let app = TestApp::spawn().await;
    let who = Who::User("crash-retrier".into());
    let variables = json!({ "input": { "product": { "sku": "CAP" }, "quantity": 2 } });
    let (_, first) = app
        .send(keyed(&app, &who, "lost-reply", variables.clone()))
        .await;
    assert_eq!(first["data"]["addToCart"]["item"]["quantity"], 2, "{first}");
    // As if the process died between COMMIT and storing the reply.
    app.execute("UPDATE idempotency_keys SET response = NULL")
        .await;

    let (status, retried) = app
        .send(keyed(&app, &who, "lost-reply", variables.clone()))
        .await;
    assert_eq!(status, 200, "{retried}");
    assert!(retried.get("errors").is_none(), "{retried}");
    assert_eq!(retried["data"]["addToCart"]["item"]["quantity"], 2);
    assert_eq!(
        retried["data"]["addToCart"]["item"]["id"],
        first["data"]["addToCart"]["item"]["id"]
    );
    assert_eq!(app.live_quantity().await, 2, "answered, not applied again");
    // The answer is stored now, and later retries replay it.
    let (_, third) = app.send(keyed(&app, &who, "lost-reply", variables)).await;
    assert_eq!(third, retried);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM idempotency_keys WHERE response IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn a_reply_that_mentions_the_in_progress_code_is_still_stored_and_replayed() {
    let app = TestApp::spawn().await;
    let who = Who::User("tricky".into());
    let variables = json!({ "input": {
        "product": { "sku": "CAP" },
        "attributes": [{ "key": "note", "value": "IDEMPOTENCY_IN_PROGRESS" }]
    } });
    let (status, first) = app
        .send(keyed(&app, &who, "odd-text", variables.clone()))
        .await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = app.send(keyed(&app, &who, "odd-text", variables)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first);
    assert_eq!(app.live_quantity().await, 1);
}

#[tokio::test]
async fn a_key_covers_one_mutation_field() {
    let app = TestApp::spawn().await;
    let who = Who::User("two-fields".into());
    let two = "mutation { a: clearCart { cart { id } } ...F } \
               fragment F on Mutation { b: createCart { cart { id } } }";
    let (status, body) = app
        .send(keyed_document(&app, &who, "two", two, json!({})))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM idempotency_keys").await, 0);
}
