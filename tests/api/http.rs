//! The HTTP edge: content types, batches, malformed JSON, body size, health.

use axum::body::Body;
use serde_json::json;

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
