//! Metric labels clients cannot exhaust: junk operation names never become labels, and a
//! real operation keeps its own label however many junk names came first.

use serde_json::json;

use crate::{
    helpers::{TestApp, Who},
    observability::scrape,
};

#[tokio::test]
async fn junk_operation_names_do_not_crowd_out_real_operations() {
    let app = TestApp::spawn_with(&[("CARTQL_METRICS_OPERATIONS", "ListedCartView")]).await;
    let who = Who::User("label-bot".into());
    for n in 0..200 {
        // From one bot's address, as junk comes.
        let (status, body) = app
            .post_from(
                "203.0.113.7",
                &who,
                &format!("query JunkName{n} {{ __typename }}"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    app.gql(&who, "query ListedCartView { cart { id } }", json!({}))
        .await;
    app.gql(
        &who,
        "query UnlistedProducts { products(first: 1) { nodes { sku } } }",
        json!({}),
    )
    .await;
    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    for expected in [
        r#"cartql_graphql_requests_total{operation="ListedCartView",type="query",outcome="ok"}"#,
        r#"cartql_graphql_requests_total{operation="products",type="query",outcome="ok"}"#,
        r#"cartql_graphql_requests_total{operation="__typename",type="query",outcome="ok"}"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    assert!(!text.contains("JunkName"), "a client's name became a label");
    assert!(!text.contains(r#"operation="other""#), "{text}");
}
