//! The smaller holes found by attacking the service (issue list item 7): each test failed
//! before its fix.

use serde_json::{Value, json};

use crate::helpers::{CART_VIEW, TestApp, Who, error_codes};

fn amount(money: &Value) -> i128 {
    let text = money["amount"].as_str().expect("an amount");
    let (units, cents) = text.split_once('.').unwrap_or((text, "0"));
    units.parse::<i128>().expect("units") * 100 + cents.parse::<i128>().expect("cents")
}

#[tokio::test]
async fn a_line_priced_in_another_currency_shows_zero_and_the_lines_still_add_up() {
    let app = TestApp::spawn().await;
    let who = Who::User("traveller".into());
    app.add(&who, "CAP", 2).await;
    app.add(&who, "TEE", 1).await;
    // The catalog moves CAP to another currency after it was added.
    let moved = app
        .gql(
            &Who::Admin,
            r#"mutation { upsertProducts(products: [{ sku: "CAP", name: "Cap", price: "9.00",
                 stock: 50, currencyCode: "EUR" }]) { userErrors { code } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(moved["upsertProducts"]["userErrors"], json!([]));

    let cart = app.gql(&who, CART_VIEW, json!({})).await;
    let lines = cart["cart"]["items"]["edges"].as_array().expect("lines");
    let cap = lines
        .iter()
        .map(|edge| &edge["node"])
        .find(|node| node["sku"] == "CAP")
        .expect("the CAP line");
    assert_eq!(cap["unitPrice"]["amount"], "0.00", "{cap}");
    assert_eq!(cap["subtotal"]["amount"], "0.00");
    assert_eq!(cap["availableQuantity"], 0);
    assert_eq!(cap["inStock"], false);
    assert!(cap["compareAtUnitPrice"].is_null());
    let lines_total: i128 = lines
        .iter()
        .map(|edge| amount(&edge["node"]["subtotal"]))
        .sum();
    assert_eq!(lines_total, amount(&cart["cart"]["cost"]["subtotal"]));
    assert!(lines_total > 0, "the TEE line still counts");
}

#[tokio::test]
async fn remove_cart_item_points_at_its_own_item_id_argument() {
    let app = TestApp::spawn().await;
    let who = Who::User("remover".into());
    app.add(&who, "CAP", 1).await;
    let removed = app
        .gql(
            &who,
            "mutation($id: ID!) { removeCartItem(itemId: $id) { userErrors { code field } } }",
            json!({ "id": "no-such-line" }),
        )
        .await;
    assert_eq!(error_codes(&removed["removeCartItem"]), ["ITEM_NOT_FOUND"]);
    assert_eq!(
        removed["removeCartItem"]["userErrors"][0]["field"],
        json!(["itemId"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_catalog_upserts_all_land_without_busy_errors() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let upserts: Vec<_> = (0..12)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let product = json!([{ "sku": format!("RACE-{n}"), "name": "Race",
                                        "price": "1.00", "stock": n }]);
                app.post(
                    &Who::Admin,
                    "mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { products { sku } } }",
                    json!({ "p": product }),
                )
                .await
            })
        })
        .collect();
    for upsert in upserts {
        let (status, body) = upsert.await.expect("an answer");
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM products WHERE sku LIKE 'RACE-%'")
            .await,
        12
    );
}

#[tokio::test]
async fn production_serves_metrics_only_behind_a_token() {
    let secret = [("CARTQL_ENV", "production")];
    let app = TestApp::spawn_with(&secret).await;
    let request = |app: &TestApp| {
        app.request(
            &Who::Anonymous,
            "GET",
            "/metrics",
            "text/plain",
            axum::body::Body::empty(),
        )
    };
    let (status, _) = app.send(request(&app)).await;
    assert_eq!(status.as_u16(), 404);
    let guarded = TestApp::spawn_with(&[
        ("CARTQL_ENV", "production"),
        ("CARTQL_METRICS_TOKEN", "scrape-me"),
    ])
    .await;
    let (status, _) = guarded.send(request(&guarded)).await;
    assert_eq!(status.as_u16(), 401);
    let dev = TestApp::spawn().await;
    let (status, _) = dev.send(request(&dev)).await;
    assert_eq!(status.as_u16(), 200);
}

#[tokio::test]
async fn federation_hides_the_sdl_where_introspection_is_off() {
    let app =
        TestApp::spawn_with(&[("CARTQL_ENV", "production"), ("CARTQL_FEDERATION", "true")]).await;
    for query in [
        "{ _service { sdl } }",
        "query { ...S } fragment S on Query { s: _service { sdl } }",
    ] {
        let (status, body) = app.post(&Who::Anonymous, query, json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }
    let dev = TestApp::spawn_with(&[("CARTQL_FEDERATION", "true")]).await;
    let sdl = dev
        .gql(&Who::Anonymous, "{ _service { sdl } }", json!({}))
        .await;
    assert!(
        sdl["_service"]["sdl"]
            .as_str()
            .is_some_and(|s| s.contains("type Cart"))
    );
}

#[tokio::test]
async fn product_pages_take_the_documented_sizes_only() {
    let app = TestApp::spawn().await;
    for first in [0, 101, -1] {
        let (_, body) = app
            .post(
                &Who::Anonymous,
                "query($f: Int) { products(first: $f) { edges { node { sku } } } }",
                json!({ "f": first }),
            )
            .await;
        assert_eq!(
            crate::helpers::top_level_code(&body),
            "BAD_USER_INPUT",
            "first: {first}: {body}"
        );
    }
    let page = app
        .gql(
            &Who::Anonymous,
            "{ products(first: 1) { edges { node { sku } } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["products"]["edges"].as_array().map(Vec::len), Some(1));
}
