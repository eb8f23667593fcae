//! The storefront operations in `examples/operations.graphql` run as written, within every
//! limit, for a guest and for a user.

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, error_codes};

const OPERATIONS: &str = include_str!("../../examples/operations.graphql");

/// The top-level definitions of the file: (name, text).
fn definitions() -> Vec<(String, String)> {
    let text: String = OPERATIONS
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let (mut out, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in text.chars() {
        current.push(c);
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let definition = std::mem::take(&mut current).trim().to_owned();
                    let name = definition.split_whitespace().nth(1).unwrap_or_default();
                    let name = name.split(['(', '{']).next().unwrap_or_default().to_owned();
                    out.push((name, definition));
                }
            }
            _ => {}
        }
    }
    out
}

/// One operation with exactly the fragments it uses, as a client's codegen sends it.
fn document(operation: &str) -> String {
    let all = definitions();
    let mut wanted = vec![operation.to_owned()];
    let mut included: Vec<&(String, String)> = Vec::new();
    while let Some(name) = wanted.pop() {
        let Some(definition) = all.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        if included.iter().any(|(n, _)| *n == name) {
            continue;
        }
        for spread in definition.1.split("...").skip(1) {
            let fragment: String = spread
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            wanted.push(fragment);
        }
        included.push(definition);
    }
    included
        .iter()
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn run(app: &TestApp, who: &Who, name: &str, variables: Value) -> Value {
    let body = json!({ "query": document(name), "operationName": name, "variables": variables });
    let request = app.request(
        who,
        "POST",
        "/graphql",
        "application/json",
        axum::body::Body::from(body.to_string()),
    );
    let (status, response) = app.send(request).await;
    assert_eq!(status, 200, "{name}: {response}");
    assert!(response.get("errors").is_none(), "{name}: {response}");
    response["data"].clone()
}

#[tokio::test]
async fn every_example_operation_runs_for_guests_and_users() {
    let app = TestApp::spawn().await;
    let created = run(
        &app,
        &Who::Anonymous,
        "CreateCart",
        json!({ "items": [{ "product": { "sku": "TEE" } }] }),
    )
    .await;
    let guest = Who::Guest(
        created["createCart"]["cart"]["token"]
            .as_str()
            .expect("token")
            .to_owned(),
    );
    for who in [guest, Who::User("shopper".into())] {
        let add = json!({ "input": { "product": { "sku": "KIT" }, "quantity": 2, "attributes": [{ "key": "team_id", "value": "20" }] } });
        let added = run(&app, &who, "AddToCart", add).await;
        assert_eq!(error_codes(&added["addToCart"]), Vec::<String>::new());
        let item = added["addToCart"]["item"]["id"].clone();
        run(&app, &who, "CartView", json!({})).await;
        run(&app, &who, "CartSummary", json!({})).await;
        run(&app, &who, "Product", json!({ "sku": "KIT" })).await;
        run(
            &app,
            &who,
            "Products",
            json!({ "search": "bulk", "first": 5 }),
        )
        .await;
        let updated = run(
            &app,
            &who,
            "UpdateCartItem",
            json!({ "input": { "itemId": item, "quantity": 3 } }),
        )
        .await;
        assert_eq!(updated["updateCartItem"]["item"]["quantity"], 3);
        run(&app, &who, "RemoveCartItem", json!({ "itemId": item })).await;
        let synced = run(
            &app,
            &who,
            "SyncCart",
            json!({ "items": [{ "product": { "sku": "TEE" }, "quantity": 2 }] }),
        )
        .await;
        assert_eq!(synced["syncCart"]["cart"]["totalQuantity"], 2);
        let noted = run(
            &app,
            &who,
            "UpdateCartAttributes",
            json!({ "attributes": [{ "key": "gift", "value": "yes" }], "note": "Ring twice" }),
        )
        .await;
        assert_eq!(noted["updateCartAttributes"]["cart"]["note"], "Ring twice");
        let history = run(&app, &who, "CartHistory", json!({ "first": 50 })).await;
        assert!(
            history["cart"]["events"]["nodes"]
                .as_array()
                .is_some_and(|e| e.len() >= 5)
        );
        run(&app, &who, "ClearCart", json!({})).await;
    }
    // A guest cart folded into a user's cart on sign-in.
    let guest = run(
        &app,
        &Who::Anonymous,
        "CreateCart",
        json!({ "items": [{ "product": { "sku": "MUG" } }] }),
    )
    .await;
    let merged = run(
        &app,
        &Who::User("shopper".into()),
        "MergeGuestCart",
        json!({ "guestToken": guest["createCart"]["cart"]["token"], "strategy": "SUM" }),
    )
    .await;
    assert_eq!(merged["mergeGuestCart"]["cart"]["totalQuantity"], 1);
    let carts = run(
        &app,
        &Who::Admin,
        "AdminCarts",
        json!({ "filter": { "skus": ["MUG"] }, "orderBy": [{ "field": "UPDATED_AT", "direction": "ASC" }], "first": 10 }),
    )
    .await;
    assert_eq!(carts["carts"]["totalCount"], 1);
    let upsert =
        json!({ "products": [{ "sku": "OPS-1", "name": "Ops", "price": "1.00", "stock": 1 }] });
    run(&app, &Who::Admin, "UpsertProducts", upsert).await;
}

#[tokio::test]
async fn a_full_cart_view_fits_within_the_limits() {
    let app = TestApp::spawn().await;
    let user = Who::User("full".into());
    for n in 1..=60 {
        app.add(&user, &format!("BULK-{n:03}"), 1).await;
    }
    let view = run(&app, &user, "CartView", json!({})).await;
    assert_eq!(view["cart"]["itemCount"], 60);
}

#[tokio::test]
async fn the_checkout_operations_run_as_written() {
    let app = TestApp::spawn_with(&[("CARTQL_HOLD_COOLDOWN", "0")]).await;
    let taxes = json!({ "rates": [{ "countryCode": "CA", "provinceCode": "ON", "title": "HST", "rate": "0.13" }] });
    run(&app, &Who::Admin, "UpsertTaxRates", taxes).await;
    let shipping = json!({ "rates": [{ "handle": "standard", "title": "Standard", "countryCodes": ["CA"], "price": "5.00" }] });
    run(&app, &Who::Admin, "UpsertShippingRates", shipping).await;
    let who = Who::User("checker".into());
    app.add(&who, "TEE", 1).await;
    let identity =
        json!({ "input": { "email": "c@example.com", "countryCode": "CA", "provinceCode": "ON" } });
    let set = run(&app, &who, "UpdateBuyerIdentity", identity).await;
    assert_eq!(
        set["updateBuyerIdentity"]["cart"]["cost"]["taxLines"][0]["title"],
        "HST"
    );
    run(
        &app,
        &who,
        "SelectDeliveryOption",
        json!({ "handle": "standard" }),
    )
    .await;
    let began = run(&app, &who, "BeginCheckout", json!({})).await;
    let id = began["beginCheckout"]["checkout"]["id"].clone();
    assert_eq!(began["beginCheckout"]["checkout"]["status"], "HOLDING");
    run(&app, &who, "Checkout", json!({ "id": id })).await;
    // The order system claims, the payment fails, it releases; the shopper cancels the next
    // one and begins a third (no cooldown here), which the order system claims and completes.
    let claimed = run(
        &app,
        &Who::OrderSystem,
        "ClaimCheckout",
        json!({ "checkoutId": id }),
    )
    .await;
    assert_eq!(claimed["claimCheckout"]["checkout"]["status"], "CLAIMED");
    let released = run(
        &app,
        &Who::OrderSystem,
        "ReleaseCheckout",
        json!({ "checkoutId": id }),
    )
    .await;
    assert_eq!(
        released["releaseCheckout"]["checkout"]["status"],
        "RELEASED"
    );
    run(&app, &who, "BeginCheckout", json!({})).await;
    run(&app, &who, "CancelCheckout", json!({})).await;
    let again = run(&app, &who, "BeginCheckout", json!({})).await;
    let id = again["beginCheckout"]["checkout"]["id"].clone();
    run(
        &app,
        &Who::OrderSystem,
        "ClaimCheckout",
        json!({ "checkoutId": id }),
    )
    .await;
    let done = run(
        &app,
        &Who::OrderSystem,
        "CompleteCheckout",
        json!({ "checkoutId": id, "orderReference": "OPS-ORDER" }),
    )
    .await;
    assert_eq!(done["completeCheckout"]["checkout"]["status"], "COMPLETED");
}

#[tokio::test]
async fn graphiqls_example_operations_run_in_order_on_the_demo_catalog() {
    let app = TestApp::spawn_with(&[("CARTQL_DEMO_CATALOG", "true")]).await;
    let who = Who::User("newcomer".into());
    for name in [
        "Products",
        "MyCart",
        "AddDemoItem",
        "AddDemoItem",
        "ApplyWelcomeCode",
        "ShipToOntario",
        "ChooseExpress",
        "BeginCheckout",
    ] {
        let body = json!({ "query": cartql::http::graphiql::EXAMPLE, "operationName": name });
        let (status, reply) = app
            .send(app.request(
                &who,
                "POST",
                "/graphql",
                "application/json",
                axum::body::Body::from(body.to_string()),
            ))
            .await;
        assert_eq!(status, 200, "{name}: {reply}");
        assert!(reply.get("errors").is_none(), "{name}: {reply}");
        let payload = reply["data"]
            .as_object()
            .and_then(|d| d.values().next())
            .cloned();
        assert_eq!(
            payload.map(|p| p.get("userErrors").cloned().unwrap_or(json!([]))),
            Some(json!([])),
            "{name}: {reply}"
        );
    }
}
