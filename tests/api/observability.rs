//! `/metrics`: what a Prometheus scrape sees after real traffic, and its token.

use axum::{
    body::Body,
    http::{Request, header},
};
use serde_json::json;

use crate::helpers::{TestApp, Who};

pub async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, _, body) = app
        .send_raw(request.body(Body::empty()).expect("a request"))
        .await;
    (status.as_u16(), String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_scrape_shows_operations_user_errors_loader_batches_and_the_pool() {
    let app =
        TestApp::spawn_with(&[("CARTQL_METRICS_OPERATIONS", "MeteredView,MeteredRefusal")]).await;
    let who = Who::User("metered".into());
    app.add(&who, "TEE", 1).await;
    app.gql(
        &who,
        "query MeteredView { cart { items { nodes { product { media { url } } } } } }",
        json!({}),
    )
    .await;
    // The catalog's products take their media through the batching loader.
    app.gql(
        &who,
        "{ products(first: 5) { nodes { media { url } } } }",
        json!({}),
    )
    .await;
    let refused = app
        .gql(
            &who,
            "mutation MeteredRefusal { addToCart(input: { product: { sku: \"NO-SUCH\" } }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        refused["addToCart"]["userErrors"][0]["code"],
        "PRODUCT_NOT_FOUND"
    );
    app.post(&who, "{ nope }", json!({})).await;

    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    for expected in [
        r#"cartql_graphql_requests_total{operation="MeteredView",type="query",outcome="ok"}"#,
        r#"cartql_graphql_requests_total{operation="MeteredRefusal",type="mutation",outcome="ok"}"#,
        r#"cartql_graphql_requests_total{operation="invalid",type="query",outcome="rejected"}"#,
        r#"cartql_graphql_requests_total{operation="products",type="query",outcome="ok"}"#,
        r#"cartql_graphql_request_duration_seconds_bucket{operation="MeteredView",type="query",le="0.1"}"#,
        r#"cartql_graphql_errors_total{code="BAD_USER_INPUT"}"#,
        r#"cartql_user_errors_total{code="PRODUCT_NOT_FOUND"}"#,
        r#"cartql_http_responses_total{status="200"}"#,
        r#"cartql_dataloader_batch_size_count{loader="media"}"#,
        r#"cartql_db_pool_connections{state="idle"}"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
}

#[tokio::test]
async fn the_metrics_token_guards_the_scrape_and_metrics_can_be_off() {
    let app = TestApp::spawn_with(&[("CARTQL_METRICS_TOKEN", "scrape-secret")]).await;
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("wrong")).await.0, 401);
    assert_eq!(scrape(&app, Some("scrape-secret")).await.0, 200);
    // RFC 6750 §3: an error code only when a token was sent.
    for (token, challenge) in [
        (None, r#"Bearer realm="cartql-metrics""#),
        (
            Some("Bearer wrong"),
            r#"Bearer realm="cartql-metrics", error="invalid_token""#,
        ),
    ] {
        let mut request = Request::get("/metrics");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, token);
        }
        let (_, headers, _) = app
            .send_raw(request.body(Body::empty()).expect("a request"))
            .await;
        assert_eq!(headers[header::WWW_AUTHENTICATE], challenge);
    }

    let off = TestApp::spawn_with(&[("CARTQL_METRICS", "false")]).await;
    assert_eq!(scrape(&off, None).await.0, 404);
}
