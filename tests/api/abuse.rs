//! Hostile documents are refused before execution with a coded error.

use serde_json::json;

use crate::helpers::{TestApp, Who, top_level_code};

async fn refused(app: &TestApp, query: &str) -> serde_json::Value {
    let before = app.snapshot().await;
    let (status, body) = app.post(&Who::Anonymous, query, json!({})).await;
    assert!(status == 400 || status == 200, "{status}");
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body.get("data").is_none_or(serde_json::Value::is_null),
        "{body}"
    );
    assert_eq!(app.snapshot().await, before);
    body
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_before_execution() {
    let app = TestApp::spawn().await;
    let mut query =
        String::from("mutation { createCart { cart { ...F9 } } } fragment F0 on Cart { id }\n");
    for level in 1..10 {
        let spreads = format!("...F{} ", level - 1).repeat(6);
        query.push_str(&format!("fragment F{level} on Cart {{ {spreads} }}\n"));
    }
    assert!(query.len() < 1_024);
    let body = refused(&app, &query).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("fragments are expanded"))
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn deep_nesting_aliases_and_directives_are_refused() {
    let app = TestApp::spawn().await;
    let deep = format!(
        "{{ {}id{} }}",
        "cart { items { edges { node { product { shop { ".repeat(2),
        " } } } } } }".repeat(2)
    );
    refused(&app, &deep).await;
    let aliases: String = (0..3_000).map(|i| format!("a{i}:cart{{id}} ")).collect();
    refused(&app, &format!("{{ {aliases} }}")).await;
    refused(
        &app,
        &format!("{{ cart {} {{ id }} }}", "@include(if: true) ".repeat(10)),
    )
    .await;
    refused(
        &app,
        "query { cart { ...A } } fragment A on Cart { ...B } fragment B on Cart { ...A }",
    )
    .await;
}

#[tokio::test]
async fn list_fields_are_costed_by_page_size() {
    let app = TestApp::spawn().await;
    // 100 products per page × many fields each, twice over through aliases.
    let fields = "id sku name description stock image active requiredAttributes price { amount currencyCode formatted } effectivePrice { amount currencyCode formatted } media { key url } shop { id name }";
    let page = format!("products(first: 100) {{ edges {{ cursor node {{ {fields} }} }} }}");
    let query: String = (0..20).map(|i| format!("p{i}: {page} ")).collect();
    let body = refused(&app, &format!("{{ {query} }}")).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("complex")),
        "{body}"
    );
}

#[tokio::test]
async fn a_mutation_running_more_than_fifty_root_fields_is_refused_whole() {
    let app = TestApp::spawn_with(&[
        ("CARTQL_RATE_MUTATIONS", "100000"),
        ("CARTQL_RATE_NEW_CARTS", "100000"),
    ])
    .await;
    let aliases = |n: usize| -> String {
        (0..n)
            .map(|i| format!("a{i}: createCart {{ cart {{ id }} }} "))
            .collect()
    };
    let body = refused(&app, &format!("mutation {{ {} }}", aliases(51))).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 50 mutations")),
        "{body}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
    // Fifty run.
    let (_, ran) = app
        .post(
            &Who::Anonymous,
            &format!("mutation {{ {} }}", aliases(50)),
            json!({}),
        )
        .await;
    assert!(ran.get("errors").is_none(), "{ran}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 50);
}
