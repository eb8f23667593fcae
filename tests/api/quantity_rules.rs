//! Quantity rules per product: adds and updates that break one are refused and change
//! nothing; sync and merge bring quantities within the rule and say so.

use serde_json::json;

use crate::helpers::{TestApp, Who};

/// PACK: sold 2 to 10, in pairs.
async fn with_pack(app: &TestApp) {
    let data = app
        .gql(
            &Who::Admin,
            r#"mutation { upsertProducts(products: [{ sku: "PACK", name: "Pack", price: "3.00", stock: 50,
                quantityRule: { minimum: 2, maximum: 10, increment: 2 } }]) {
                products { quantityRule { minimum maximum increment } } userErrors { code field } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["upsertProducts"]["products"][0]["quantityRule"],
        json!({ "minimum": 2, "maximum": 10, "increment": 2 })
    );
}

#[tokio::test]
async fn adds_and_updates_that_break_the_rule_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    with_pack(&app).await;
    let who = Who::User("packer".into());
    let before = app.snapshot().await;
    let refused = app.add(&who, "PACK", 1).await;
    let error = &refused["userErrors"][0];
    assert_eq!(error["code"], "QUANTITY_RULE_VIOLATED", "{refused}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("at least 2, at most 10, in steps of 2")),
        "{error}"
    );
    assert_eq!(app.snapshot().await, before);

    let added = app.add(&who, "PACK", 4).await;
    assert_eq!(added["item"]["quantity"], 4, "{added}");
    // 4 + 8 = 12 is over the maximum.
    let over = app.add(&who, "PACK", 8).await;
    assert_eq!(over["userErrors"][0]["code"], "QUANTITY_RULE_VIOLATED");

    let id = added["item"]["id"].clone();
    let update = "mutation($input: UpdateCartItemInput!) { updateCartItem(input: $input) { item { quantity } userErrors { code field } } }";
    let odd = app
        .gql(
            &who,
            update,
            json!({ "input": { "itemId": id, "quantity": 5 } }),
        )
        .await;
    assert_eq!(
        odd["updateCartItem"]["userErrors"][0]["code"],
        "QUANTITY_RULE_VIOLATED"
    );
    let even = app
        .gql(
            &who,
            update,
            json!({ "input": { "itemId": id, "quantity": 6 } }),
        )
        .await;
    assert_eq!(even["updateCartItem"]["item"]["quantity"], 6);
    assert_eq!(app.live_quantity().await, 6);
}

#[tokio::test]
async fn sync_and_merge_bring_quantities_within_the_rule_and_say_so() {
    let app = TestApp::spawn().await;
    with_pack(&app).await;
    let who = Who::User("syncer".into());
    let sync = "mutation($items: [CartItemInput!]!) { syncCart(items: $items) { cart { items { nodes { quantity } } } userErrors { code } warnings { code message } } }";
    let synced = app
        .gql(
            &who,
            sync,
            json!({ "items": [{ "product": { "sku": "PACK" }, "quantity": 7 }] }),
        )
        .await;
    let payload = &synced["syncCart"];
    assert_eq!(payload["userErrors"], json!([]), "{synced}");
    assert_eq!(payload["cart"]["items"]["nodes"][0]["quantity"], 6);
    assert_eq!(payload["warnings"][0]["code"], "QUANTITY_RULE_APPLIED");

    // The guest holds 8, the user 6: summed to 14, brought to the maximum of 10.
    let guest = app.new_guest().await;
    app.add(&guest, "PACK", 8).await;
    let Who::Guest(token) = &guest else {
        unreachable!("a guest")
    };
    let merged = app
        .gql(
            &who,
            "mutation($t: String!) { mergeGuestCart(guestToken: $t) { cart { items { nodes { quantity } } } warnings { code message } } }",
            json!({ "t": token }),
        )
        .await;
    let payload = &merged["mergeGuestCart"];
    assert_eq!(
        payload["cart"]["items"]["nodes"][0]["quantity"], 10,
        "{merged}"
    );
    assert!(
        payload["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["code"] == "MERGE_ADJUSTED")),
        "{merged}"
    );
}
