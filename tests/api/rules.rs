//! Each userError and warning code, and "nothing changed" after every refusal.

use serde_json::{Value, json};

use crate::helpers::{ADD, TestApp, Who, error_codes, warning_codes};

/// Sends `addToCart` with `input`, asserts the single error code and field, and that the
/// database is exactly as before.
async fn refused(app: &TestApp, who: &Who, input: Value, code: &str, field: &[&str]) {
    let before = app.snapshot().await;
    let data = app.gql(who, ADD, json!({ "input": input })).await;
    let payload = &data["addToCart"];
    assert_eq!(error_codes(payload), [code], "{payload}");
    assert_eq!(payload["userErrors"][0]["field"], json!(field), "{payload}");
    // A refusal names no line; `cart` is the caller's cart as it stands.
    assert!(payload["item"].is_null(), "{payload}");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused {code} changed the database"
    );
}

#[tokio::test]
async fn bad_quantities_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let user = Who::User("u".into());
    app.add(&user, "TEE", 1).await;
    let tee = |q: i64| json!({ "product": { "sku": "TEE" }, "quantity": q });
    refused(
        &app,
        &user,
        tee(0),
        "INVALID_QUANTITY",
        &["input", "quantity"],
    )
    .await;
    refused(
        &app,
        &user,
        tee(-1),
        "INVALID_QUANTITY",
        &["input", "quantity"],
    )
    .await;
    refused(
        &app,
        &user,
        tee(1_000),
        "QUANTITY_LIMIT_EXCEEDED",
        &["input", "quantity"],
    )
    .await;
    // 1 held + 999 requested exceeds the per-line limit.
    refused(
        &app,
        &user,
        tee(999),
        "QUANTITY_LIMIT_EXCEEDED",
        &["input", "quantity"],
    )
    .await;
}

#[tokio::test]
async fn non_integer_quantities_are_bad_user_input() {
    let app = TestApp::spawn().await;
    for quantity in [
        json!(2_147_483_648_i64),
        json!(1.5),
        json!("1"),
        Value::Null,
    ] {
        let before = app.snapshot().await;
        let (status, body) = app
            .post(
                &Who::Anonymous,
                ADD,
                json!({ "input": { "product": { "sku": "TEE" }, "quantity": quantity } }),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            crate::helpers::top_level_code(&body),
            "BAD_USER_INPUT",
            "{body}"
        );
        assert_eq!(app.snapshot().await, before);
    }
}

#[tokio::test]
async fn unknown_unavailable_and_sold_out_products_are_refused() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    let sku = |s: &str| json!({ "product": { "sku": s } });
    refused(
        &app,
        &guest,
        sku("NOPE"),
        "PRODUCT_NOT_FOUND",
        &["input", "product"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku("x'; DROP TABLE products;--"),
        "PRODUCT_NOT_FOUND",
        &["input", "product", "sku"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku("A\u{0}B"),
        "PRODUCT_NOT_FOUND",
        &["input", "product", "sku"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku(&"S".repeat(10_000)),
        "PRODUCT_NOT_FOUND",
        &["input", "product", "sku"],
    )
    .await;
    refused(
        &app,
        &guest,
        json!({ "product": { "id": "01a201cf-0000-7000-8000-000000000000" } }),
        "PRODUCT_NOT_FOUND",
        &["input", "product"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku("RETIRED"),
        "PRODUCT_UNAVAILABLE",
        &["input", "product"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku("SOLDOUT"),
        "OUT_OF_STOCK",
        &["input", "product"],
    )
    .await;
    refused(
        &app,
        &guest,
        sku("EURO"),
        "CURRENCY_MISMATCH",
        &["input", "product"],
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM products WHERE sku = 'TEE'")
            .await,
        1,
        "the catalog is intact"
    );
}

#[tokio::test]
async fn a_refused_first_add_creates_no_cart() {
    let app = TestApp::spawn().await;
    refused(
        &app,
        &Who::Anonymous,
        json!({ "product": { "sku": "SOLDOUT" } }),
        "OUT_OF_STOCK",
        &["input", "product"],
    )
    .await;
    refused(
        &app,
        &Who::User("new".into()),
        json!({ "product": { "sku": "NOPE" } }),
        "PRODUCT_NOT_FOUND",
        &["input", "product"],
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn bad_attributes_are_refused_with_their_position() {
    let app = TestApp::spawn().await;
    let user = Who::User("u".into());
    let with = |attrs: Value| json!({ "product": { "sku": "TEE" }, "attributes": attrs });
    refused(
        &app,
        &user,
        with(json!([{ "key": "ok", "value": "1" }, { "key": "bad key", "value": "x" }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "1", "key"],
    )
    .await;
    refused(
        &app,
        &user,
        with(json!([{ "key": "", "value": "x" }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "0", "key"],
    )
    .await;
    refused(
        &app,
        &user,
        with(json!([{ "key": "k".repeat(65), "value": "x" }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "0", "key"],
    )
    .await;
    refused(
        &app,
        &user,
        with(json!([{ "key": "k", "value": "v".repeat(257) }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "0", "value"],
    )
    .await;
    refused(
        &app,
        &user,
        with(json!([{ "key": "k", "value": "a\u{0}b" }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "0", "value"],
    )
    .await;
    refused(
        &app,
        &user,
        with(json!([{ "key": "k", "value": "1" }, { "key": "k", "value": "2" }])),
        "INVALID_ATTRIBUTE",
        &["input", "attributes", "1", "key"],
    )
    .await;
    let many: Vec<Value> = (0..21)
        .map(|i| json!({ "key": format!("k{i}"), "value": "v" }))
        .collect();
    refused(
        &app,
        &user,
        with(json!(many)),
        "INVALID_ATTRIBUTE",
        &["input", "attributes"],
    )
    .await;
    refused(
        &app,
        &user,
        json!({ "product": { "sku": "KIT" } }),
        "MISSING_REQUIRED_ATTRIBUTE",
        &["input", "attributes"],
    )
    .await;
    refused(
        &app,
        &user,
        json!({ "product": { "sku": "KIT" }, "attributes": [{ "key": "team", "value": "20" }] }),
        "MISSING_REQUIRED_ATTRIBUTE",
        &["input", "attributes"],
    )
    .await;
}

#[tokio::test]
async fn stock_cuts_the_quantity_with_a_warning() {
    let app = TestApp::spawn().await;
    let user = Who::User("u".into());
    let cut = app.add(&user, "LIMITED", 8).await;
    assert_eq!(cut["item"]["quantity"], 5);
    assert_eq!(warning_codes(&cut), ["NOT_ENOUGH_STOCK"]);
    assert_eq!(cut["warnings"][0]["target"], cut["item"]["id"]);
    // The check counts what the line already holds.
    let more = app.add(&user, "LIMITED", 1).await;
    assert_eq!(more["item"]["quantity"], 5);
    assert_eq!(warning_codes(&more), ["NOT_ENOUGH_STOCK"]);
    let update = app
        .gql(&user, "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 9 }) { item { quantity } warnings { code } } }", json!({ "id": cut["item"]["id"] }))
        .await;
    assert_eq!(update["updateCartItem"]["item"]["quantity"], 5);
    assert_eq!(
        warning_codes(&update["updateCartItem"]),
        ["NOT_ENOUGH_STOCK"]
    );
}

#[tokio::test]
async fn the_line_limit_is_enforced() {
    let app = TestApp::spawn_with(&[("CARTQL_MAX_LINES", "3")]).await;
    let user = Who::User("u".into());
    for sku in ["BULK-001", "BULK-002", "BULK-003"] {
        assert_eq!(
            error_codes(&app.add(&user, sku, 1).await),
            Vec::<String>::new()
        );
    }
    refused(
        &app,
        &user,
        json!({ "product": { "sku": "BULK-004" } }),
        "CART_LIMIT_EXCEEDED",
        &["input", "product"],
    )
    .await;
    // Incrementing an existing line is still fine.
    assert_eq!(app.add(&user, "BULK-001", 1).await["item"]["quantity"], 2);
    let q = "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id } userErrors { code field } } }";
    let items: Vec<Value> = (1..=4)
        .map(|n| json!({ "product": { "sku": format!("BULK-{n:03}") } }))
        .collect();
    let before = app.snapshot().await;
    let data = app.gql(&Who::Anonymous, q, json!({ "items": items })).await;
    assert_eq!(error_codes(&data["createCart"]), ["CART_LIMIT_EXCEEDED"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn create_cart_refuses_the_whole_batch_for_one_bad_item() {
    let app = TestApp::spawn().await;
    let q = "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id } userErrors { code field } } }";
    let before = app.snapshot().await;
    let items = json!([{ "product": { "sku": "TEE" } }, { "product": { "sku": "SOLDOUT" } }]);
    let data = app
        .gql(&Who::User("u".into()), q, json!({ "items": items }))
        .await;
    assert_eq!(error_codes(&data["createCart"]), ["OUT_OF_STOCK"]);
    assert_eq!(
        data["createCart"]["userErrors"][0]["field"],
        json!(["items", "1", "product"])
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn update_and_remove_refuse_unknown_lines_and_bad_quantities() {
    let app = TestApp::spawn().await;
    let user = Who::User("u".into());
    let id = app.add(&user, "TEE", 2).await["item"]["id"].clone();
    let before = app.snapshot().await;
    let update = "mutation($input: UpdateCartItemInput!) { updateCartItem(input: $input) { item { id } userErrors { code field } } }";
    for (input, code) in [
        (json!({ "itemId": id, "quantity": -1 }), "INVALID_QUANTITY"),
        (
            json!({ "itemId": id, "quantity": 1_000 }),
            "QUANTITY_LIMIT_EXCEEDED",
        ),
        (json!({ "itemId": "nope", "quantity": 1 }), "ITEM_NOT_FOUND"),
        (
            json!({ "itemId": "x".repeat(10_000), "quantity": 1 }),
            "ITEM_NOT_FOUND",
        ),
        (
            json!({ "itemId": id, "quantity": 1, "attributes": [{ "key": "bad key", "value": "" }] }),
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let data = app.gql(&user, update, json!({ "input": input })).await;
        assert_eq!(error_codes(&data["updateCartItem"]), [code]);
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_dead_guest_token_is_refused_on_mutations_and_reads_as_no_cart() {
    let app = TestApp::spawn().await;
    let ghost = Who::Guest(
        cartql::auth::GuestToken::generate(&crate::helpers::guest_key())
            .expose()
            .to_owned(),
    );
    assert!(app.gql(&ghost, "{ cart { id } }", json!({})).await["cart"].is_null());
    refused(
        &app,
        &ghost,
        json!({ "product": { "sku": "TEE" } }),
        "INVALID_GUEST_TOKEN",
        &["X-Cart-Token"],
    )
    .await;
}
