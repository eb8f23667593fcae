//! R24, one request multiplying lookups: every `node` and `nodes` id of a request counts
//! against `CARTQL_MAX_NODES` (aliases, fragments and variable defaults included), a request
//! over it is refused before anything runs, and the ids of one `nodes` call are read kind by
//! kind in batches, so 100 ids cost the statements of one.

use axum::http::StatusCode;
use cartql::service::{catalog::ProductSpec, seed};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, top_level_code};

/// 100 more products, so that a page of 100 ids exists.
async fn import_products(app: &TestApp) {
    let extra: Vec<ProductSpec> = (1..=100)
        .map(|n| ProductSpec {
            sku: format!("BUDGET-{n:03}"),
            name: format!("Budget {n}"),
            price: "1.00".into(),
            stock: 10,
            active: true,
            shop_id: Some(format!("shop-{}", n % 3)),
            shop_name: Some(format!("Shop {}", n % 3)),
            ..Default::default()
        })
        .collect();
    let usd = cartql::domain::Currency::parse("USD").expect("USD");
    seed::import(&app.db, extra, usd).await.expect("import");
}

/// The global ids of `count` products.
async fn product_ids(app: &TestApp, count: usize) -> Vec<Value> {
    let data = app
        .gql(
            &Who::Anonymous,
            "query($first: Int) { products(first: $first) { nodes { id } } }",
            json!({ "first": count }),
        )
        .await;
    let ids: Vec<Value> = data["products"]["nodes"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids.len(), count);
    ids
}

/// `fields` aliased `nodes(ids: $ids)` fields.
fn aliased(fields: usize) -> String {
    let body: String = (0..fields)
        .map(|n| format!("a{n}: nodes(ids: $ids) {{ id }} "))
        .collect();
    format!("query($ids: [ID!]!) {{ {body}}}")
}

#[tokio::test]
async fn two_hundred_aliased_nodes_of_100_ids_are_refused_before_anything_runs() {
    let app = TestApp::spawn().await;
    import_products(&app).await;
    let ids = product_ids(&app, 100).await;
    let before = app.statements();
    let (status, body) = app
        .post_from(
            "203.0.113.9",
            &Who::Anonymous,
            &aliased(200),
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    assert_eq!(app.statements() - before, 0, "nothing was read");

    // Exactly the budget runs: 99 ids under two aliases and one `node`.
    let query = "query($a: [ID!]!, $b: [ID!]!, $c: ID!) { x: nodes(ids: $a) { id } \
                 y: nodes(ids: $b) { id } node(id: $c) { id } }";
    let variables = json!({ "a": ids[..50], "b": ids[50..99], "c": ids[99] });
    let data = app.gql(&Who::Anonymous, query, variables).await;
    assert_eq!(data["x"].as_array().map(Vec::len), Some(50));
    assert_eq!(data["node"]["id"], ids[99]);
}

#[tokio::test]
async fn fragments_aliases_and_variable_defaults_all_count_against_the_budget() {
    let app = TestApp::spawn_with(&[("CARTQL_MAX_NODES", "5")]).await;
    let ids = product_ids(&app, 3).await;
    let refused = [
        // Two aliases of three ids.
        (
            "query($ids: [ID!]!) { a: nodes(ids: $ids) { id } b: nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        ),
        // A fragment spread twice, each with three ids.
        (
            "query($ids: [ID!]!) { ...F ... on Query { ...F } } \
             fragment F on Query { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        ),
        // Six `node` fields under aliases.
        (
            "query($id: ID!) { a: node(id: $id) { id } b: node(id: $id) { id } \
             c: node(id: $id) { id } d: node(id: $id) { id } e: node(id: $id) { id } \
             f: node(id: $id) { id } }",
            json!({ "id": ids[0] }),
        ),
        // Ids in a variable's default.
        (
            "query($ids: [ID!]! = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]) { \
             nodes(ids: $ids) { id } }",
            json!({}),
        ),
    ];
    for (query, variables) in refused {
        let before = app.statements();
        let (status, body) = app.post(&Who::Anonymous, query, variables).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{query}: {body}");
        assert_eq!(app.statements() - before, 0, "{query}: nothing was read");
    }
    // Skipped fields do not count; five ids run.
    let query = "query($ids: [ID!]!) { a: nodes(ids: $ids) { id } \
                 b: nodes(ids: $ids) @skip(if: true) { id } c: node(id: \"x\") { id } \
                 d: node(id: \"y\") { id } }";
    let data = app.gql(&Who::Anonymous, query, json!({ "ids": ids })).await;
    assert_eq!(data["a"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn nodes_of_1_10_and_100_products_cost_the_same_statements() {
    let app = TestApp::spawn().await;
    import_products(&app).await;
    let ids = product_ids(&app, 100).await;
    // The lookup itself: what a product's own fields load (its shop) batches on the
    // dataloader's schedule, as for any list of products.
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { sku name } } }";
    let mut counts = Vec::new();
    for count in [1, 10, 100] {
        let before = app.statements();
        let data = app
            .gql(&Who::Anonymous, query, json!({ "ids": ids[..count] }))
            .await;
        counts.push(app.statements() - before);
        let found = data["nodes"].as_array().expect("nodes");
        // In the order asked.
        let back: Vec<&Value> = found.iter().map(|n| &n["id"]).collect();
        assert_eq!(back, ids[..count].iter().collect::<Vec<_>>());
    }
    eprintln!("statements for nodes of 1, 10, 100 products: {counts:?}");
    assert_eq!(counts, [1, 1, 1], "statements for 1, 10, 100 (one batch)");
}

#[tokio::test]
async fn nodes_of_1_and_10_carts_and_their_lines_cost_the_same_statements() {
    let app = TestApp::spawn().await;
    let mut carts = Vec::new();
    let mut lines = Vec::new();
    for n in 0..10 {
        let added = app.add(&Who::User(format!("budget-{n}")), "TEE", 1).await;
        carts.push(added["cart"]["id"].clone());
        lines.push(added["item"]["id"].clone());
    }
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id \
                 ... on Cart { totalQuantity } ... on CartItem { quantity } } }";
    let mut counts = Vec::new();
    for count in [1, 10] {
        let ids: Vec<Value> = carts[..count]
            .iter()
            .chain(&lines[..count])
            .cloned()
            .collect();
        let before = app.statements();
        let data = app.gql(&Who::Admin, query, json!({ "ids": ids })).await;
        counts.push(app.statements() - before);
        let found = data["nodes"].as_array().expect("nodes");
        assert!(found.iter().all(|n| !n.is_null()), "{data}");
        assert_eq!(found[0]["id"], carts[0]);
        assert_eq!(found[count]["id"], lines[0]);
    }
    eprintln!("statements for nodes of 1 and 10 carts with a line each: {counts:?}");
    assert_eq!(counts[0], counts[1], "statements for 1 and 10: {counts:?}");

    // Another caller reads them all as null, like ids that name nothing.
    let ids: Vec<Value> = carts.iter().chain(&lines).cloned().collect();
    let data = app
        .gql(
            &Who::User("budget-other".into()),
            query,
            json!({ "ids": ids }),
        )
        .await;
    assert!(
        data["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(Value::is_null),
        "{data}"
    );
}
