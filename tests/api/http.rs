//! The HTTP edge: content types, batches, malformed JSON, body size, health.

use axum::body::Body;
use serde_json::json;

use tower::ServiceExt;

use crate::helpers::{TestApp, Who, top_level_code};

#[tokio::test]
async fn only_json_posts_are_executed() {
    let app = TestApp::spawn().await;
    let body = json!({ "query": "mutation { createCart { cart { id } } }" }).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let request = app.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            content_type,
            Body::from(body.clone()),
        );
        let (status, response) = app.send(request).await;
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(top_level_code(&response), "BAD_USER_INPUT");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn batches_and_malformed_json_are_refused_without_internals() {
    let app = TestApp::spawn().await;
    let batch = json!([{ "query": "mutation { createCart { cart { id } } }" }]).to_string();
    let (status, body) = app
        .send(app.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            "application/json",
            Body::from(batch),
        ))
        .await;
    assert_eq!(status, 400);
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    let (status, body) = app
        .send(app.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            "application/json",
            Body::from("{\"query\": "),
        ))
        .await;
    assert_eq!(status, 400);
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        !message.contains("line") && !message.contains("EOF"),
        "{message}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused() {
    let app = TestApp::spawn().await;
    let big =
        json!({ "query": format!("{{ cart {{ id }} }} #{}", "x".repeat(70 * 1024)) }).to_string();
    let (status, _) = app
        .send(app.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            "application/json",
            Body::from(big),
        ))
        .await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn graphiql_health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let (status, page) = app
        .send(app.request(
            &Who::Anonymous,
            "GET",
            "/graphql",
            "text/html",
            Body::empty(),
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.as_str().is_some_and(|html| html.contains("graphiql")));
    assert_eq!(
        app.send(app.request(
            &Who::Anonymous,
            "GET",
            "/healthz",
            "text/plain",
            Body::empty()
        ))
        .await
        .0,
        200
    );
    assert_eq!(
        app.send(app.request(
            &Who::Anonymous,
            "GET",
            "/readyz",
            "text/plain",
            Body::empty()
        ))
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn parse_and_validation_errors_carry_a_code() {
    let app = TestApp::spawn().await;
    for query in [
        "{ cart { id ",
        "{ cart { nope } }",
        "mutation { addToCart { cart { id } } }",
    ] {
        let (status, body) = app.post(&Who::Anonymous, query, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
}

#[tokio::test]
async fn operations_are_never_executed_over_get() {
    let app = TestApp::spawn().await;
    let uri =
        "/graphql?query=mutation%20%7B%20createCart%20%7B%20cart%20%7B%20id%20%7D%20%7D%20%7D";
    let (status, body) = app
        .send(app.request(
            &Who::Anonymous,
            "GET",
            uri,
            "application/json",
            Body::empty(),
        ))
        .await;
    assert_eq!(status, 405);
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    let (status, _) = app
        .send(app.request(
            &Who::Anonymous,
            "PUT",
            "/graphql",
            "application/json",
            Body::empty(),
        ))
        .await;
    assert_eq!(status, 405);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn a_streamed_body_without_content_length_is_cut_at_64_kib() {
    let app = TestApp::spawn().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = std::iter::once(Ok(
        br#"{"query":"mutation { createCart { cart { id } } }","x":""#.to_vec(),
    ))
    .chain((0..100).map(|_| Ok(vec![b'a'; 1024])))
    .chain(std::iter::once(Ok(br#""}"#.to_vec())))
    .collect();
    let body = Body::from_stream(futures::stream::iter(chunks));
    let request = app.request(
        &Who::Anonymous,
        "POST",
        "/graphql",
        "application/json",
        body,
    );
    assert!(request.headers().get("content-length").is_none());
    let (status, _) = app.send(request).await;
    assert_eq!(status, 413);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let app = TestApp::spawn_with(&[("CARTQL_CORS_ORIGINS", "https://shop.example")]).await;
    let preflight = |origin: &str| {
        axum::http::Request::builder()
            .method("OPTIONS")
            .uri("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization,x-cart-token",
            )
            .body(Body::empty())
            .expect("request")
    };
    let allowed = app
        .router
        .clone()
        .oneshot(preflight("https://shop.example"))
        .await
        .expect("response");
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"https://shop.example"[..])
    );
    let refused = app
        .router
        .clone()
        .oneshot(preflight("https://evil.example"))
        .await
        .expect("response");
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn mutations_are_rate_limited_per_caller() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_MUTATIONS", "3")]).await;
    let alice = Who::User("alice".into());
    for _ in 0..3 {
        assert!(app.add(&alice, "TEE", 1).await["item"]["quantity"].is_number());
    }
    let before = app.snapshot().await;
    let request = app.request(&alice, "POST", "/graphql", "application/json", Body::from(json!({ "query": crate::helpers::ADD, "variables": { "input": { "product": { "sku": "TEE" } } } }).to_string()));
    let response = app.router.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), 429);
    let wait: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(wait >= 1);
    assert_eq!(app.snapshot().await, before);
    // A lone named mutation sent without `operationName` counts too.
    let named =
        "mutation Named { addToCart(input: { product: { sku: \"TEE\" } }) { item { id } } }";
    assert_eq!(app.post(&alice, named, json!({})).await.0, 429);
    assert_eq!(app.snapshot().await, before);
    // Queries are not counted, and other callers have their own allowance.
    assert_eq!(app.post(&alice, "{ cart { id } }", json!({})).await.0, 200);
    assert_eq!(
        app.add(&Who::User("bob".into()), "TEE", 1).await["item"]["quantity"],
        1
    );
}

#[tokio::test]
async fn guest_cart_creation_is_rate_limited() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_NEW_CARTS", "2")]).await;
    let open = "mutation { createCart { cart { id } } }";
    assert_eq!(app.post(&Who::Anonymous, open, json!({})).await.0, 200);
    assert_eq!(app.post(&Who::Anonymous, open, json!({})).await.0, 200);
    let (status, body) = app.post(&Who::Anonymous, open, json!({})).await;
    assert_eq!(status, 429);
    assert_eq!(top_level_code(&body), "RATE_LIMITED");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 2);
    // Every mutation that opens a cart for an anonymous caller counts.
    for other in [
        "mutation { syncCart(items: []) { cart { id } } }",
        "mutation { updateCartAttributes(attributes: []) { cart { id } } }",
    ] {
        assert_eq!(app.post(&Who::Anonymous, other, json!({})).await.0, 429);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 2);
    // A signed-in user's cart is not a guest cart.
    assert_eq!(
        app.post(&Who::User("u".into()), open, json!({})).await.0,
        200
    );
}

#[tokio::test]
async fn a_request_over_the_timeout_gets_a_coded_503() {
    let app = TestApp::spawn_with(&[("CARTQL_REQUEST_TIMEOUT", "1s")]).await;
    // On MySQL the abandoned statement keeps waiting for the lock inside the server, and the
    // test database cannot be dropped under it; the answer is the HTTP layer's alone, so
    // SQLite and PostgreSQL show it.
    if app.db.get_database_backend() == sea_orm::DbBackend::MySql {
        return;
    }
    let who = Who::User("waiting".into());
    app.add(&who, "TEE", 1).await;
    // The cart stays locked, so the next change waits past the timeout.
    let txn = app.hold_cart_locks().await;
    let request = app.request(
        &who,
        "POST",
        "/graphql",
        "application/json",
        Body::from(
            json!({ "query": crate::helpers::ADD, "variables": { "input": { "product": { "sku": "TEE" } } } })
                .to_string(),
        ),
    );
    let (status, headers, body) = app.send_raw(request).await;
    txn.rollback().await.expect("release the locks");
    assert_eq!(status, 503);
    assert_eq!(
        headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
    assert_eq!(top_level_code(&body), "SERVICE_UNAVAILABLE");
}
