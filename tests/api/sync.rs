//! `syncCart`: the cart becomes exactly the pushed lines, atomically.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, error_codes, warning_codes};

const SYNC: &str = r#"
mutation($items: [CartItemInput!]!) {
  syncCart(items: $items) {
    cart { id totalQuantity items { nodes { id sku quantity attributes { key value } } } }
    userErrors { code field message }
    warnings { code target }
  }
}"#;

fn lines(payload: &Value) -> Vec<(String, i64)> {
    let mut lines: Vec<(String, i64)> = payload["cart"]["items"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|n| {
                    (
                        n["sku"].as_str().unwrap_or_default().to_owned(),
                        n["quantity"].as_i64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    lines.sort();
    lines
}

async fn sync(app: &TestApp, who: &Who, items: Value) -> Value {
    app.gql(who, SYNC, json!({ "items": items })).await["syncCart"].clone()
}

#[tokio::test]
async fn the_cart_becomes_exactly_the_pushed_lines() {
    let app = TestApp::spawn().await;
    let user = Who::User("offline".into());
    let tee = app.add(&user, "TEE", 3).await;
    let tee_id = tee["item"]["id"].as_str().expect("id").to_owned();
    app.add(&user, "MUG", 1).await;

    let payload = sync(
        &app,
        &user,
        json!([
            { "product": { "sku": "TEE" }, "quantity": 1 },
            { "product": { "sku": "CAP" }, "quantity": 2 },
            { "product": { "sku": "CAP" }, "quantity": 3 },
            { "product": { "sku": "LIMITED" }, "quantity": 9 },
        ]),
    )
    .await;
    assert!(error_codes(&payload).is_empty(), "{payload}");
    assert_eq!(
        lines(&payload),
        vec![
            ("CAP".to_owned(), 5),
            ("LIMITED".to_owned(), 5),
            ("TEE".to_owned(), 1)
        ],
        "MUG removed, CAP summed, LIMITED cut to its stock"
    );
    assert_eq!(warning_codes(&payload), vec!["NOT_ENOUGH_STOCK"]);
    let kept = payload["cart"]["items"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .any(|n| n["id"].as_str() == Some(tee_id.as_str()));
    assert!(kept, "a line that stays keeps its id");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items WHERE live IS NOT NULL")
            .await,
        3
    );

    let emptied = sync(&app, &user, json!([])).await;
    assert_eq!(emptied["cart"]["totalQuantity"], 0);
}

#[tokio::test]
async fn one_bad_line_refuses_the_whole_sync() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 2).await;
    let before = app.snapshot().await;
    for (items, code, field) in [
        (
            json!([{ "product": { "sku": "TEE" }, "quantity": 1 }, { "product": { "sku": "SOLDOUT" } }]),
            "OUT_OF_STOCK",
            json!(["items", "1", "product"]),
        ),
        (
            json!([{ "product": { "sku": "KIT" } }]),
            "MISSING_REQUIRED_ATTRIBUTE",
            json!(["items", "0", "attributes"]),
        ),
        (
            json!([{ "product": { "sku": "TEE" }, "quantity": 0 }]),
            "INVALID_QUANTITY",
            json!(["items", "0", "quantity"]),
        ),
        (
            json!([{ "product": { "sku": "TEE" }, "quantity": 600 }, { "product": { "sku": "TEE" }, "quantity": 600 }]),
            "QUANTITY_LIMIT_EXCEEDED",
            json!(["items", "0", "quantity"]),
        ),
    ] {
        let payload = sync(&app, &guest, items).await;
        assert_eq!(error_codes(&payload), vec![code], "{payload}");
        assert_eq!(payload["userErrors"][0]["field"], field);
        assert_eq!(
            lines(&payload),
            vec![("TEE".to_owned(), 2)],
            "the cart as it was"
        );
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
}

/// Concurrent syncs of one cart never interleave: the cart ends as exactly one of the lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_syncs_leave_exactly_one_of_the_lists() {
    let app = Arc::new(TestApp::spawn().await);
    let user = Who::User("two-devices".into());
    app.add(&user, "TEE", 1).await;
    let lists: Vec<Value> = (1..=8)
        .map(|n| {
            json!([
                { "product": { "sku": format!("BULK-{n:03}") }, "quantity": n },
                { "product": { "sku": "TEE" }, "quantity": n },
            ])
        })
        .collect();
    let tasks: Vec<_> = lists
        .into_iter()
        .map(|items| {
            let (app, user) = (app.clone(), user.clone());
            tokio::spawn(async move { sync(&app, &user, items).await })
        })
        .collect();
    for task in tasks {
        let payload = task.await.expect("the sync finished");
        assert!(error_codes(&payload).is_empty(), "{payload}");
    }
    let end = app
        .gql(
            &user,
            "{ cart { items { nodes { sku quantity } } } }",
            json!({}),
        )
        .await;
    let mut nodes: Vec<(String, i64)> = end["cart"]["items"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["sku"].as_str().unwrap_or("").to_owned(),
                n["quantity"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    nodes.sort();
    assert_eq!(nodes.len(), 2, "{nodes:?}");
    let n = nodes[1].1;
    assert_eq!(
        nodes[0],
        (format!("BULK-{n:03}"), n),
        "one list, whole: {nodes:?}"
    );
    assert_eq!(nodes[1].0, "TEE");
}
