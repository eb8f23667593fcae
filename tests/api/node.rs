//! Relay object identification: every `Node` type refetches by its global id through `node`
//! and `nodes`, only for callers who may read it; bare keys (the ids from before global ids)
//! still name rows wherever an argument takes an id.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    checkout::{begin, ready_buyer},
    error_codes, key_of,
    pricing::promote,
    top_level_code,
};

const NODE: &str = r#"
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Cart { totalQuantity items { nodes { id quantity } } cost { total { amount } } }
    ... on CartItem { quantity product { sku } subtotal { amount } }
    ... on Product { sku }
    ... on Shop { name }
    ... on Promotion { code }
    ... on Checkout { status cart { id } }
  }
}"#;

const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";

async fn node(app: &TestApp, who: &Who, id: &str) -> Value {
    app.gql(who, NODE, json!({ "id": id })).await["node"].clone()
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// A shopper with a cart of two lines (one from another shop), begun checkout and a
/// promotion: the global ids of each kind.
struct World {
    shopper: Who,
    cart: String,
    line: String,
    product: String,
    shop: String,
    promotion: String,
    checkout: String,
}

async fn world(app: &TestApp) -> World {
    let shopper = Who::User("node-shopper".into());
    let promotion = promote(
        app,
        json!([{ "code": "NODE10", "title": "Ten", "kind": "PERCENTAGE_OFF", "value": "10" }]),
    )
    .await;
    let tee = app.add(&shopper, "TEE", 2).await;
    let cap = app.add(&shopper, "CAP", 1).await;
    let shop = app
        .gql(
            &shopper,
            "{ product(sku: \"CAP\") { id shop { id } } }",
            json!({}),
        )
        .await;
    ready_buyer(app, &shopper).await;
    let checkout = begin(app, &shopper).await;
    World {
        cart: text(&tee["cart"]["id"]),
        line: text(&cap["item"]["id"]),
        product: text(&shop["product"]["id"]),
        shop: text(&shop["product"]["shop"]["id"]),
        promotion: text(&promotion["promotions"][0]["id"]),
        checkout: text(&checkout["checkout"]["id"]),
        shopper,
    }
}

#[tokio::test]
async fn every_node_type_refetches_by_its_global_id() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    for (id, kind) in [
        (&w.cart, "Cart"),
        (&w.line, "CartItem"),
        (&w.product, "Product"),
        (&w.shop, "Shop"),
        (&w.checkout, "Checkout"),
    ] {
        assert!(id.starts_with(&format!("gid://cartql/{kind}/")), "{id}");
        let found = node(&app, &w.shopper, id).await;
        assert_eq!(found["__typename"], kind, "{found}");
        assert_eq!(found["id"], id.as_str(), "{found}");
    }
    let cart = node(&app, &w.shopper, &w.cart).await;
    assert_eq!(cart["totalQuantity"], 3);
    assert_eq!(cart["items"]["nodes"][1]["id"], w.line.as_str());
    assert_eq!(
        cart["cost"]["total"]["amount"].as_str().map(str::is_empty),
        Some(false),
        "a cart by id is priced: {cart}"
    );
    let line = node(&app, &w.shopper, &w.line).await;
    assert_eq!(
        (&line["quantity"], &line["product"]["sku"]),
        (&json!(1), &json!("CAP"))
    );
    assert_eq!(node(&app, &w.shopper, &w.shop).await["name"], "Shop B");
    let checkout = node(&app, &w.shopper, &w.checkout).await;
    assert_eq!(
        (&checkout["status"], &checkout["cart"]["id"]),
        (&json!("HOLDING"), &json!(w.cart))
    );
    let promotion = node(&app, &Who::Admin, &w.promotion).await;
    assert_eq!(
        (&promotion["__typename"], &promotion["code"]),
        (&json!("Promotion"), &json!("NODE10"))
    );
}

#[tokio::test]
async fn nobody_reads_another_callers_nodes_and_foreign_looks_like_missing() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let guest = app.new_guest().await;
    let strangers = [Who::Anonymous, guest, Who::User("someone-else".into())];
    for id in [&w.cart, &w.line, &w.checkout, &w.promotion] {
        let missing = id.replace(key_of(id), "01a201cf-0000-7000-8000-000000000000");
        for who in &strangers {
            let (status, body) = app.post(who, NODE, json!({ "id": id })).await;
            let (missing_status, missing_body) =
                app.post(who, NODE, json!({ "id": missing })).await;
            assert_eq!((status, &body), (missing_status, &missing_body), "{id}");
            assert_eq!(body["data"]["node"], Value::Null, "{id}: {body}");
        }
    }
    // The admin and the order system read carts and checkouts; the catalog is public.
    for who in [Who::Admin, Who::OrderSystem] {
        assert_eq!(node(&app, &who, &w.cart).await["id"], w.cart.as_str());
        assert_eq!(
            node(&app, &who, &w.checkout).await["id"],
            w.checkout.as_str()
        );
    }
    assert_eq!(node(&app, &Who::Anonymous, &w.product).await["sku"], "CAP");
    assert_eq!(
        node(&app, &Who::OrderSystem, &w.promotion).await,
        Value::Null,
        "promotions are the admin's"
    );
}

#[tokio::test]
async fn nodes_keeps_order_with_nulls_and_refuses_long_lists() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let ids = json!([
        w.line,
        "gid://cartql/Cart/nothing",
        w.cart,
        "not a global id",
        w.product
    ]);
    let data = app.gql(&w.shopper, NODES, json!({ "ids": ids })).await;
    let kinds: Vec<Value> = data["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| n["__typename"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            json!("CartItem"),
            Value::Null,
            json!("Cart"),
            Value::Null,
            json!("Product")
        ]
    );

    let many: Vec<String> = (0..101).map(|_| w.cart.clone()).collect();
    let (_, body) = app.post(&w.shopper, NODES, json!({ "ids": many })).await;
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn bare_keys_still_name_rows_and_ids_of_another_type_name_nothing() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("bare-keys".into());
    let added = app.add(&shopper, "TEE", 1).await;
    let line = text(&added["item"]["id"]);
    let bare = app
        .text_column("SELECT id FROM cart_items WHERE live = TRUE")
        .await;
    assert_eq!(line, format!("gid://cartql/CartItem/{bare}"));

    let update = "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 4 }) { item { id quantity } userErrors { code } } }";
    let by_bare = app.gql(&shopper, update, json!({ "id": bare })).await;
    assert_eq!(by_bare["updateCartItem"]["item"]["id"], line.as_str());
    assert_eq!(by_bare["updateCartItem"]["item"]["quantity"], 4);

    let cart_id = text(&added["cart"]["id"]);
    let wrong_kind = app.gql(&shopper, update, json!({ "id": cart_id })).await;
    assert_eq!(
        error_codes(&wrong_kind["updateCartItem"]),
        ["ITEM_NOT_FOUND"]
    );

    let product = app.product_id("TEE").await;
    let bare_product = key_of(&product).to_owned();
    for id in [&product, &bare_product] {
        let found = app
            .gql(
                &Who::Anonymous,
                "query($id: ID) { product(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(found["product"]["id"], product.as_str(), "{id}");
    }
    assert_eq!(
        node(&app, &shopper, &bare).await,
        Value::Null,
        "node wants a global id"
    );
    assert_eq!(app.live_quantity().await, 4);
}
