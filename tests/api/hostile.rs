//! R17 and the holes found by attacking the service: documents that would overflow the
//! parser's stack, rate limits dodged with fragments and aliases, and the rest of RELIABILITY.md's R17 list.

use axum::body::Body;
use serde_json::json;

use crate::helpers::{TestApp, Who, top_level_code};

/// `{ product(id: [[[…1…]]]) { id } }` nested `depth` deep with `open`/`close`.
fn nested_argument(open: &str, close: &str, depth: usize) -> String {
    format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[tokio::test]
async fn values_nested_thousands_deep_are_refused_before_parsing_on_post_and_get() {
    let app = TestApp::spawn().await;
    let lists = nested_argument("[", "]", 2_000);
    assert!(lists.len() < 5_000, "a ~4 KB request");
    let objects = nested_argument("{a:", "}", 2_000);
    let selections = format!("{}{}", "{ cart ".repeat(2_000), "}".repeat(2_000));
    for document in [&lists, &objects, &selections] {
        let (status, body) = app
            .post_body(json!({ "query": document }).to_string())
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("levels deep")),
            "{body}"
        );
        let uri = format!(
            "/graphql?query={}",
            serde_urlencoded::to_string([("q", document.as_str())])
                .expect("encodes")
                .trim_start_matches("q=")
        );
        let request = app.request(
            &Who::Anonymous,
            "GET",
            &uri,
            "application/json",
            Body::empty(),
        );
        let (status, body) = app.send(request).await;
        assert_eq!(status.as_u16(), 400, "{body}");
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    }
    // The same request within the bound is answered normally.
    let (status, body) = app
        .post_body(json!({ "query": nested_argument("[", "]", 3) }).to_string())
        .await;
    assert_eq!(status, 200, "{body}");
}

const CREATE: &str = "createCart { cart { id } }";

#[tokio::test]
async fn new_guest_carts_opened_inside_fragments_or_under_aliases_are_counted() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_NEW_CARTS", "3")]).await;
    let in_fragment = format!("mutation {{ ...F }} fragment F on Mutation {{ {CREATE} }}");
    for _ in 0..3 {
        let (status, body) = app.post(&Who::Anonymous, &in_fragment, json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = app.post(&Who::Anonymous, &in_fragment, json!({})).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(top_level_code(&body), "RATE_LIMITED");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 3);

    // Aliases: four carts in one request are more than the whole allowance of three.
    let fresh = TestApp::spawn_with(&[("CARTQL_RATE_NEW_CARTS", "3")]).await;
    let aliased: String = (0..4).map(|i| format!("c{i}: {CREATE} ")).collect();
    let (status, body) = fresh
        .post(
            &Who::Anonymous,
            &format!("mutation {{ {aliased} }}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(fresh.scalar("SELECT COUNT(*) FROM carts").await, 0);
    // Two aliased carts fit, and take two of the three.
    let two: String = (0..2).map(|i| format!("c{i}: {CREATE} ")).collect();
    let (status, body) = fresh
        .post(&Who::Anonymous, &format!("mutation {{ {two} }}"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = fresh
        .post(&Who::Anonymous, &format!("mutation {{ {two} }}"), json!({}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(fresh.scalar("SELECT COUNT(*) FROM carts").await, 2);
}

#[tokio::test]
async fn every_aliased_mutation_takes_from_the_callers_allowance() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_MUTATIONS", "5")]).await;
    let who = Who::User("alias-spender".into());
    let clears: String = (0..4)
        .map(|i| format!("c{i}: clearCart {{ cart {{ id }} }} "))
        .collect();
    let (status, body) = app
        .post(&who, &format!("mutation {{ {clears} }}"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post(&who, &format!("mutation {{ {clears} }}"), json!({}))
        .await;
    assert_eq!(status, 429, "{body}");
}
