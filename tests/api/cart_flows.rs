//! Every cart operation end to end, as a guest and as a signed-in user.

use serde_json::json;

use crate::helpers::{ADD, CART_VIEW, TestApp, Who, error_codes};

#[tokio::test]
async fn a_guest_fills_a_cart_with_the_token_from_create_cart() {
    let app = TestApp::spawn().await;
    let created = app
        .gql(
            &Who::Anonymous,
            "mutation { createCart { cart { id token isEmpty } userErrors { code } } }",
            json!({}),
        )
        .await;
    let token = created["createCart"]["cart"]["token"]
        .as_str()
        .expect("a guest token")
        .to_owned();
    assert!(token.starts_with("cgt_") && token.len() > 40);
    assert_eq!(created["createCart"]["cart"]["isEmpty"], true);
    let guest = Who::Guest(token.clone());

    let added = app.add(&guest, "TEE", 2).await;
    assert_eq!(error_codes(&added), Vec::<String>::new());
    assert_eq!(added["cart"]["id"], created["createCart"]["cart"]["id"]);
    assert_eq!(added["cart"]["token"], token.as_str());
    assert_eq!(added["item"]["quantity"], 2);

    let view = app.gql(&guest, CART_VIEW, json!({})).await;
    let cart = &view["cart"];
    assert_eq!(cart["totalQuantity"], 2);
    let node = &cart["items"]["edges"][0]["node"];
    assert_eq!(node["product"]["sku"], "TEE");
    assert_eq!(node["product"]["shop"]["name"], "Shop A");
    assert_eq!(node["product"]["media"][0]["key"], "cover");
    assert_eq!(node["subtotal"]["amount"], "40.00");
    assert_eq!(cart["cost"]["subtotal"]["formatted"], "$40.00");
    assert_eq!(cart["cost"]["estimatedTax"]["amount"], "4.00");
    assert_eq!(cart["cost"]["total"]["amount"], "44.00");

    // Someone without the token sees no cart.
    let other = app.gql(&Who::Anonymous, "{ cart { id } }", json!({})).await;
    assert!(other["cart"].is_null());
}

#[tokio::test]
async fn a_first_add_without_a_cart_issues_a_guest_token() {
    let app = TestApp::spawn().await;
    let added = app.add(&Who::Anonymous, "MUG", 1).await;
    let token = added["cart"]["token"]
        .as_str()
        .expect("a token for the new cart")
        .to_owned();
    let again = app.add(&Who::Guest(token.clone()), "MUG", 1).await;
    assert_eq!(again["item"]["quantity"], 2);
    assert_eq!(again["cart"]["id"], added["cart"]["id"]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 1);
}

#[tokio::test]
async fn adding_the_same_product_twice_increments_the_line() {
    let app = TestApp::spawn().await;
    let user = Who::User("alice".into());
    let first = app.add(&user, "TEE", 1).await;
    let second = app.add(&user, "TEE", 3).await;
    assert_eq!(first["item"]["id"], second["item"]["id"]);
    assert_eq!(second["item"]["quantity"], 4);
    assert_eq!(second["cart"]["itemCount"], 1);
    assert!(
        second["cart"]["token"].is_null(),
        "a user's cart has no guest token"
    );
}

#[tokio::test]
async fn different_attributes_make_different_lines_and_order_does_not_matter() {
    let app = TestApp::spawn().await;
    let user = Who::User("alice".into());
    let add = |attrs: serde_json::Value| json!({ "input": { "product": { "sku": "KIT" }, "attributes": attrs } });
    let a = app
        .gql(
            &user,
            ADD,
            add(json!([{ "key": "team_id", "value": "20" }, { "key": "size", "value": "M" }])),
        )
        .await;
    let b = app
        .gql(
            &user,
            ADD,
            add(json!([{ "key": "size", "value": "M" }, { "key": "team_id", "value": "20" }])),
        )
        .await;
    let c = app
        .gql(
            &user,
            ADD,
            add(json!([{ "key": "team_id", "value": "80" }])),
        )
        .await;
    assert_eq!(a["addToCart"]["item"]["id"], b["addToCart"]["item"]["id"]);
    assert_eq!(b["addToCart"]["item"]["quantity"], 2);
    assert_ne!(a["addToCart"]["item"]["id"], c["addToCart"]["item"]["id"]);
    assert_eq!(c["addToCart"]["cart"]["itemCount"], 2);
    assert_eq!(
        b["addToCart"]["item"]["attributes"],
        json!([{ "key": "size", "value": "M" }, { "key": "team_id", "value": "20" }])
    );
}

#[tokio::test]
async fn a_product_can_be_named_by_id() {
    let app = TestApp::spawn().await;
    let id = app.product_id("CAP").await;
    let data = app
        .gql(
            &Who::User("bob".into()),
            ADD,
            json!({ "input": { "product": { "id": id }, "quantity": 2 } }),
        )
        .await;
    assert_eq!(data["addToCart"]["item"]["sku"], "CAP");
}

#[tokio::test]
async fn a_user_has_one_cart_that_create_cart_returns_with_items() {
    let app = TestApp::spawn().await;
    let user = Who::User("carol".into());
    let q = "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id token totalQuantity } userErrors { code } } }";
    let first = app
        .gql(
            &user,
            q,
            json!({ "items": [{ "product": { "sku": "TEE" }, "quantity": 2 }] }),
        )
        .await;
    let second = app
        .gql(
            &user,
            q,
            json!({ "items": [{ "product": { "sku": "TEE" } }, { "product": { "sku": "CAP" } }] }),
        )
        .await;
    assert_eq!(
        first["createCart"]["cart"]["id"],
        second["createCart"]["cart"]["id"]
    );
    assert!(second["createCart"]["cart"]["token"].is_null());
    assert_eq!(second["createCart"]["cart"]["totalQuantity"], 4);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 1);
}

const UPDATE: &str = r#"
mutation($input: UpdateCartItemInput!) {
  updateCartItem(input: $input) {
    cart { itemCount totalQuantity }
    item { id quantity attributes { key value } }
    userErrors { code field }
    warnings { code target }
  }
}"#;

const REMOVE: &str = r#"
mutation($id: ID!) {
  removeCartItem(itemId: $id) { cart { itemCount } item { id quantity sku } userErrors { code } }
}"#;

#[tokio::test]
async fn update_sets_an_absolute_quantity_and_zero_removes() {
    for who in [Who::User("dave".into()), Who::Anonymous] {
        let app = TestApp::spawn().await;
        let who = match who {
            Who::Anonymous => app.new_guest().await,
            other => other,
        };
        let added = app.add(&who, "TEE", 5).await;
        let id = added["item"]["id"].clone();
        let updated = app
            .gql(
                &who,
                UPDATE,
                json!({ "input": { "itemId": id, "quantity": 2 } }),
            )
            .await;
        assert_eq!(updated["updateCartItem"]["item"]["quantity"], 2);
        assert_eq!(updated["updateCartItem"]["cart"]["totalQuantity"], 2);

        let removed = app
            .gql(
                &who,
                UPDATE,
                json!({ "input": { "itemId": id, "quantity": 0 } }),
            )
            .await;
        assert_eq!(removed["updateCartItem"]["cart"]["itemCount"], 0);
        assert_eq!(
            removed["updateCartItem"]["item"]["quantity"], 2,
            "the removed line as it was"
        );
        // Soft-deleted: the row stays, hidden.
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM cart_items WHERE deleted_at IS NOT NULL")
                .await,
            1
        );
    }
}

#[tokio::test]
async fn updating_attributes_into_an_existing_line_merges_the_two() {
    let app = TestApp::spawn().await;
    let user = Who::User("erin".into());
    let add = |team: &str, qty: i64| json!({ "input": { "product": { "sku": "KIT" }, "quantity": qty, "attributes": [{ "key": "team_id", "value": team }] } });
    let a = app.gql(&user, ADD, add("20", 2)).await;
    let b = app.gql(&user, ADD, add("80", 1)).await;
    let b_id = b["addToCart"]["item"]["id"].clone();
    let merged = app
        .gql(&user, UPDATE, json!({ "input": { "itemId": b_id, "quantity": 3, "attributes": [{ "key": "team_id", "value": "20" }] } }))
        .await;
    assert_eq!(
        merged["updateCartItem"]["item"]["id"],
        a["addToCart"]["item"]["id"]
    );
    assert_eq!(merged["updateCartItem"]["item"]["quantity"], 5);
    assert_eq!(merged["updateCartItem"]["cart"]["itemCount"], 1);
}

#[tokio::test]
async fn remove_returns_the_line_as_it_was_and_hides_it() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    let added = app.add(&guest, "CAP", 3).await;
    app.add(&guest, "TEE", 1).await;
    let removed = app
        .gql(&guest, REMOVE, json!({ "id": added["item"]["id"] }))
        .await;
    let payload = &removed["removeCartItem"];
    assert_eq!(payload["item"]["sku"], "CAP");
    assert_eq!(payload["item"]["quantity"], 3);
    assert_eq!(payload["cart"]["itemCount"], 1);
    let again = app
        .gql(&guest, REMOVE, json!({ "id": added["item"]["id"] }))
        .await;
    assert_eq!(error_codes(&again["removeCartItem"]), ["ITEM_NOT_FOUND"]);
}

#[tokio::test]
async fn clear_cart_closes_the_cart_and_a_guest_token_stops_working() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 1).await;
    let cleared = app
        .gql(
            &guest,
            "mutation { clearCart { cart { id } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert!(cleared["clearCart"]["cart"].is_null());
    assert!(app.gql(&guest, "{ cart { id } }", json!({})).await["cart"].is_null());
    let after = app.add(&guest, "TEE", 1).await;
    assert_eq!(error_codes(&after), ["INVALID_GUEST_TOKEN"]);
    // Soft-deleted, not gone.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE deleted_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items WHERE deleted_at IS NOT NULL")
            .await,
        1
    );

    let user = Who::User("frank".into());
    let first = app.add(&user, "TEE", 1).await;
    app.gql(&user, "mutation { clearCart { cart { id } } }", json!({}))
        .await;
    let second = app.add(&user, "TEE", 1).await;
    assert_ne!(
        first["cart"]["id"], second["cart"]["id"],
        "a user starts a new cart after clearing"
    );
    assert_eq!(second["item"]["quantity"], 1);
}

#[tokio::test]
async fn cart_summary_flattens_lines_with_shop_names_and_is_zero_without_a_cart() {
    let app = TestApp::spawn().await;
    let user = Who::User("gina".into());
    let q = "{ cartSummary { itemCount totalQuantity isEmpty subtotal { amount } discount { amount } estimatedTax { amount } total { amount } items { itemId sku productName unitPrice { amount } quantity subtotal { amount } image stockQuantity shopId shopName } } }";
    let empty = app.gql(&user, q, json!({})).await;
    assert_eq!(empty["cartSummary"]["isEmpty"], true);
    assert_eq!(empty["cartSummary"]["total"]["amount"], "0.00");

    app.add(&user, "MUG", 2).await;
    app.add(&user, "CAP", 1).await;
    let summary = app.gql(&user, q, json!({})).await["cartSummary"].clone();
    assert_eq!(summary["itemCount"], 2);
    assert_eq!(summary["totalQuantity"], 3);
    assert_eq!(summary["items"][0]["unitPrice"]["amount"], "7.49");
    assert_eq!(summary["items"][1]["shopName"], "Shop B");
    // 2 × 7.49 + 12.34 = 27.32; discount 2 × 2.50; tax 2.732 → 2.73.
    assert_eq!(summary["subtotal"]["amount"], "27.32");
    assert_eq!(summary["discount"]["amount"], "5.00");
    assert_eq!(summary["estimatedTax"]["amount"], "2.73");
    assert_eq!(summary["total"]["amount"], "30.05");
}

#[tokio::test]
async fn cart_items_page_with_cursors() {
    let app = TestApp::spawn().await;
    let user = Who::User("hank".into());
    for sku in ["BULK-001", "BULK-002", "BULK-003"] {
        app.add(&user, sku, 1).await;
    }
    let q = "query($after: String) { cart { items(first: 2, after: $after) { edges { node { sku } } pageInfo { hasNextPage endCursor } } } }";
    let page1 = app.gql(&user, q, json!({ "after": null })).await;
    let items = &page1["cart"]["items"];
    assert_eq!(items["edges"].as_array().map(Vec::len), Some(2));
    assert_eq!(items["pageInfo"]["hasNextPage"], true);
    let page2 = app
        .gql(&user, q, json!({ "after": items["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(
        page2["cart"]["items"]["edges"][0]["node"]["sku"],
        "BULK-003"
    );
    assert_eq!(page2["cart"]["items"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn nobody_reaches_another_callers_lines() {
    let app = TestApp::spawn().await;
    let alice = Who::User("alice".into());
    let guest_a = app.new_guest().await;
    let alice_item = app.add(&alice, "TEE", 1).await["item"]["id"].clone();
    let guest_item = app.add(&guest_a, "TEE", 1).await["item"]["id"].clone();
    let intruders = [
        Who::User("mallory".into()),
        app.new_guest().await,
        Who::Anonymous,
        Who::Admin,
    ];
    let before_intruders = app.snapshot().await;
    for who in &intruders {
        for id in [
            &alice_item,
            &guest_item,
            &json!("01a201cf-0000-7000-8000-000000000000"),
        ] {
            let upd = app
                .gql(
                    who,
                    UPDATE,
                    json!({ "input": { "itemId": id, "quantity": 9 } }),
                )
                .await;
            assert_eq!(
                error_codes(&upd["updateCartItem"]),
                ["ITEM_NOT_FOUND"],
                "{who:?}"
            );
            let rem = app.gql(who, REMOVE, json!({ "id": id })).await;
            assert_eq!(
                error_codes(&rem["removeCartItem"]),
                ["ITEM_NOT_FOUND"],
                "{who:?}"
            );
        }
    }
    assert_eq!(
        app.snapshot().await,
        before_intruders,
        "no intruder changed anything"
    );
}
