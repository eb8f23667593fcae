//! `product`, `products` and `upsertProducts`.

use serde_json::json;

use crate::helpers::{TestApp, Who, error_codes, top_level_code};

#[tokio::test]
async fn products_search_and_page_by_sku() {
    let app = TestApp::spawn().await;
    let q = "query($s: String, $after: String) { products(search: $s, first: 2, after: $after) { edges { node { sku } } pageInfo { hasNextPage endCursor } } }";
    let page = app
        .gql(&Who::Anonymous, q, json!({ "s": "bulk-00", "after": null }))
        .await;
    let skus: Vec<&str> = page["products"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["sku"].as_str())
        .collect();
    assert_eq!(skus, ["BULK-001", "BULK-002"]);
    let next = app
        .gql(
            &Who::Anonymous,
            q,
            json!({ "s": "bulk-00", "after": page["products"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(next["products"]["edges"][0]["node"]["sku"], "BULK-003");
    // Inactive products are not listed; LIKE wildcards in the search are literal.
    let retired = app
        .gql(&Who::Anonymous, q, json!({ "s": "RETIRED", "after": null }))
        .await;
    assert_eq!(retired["products"]["edges"], json!([]));
    let wildcard = app
        .gql(&Who::Anonymous, q, json!({ "s": "%", "after": null }))
        .await;
    assert_eq!(wildcard["products"]["edges"], json!([]));
    let (_, bad) = app
        .post(&Who::Anonymous, q, json!({ "s": null, "after": "garbage" }))
        .await;
    assert_eq!(top_level_code(&bad), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_product_is_found_by_id_or_sku() {
    let app = TestApp::spawn().await;
    let id = app.product_id("MUG").await;
    let q = "query($id: ID, $sku: String) { product(id: $id, sku: $sku) { sku price { amount } discountPrice { amount } effectivePrice { amount formatted } shop { name } } }";
    let by_id = app
        .gql(&Who::Anonymous, q, json!({ "id": id, "sku": null }))
        .await;
    assert_eq!(by_id["product"]["sku"], "MUG");
    assert_eq!(by_id["product"]["effectivePrice"]["formatted"], "$7.49");
    let missing = app
        .gql(&Who::Anonymous, q, json!({ "id": null, "sku": "NOPE" }))
        .await;
    assert!(missing["product"].is_null());
    let (_, both) = app
        .post(&Who::Anonymous, q, json!({ "id": id, "sku": "MUG" }))
        .await;
    assert_eq!(top_level_code(&both), "BAD_USER_INPUT");
}

const UPSERT: &str = r#"
mutation($products: [ProductInput!]!) {
  upsertProducts(products: $products) {
    products { id sku price { amount } discountPrice { amount } stock shop { name } media { key url } requiredAttributes }
    userErrors { code field message }
  }
}"#;

#[tokio::test]
async fn admins_upsert_products_by_sku() {
    let app = TestApp::spawn().await;
    let product = json!({
        "sku": "NEW-1", "name": "New", "price": "19.99", "discountPrice": "15.00", "stock": 7,
        "shop": { "id": "shop-new", "name": "New Shop" },
        "media": [{ "key": "cover", "url": "/a.png" }, { "key": "gallery", "url": "/b.png" }],
        "requiredAttributes": ["size"]
    });
    let created = app
        .gql(&Who::Admin, UPSERT, json!({ "products": [product] }))
        .await;
    let stored = &created["upsertProducts"]["products"][0];
    assert_eq!(stored["price"]["amount"], "19.99");
    assert_eq!(stored["shop"]["name"], "New Shop");
    assert_eq!(stored["media"][1]["url"], "/b.png");
    let id = stored["id"].clone();

    let changed =
        json!({ "sku": "NEW-1", "name": "Renamed", "price": "21.00", "stock": 3, "media": [] });
    let updated = app
        .gql(&Who::Admin, UPSERT, json!({ "products": [changed] }))
        .await;
    let stored = &updated["upsertProducts"]["products"][0];
    assert_eq!(stored["id"], id, "the SKU keeps its id");
    assert_eq!(stored["stock"], 3);
    assert!(stored["discountPrice"].is_null());
    assert_eq!(stored["media"], json!([]));
}

#[tokio::test]
async fn invalid_products_refuse_the_whole_batch() {
    let app = TestApp::spawn().await;
    let good = json!({ "sku": "OK-1", "name": "Fine", "price": "1.00", "stock": 1 });
    for (bad, field) in [
        (
            json!({ "sku": "BAD SKU", "name": "x", "price": "1.00", "stock": 1 }),
            "sku",
        ),
        (
            json!({ "sku": "B-1", "name": "x", "price": "1.001", "stock": 1 }),
            "price",
        ),
        (
            json!({ "sku": "B-1", "name": "x", "price": "1.00", "discountPrice": "2.00", "stock": 1 }),
            "discountPrice",
        ),
        (
            json!({ "sku": "B-1", "name": "x", "price": "1.00", "stock": -1 }),
            "stock",
        ),
        (
            json!({ "sku": "B-1", "name": "", "price": "1.00", "stock": 1 }),
            "name",
        ),
        (
            json!({ "sku": "B-1", "name": "x", "price": "1.00", "stock": 1, "currencyCode": "DOLLARS" }),
            "currency",
        ),
    ] {
        let before = app.snapshot().await;
        let data = app
            .gql(&Who::Admin, UPSERT, json!({ "products": [good, bad] }))
            .await;
        let payload = &data["upsertProducts"];
        assert_eq!(error_codes(payload), ["INVALID_PRODUCT"]);
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["products", "1", field])
        );
        assert_eq!(app.snapshot().await, before);
    }
}

#[tokio::test]
async fn a_catalog_file_imports_and_reimports_by_sku() {
    let app = TestApp::spawn().await;
    let file = r#"{ "products": [
        { "sku": "FILE-1", "name": "From a file", "price": "3.50", "stock": 4, "shopId": "shop-f", "shopName": "File Shop",
          "media": [{ "key": "cover", "url": "/f.png" }] },
        { "sku": "FILE-2", "name": "Second", "price": "1", "stock": 0, "active": false }
    ] }"#;
    let specs = cartql::service::seed::parse_file(file).expect("a valid catalog file");
    let usd = cartql::domain::Currency::parse("USD").expect("USD");
    assert_eq!(
        cartql::service::seed::import(&app.db, specs, usd)
            .await
            .ok(),
        Some(2)
    );
    let q = "{ product(sku: \"FILE-1\") { price { amount } shop { name } media { url } } }";
    let data = app.gql(&Who::Anonymous, q, json!({})).await;
    assert_eq!(data["product"]["price"]["amount"], "3.50");
    assert_eq!(data["product"]["shop"]["name"], "File Shop");

    let again = cartql::service::seed::parse_file(
        r#"{ "products": [{ "sku": "FILE-1", "name": "Renamed", "price": "4.00", "stock": 9 }] }"#,
    )
    .expect("valid");
    cartql::service::seed::import(&app.db, again, usd)
        .await
        .ok();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM products WHERE sku = 'FILE-1'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT stock FROM products WHERE sku = 'FILE-1'")
            .await,
        9
    );

    let bad = cartql::service::seed::parse_file(
        r#"{ "products": [{ "sku": "FILE-3", "name": "x", "price": "abc", "stock": 1 }] }"#,
    )
    .expect("well-formed JSON");
    let before = app.snapshot().await;
    assert!(
        cartql::service::seed::import(&app.db, bad, usd)
            .await
            .is_err()
    );
    assert_eq!(app.snapshot().await, before);
    assert!(
        cartql::service::seed::parse_file(r#"{ "products": [{ "sku": "X", "nme": "typo" }] }"#)
            .is_err()
    );
}

#[tokio::test]
async fn purge_hard_deletes_only_what_is_past_retention() {
    let app = TestApp::spawn().await;
    let old = app.new_guest().await;
    app.add(&old, "TEE", 1).await;
    app.gql(&old, "mutation { clearCart { cart { id } } }", json!({}))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let kept = Who::User("keeper".into());
    app.add(&kept, "TEE", 1).await;
    let removed = app.add(&kept, "CAP", 1).await;
    app.gql(
        &kept,
        "mutation($id: ID!) { removeCartItem(itemId: $id) { cart { id } } }",
        json!({ "id": removed["item"]["id"] }),
    )
    .await;

    let purged = cartql::service::cart::purge(&app.db, std::time::Duration::from_secs(1))
        .await
        .expect("purge runs");
    assert_eq!(
        (purged.carts, purged.lines),
        (1, 1),
        "the cleared cart and its line"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_events WHERE cart_id NOT IN (SELECT id FROM carts)")
            .await,
        0,
        "the purged cart's history goes with it"
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM cart_events").await >= 3,
        "the kept cart's stays"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items").await,
        2,
        "the fresh removal stays until it ages"
    );
    assert_eq!(
        app.gql(&kept, "{ cart { itemCount } }", json!({})).await["cart"]["itemCount"],
        1
    );
}
