//! The admin `carts` list: filters, ordering, cursors, `totalCount`, and who may call it.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, top_level_code};

const CARTS: &str = r#"
query($filter: CartFilter, $orderBy: [CartOrder!], $first: Int, $after: String) {
  carts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    nodes { id version totalQuantity items(first: 50) { nodes { sku attributes { key value } } } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

/// Three user carts and two guest carts with distinct contents.
async fn shop_floor(app: &TestApp) {
    let add = |who: Who, sku: &'static str, attributes: Value| async move {
        app.gql(
            &who,
            crate::helpers::ADD,
            json!({ "input": { "product": { "sku": sku }, "attributes": attributes } }),
        )
        .await
    };
    add(Who::User("ann".into()), "TEE", json!([])).await;
    add(
        Who::User("ann".into()),
        "KIT",
        json!([{ "key": "team_id", "value": "20" }]),
    )
    .await;
    add(Who::User("bob".into()), "MUG", json!([])).await;
    add(
        Who::User("cyd".into()),
        "KIT",
        json!([{ "key": "team_id", "value": "200" }]),
    )
    .await;
    app.add(&app.new_guest().await, "CAP", 1).await;
    app.new_guest().await;
}

async fn list(app: &TestApp, variables: Value) -> Value {
    let (_, body) = app.post(&Who::Admin, CARTS, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["carts"].clone()
}

fn count(page: &Value) -> i64 {
    page["totalCount"].as_i64().expect("a count")
}

#[tokio::test]
async fn filters_narrow_the_list_and_count_every_match() {
    let app = TestApp::spawn().await;
    shop_floor(&app).await;
    let cases = [
        (json!({}), 5),
        (json!({ "kind": "GUEST" }), 2),
        (json!({ "kind": "USER" }), 3),
        (json!({ "userIds": ["ann", "bob"] }), 2),
        (json!({ "skus": ["KIT"] }), 2),
        (
            json!({ "lineAttribute": { "key": "team_id", "value": "20" } }),
            1,
        ),
        (json!({ "isEmpty": true }), 1),
        (json!({ "isEmpty": false }), 4),
        (json!({ "search": "product mu" }), 1),
        (json!({ "search": "AN" }), 1),
        (json!({ "search": "%" }), 0),
        (
            json!({ "updatedAfter": "2000-01-01T00:00:00Z", "updatedBefore": "2100-01-01T00:00:00Z" }),
            5,
        ),
        (json!({ "abandonedForHours": 1 }), 0),
        (json!({ "skus": ["x' OR 1=1 --"] }), 0),
        (json!({ "status": "CLOSED" }), 0),
    ];
    for (filter, expected) in cases {
        let page = list(&app, json!({ "filter": filter })).await;
        assert_eq!(count(&page), expected, "{filter}");
        assert_eq!(
            page["nodes"].as_array().map(Vec::len),
            Some(expected as usize),
            "{filter}"
        );
    }
    let ann = list(&app, json!({ "filter": { "userIds": ["ann"] } })).await;
    assert_eq!(ann["nodes"][0]["totalQuantity"], 2);

    // Abandoned: ann's cart unchanged for two days.
    app.set_cart_time(
        "updated_at",
        chrono::Utc::now() - chrono::Duration::days(2),
        "user_id = 'ann'",
    )
    .await;
    let abandoned = list(&app, json!({ "filter": { "abandonedForHours": 24 } })).await;
    assert_eq!(count(&abandoned), 1);
}

#[tokio::test]
async fn cursors_walk_every_cart_once_in_a_multi_key_order() {
    let app = TestApp::spawn().await;
    shop_floor(&app).await;
    for order in [
        json!([{ "field": "UPDATED_AT" }]),
        json!([{ "field": "VERSION", "direction": "ASC" }, { "field": "CREATED_AT", "direction": "DESC" }]),
    ] {
        let mut seen = Vec::new();
        let mut versions = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = list(
                &app,
                json!({ "orderBy": order, "first": 2, "after": after, "filter": { "status": "ANY" } }),
            )
            .await;
            for node in page["nodes"].as_array().expect("nodes") {
                seen.push(node["id"].as_str().unwrap_or_default().to_owned());
                versions.push(node["version"].as_i64().unwrap_or_default());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), 5, "{order}: {seen:?}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            5,
            "no cart twice"
        );
        if order[0]["field"] == "VERSION" {
            assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
        }
    }

    // A cursor is bound to its ordering.
    let page = list(&app, json!({ "first": 1 })).await;
    let (_, body) = app
        .post(
            &Who::Admin,
            CARTS,
            json!({ "after": page["pageInfo"]["endCursor"], "orderBy": [{ "field": "VERSION" }] }),
        )
        .await;
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn only_admins_list_carts_and_bad_arguments_are_coded() {
    let app = TestApp::spawn().await;
    shop_floor(&app).await;
    let (_, body) = app.post(&Who::User("ann".into()), CARTS, json!({})).await;
    assert_eq!(top_level_code(&body), "FORBIDDEN");
    let guest = app.new_guest().await;
    let (_, body) = app.post(&guest, CARTS, json!({})).await;
    assert_eq!(top_level_code(&body), "UNAUTHENTICATED");
    for variables in [
        json!({ "first": 101 }),
        json!({ "filter": { "abandonedForHours": 0 } }),
        json!({ "filter": { "search": "x".repeat(101) } }),
        json!({ "filter": { "lineAttribute": { "key": "bad key", "value": "x" } } }),
        json!({ "orderBy": [{ "field": "VERSION" }, { "field": "VERSION" }] }),
    ] {
        let (_, body) = app.post(&Who::Admin, CARTS, variables.clone()).await;
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{variables}");
    }
}

#[tokio::test]
async fn closed_carts_show_what_they_held_and_their_history() {
    let app = TestApp::spawn().await;
    let user = Who::User("leaver".into());
    app.add(&user, "TEE", 3).await;
    app.gql(
        &user,
        "mutation { clearCart { userErrors { code } } }",
        json!({}),
    )
    .await;
    let (_, body) = app
        .post(
            &Who::Admin,
            "{ carts(filter: { status: CLOSED }) { nodes { totalQuantity events { nodes { kind } } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["carts"]["nodes"][0];
    assert_eq!(node["totalQuantity"], 3, "{body}");
    let kinds: Vec<&str> = node["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["CREATED", "ADDED", "CLEARED"]);
}

#[tokio::test]
async fn attribute_filters_match_exactly_on_every_backend() {
    let app = TestApp::spawn().await;
    app.gql(
        &Who::User("dee".into()),
        crate::helpers::ADD,
        json!({ "input": { "product": { "sku": "KIT" },
                "attributes": [{ "key": "team_id", "value": "Red_1%" }] } }),
    )
    .await;
    app.gql(
        &Who::User("dee".into()),
        "mutation { updateCartAttributes(attributes: [{ key: \"Channel\", value: \"Web\" }]) { userErrors { code } } }",
        json!({}),
    )
    .await;
    let line = |value: &str| json!({ "filter": { "lineAttribute": { "key": "team_id", "value": value } } });
    let cart = |key: &str, value: &str| json!({ "filter": { "cartAttribute": { "key": key, "value": value } } });
    assert_eq!(count(&list(&app, line("Red_1%")).await), 1);
    // Case, wildcards and partial values never match: LIKE would on some backends.
    for other in ["red_1%", "RED_1%", "Red_1", "Red%1%", "Red_1_"] {
        assert_eq!(count(&list(&app, line(other)).await), 0, "{other}");
    }
    assert_eq!(count(&list(&app, cart("Channel", "Web")).await), 1);
    assert_eq!(count(&list(&app, cart("channel", "Web")).await), 0);
    assert_eq!(count(&list(&app, cart("Channel", "web")).await), 0);
}
