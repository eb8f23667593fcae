//! Promotions end to end: admins store them, shoppers enter codes, carts show what applies
//! and why not, and every amount adds up to the cent.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    pricing::{PRICED, UPSERT, apply, cents, promote},
    top_level_code,
};

#[tokio::test]
async fn admins_store_and_list_promotions_and_shoppers_may_not() {
    let app = TestApp::spawn().await;
    let welcome = json!([{ "code": "Welcome10", "title": "Welcome", "kind": "PERCENTAGE_OFF",
                           "value": "10", "minSubtotal": "30.00" }]);
    let (_, refused) = app
        .post(
            &Who::User("ann".into()),
            UPSERT,
            json!({ "promotions": welcome }),
        )
        .await;
    assert_eq!(top_level_code(&refused), "FORBIDDEN");

    let stored = promote(&app, welcome.clone()).await;
    let id = stored["promotions"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(stored["promotions"][0]["value"], "10");
    assert_eq!(stored["promotions"][0]["minSubtotal"]["amount"], "30.00");
    // The same code in another case updates it rather than adding a second.
    let again = promote(
        &app,
        json!([{ "code": "WELCOME10", "title": "Welcome back", "kind": "PERCENTAGE_OFF", "value": "12.5" }]),
    )
    .await;
    assert_eq!(again["promotions"][0]["id"], id.as_str());
    assert_eq!(again["promotions"][0]["value"], "12.5");
    // Updated by its global id; another type's id is no promotion id.
    let by_id = promote(
        &app,
        json!([{ "id": id, "code": "WELCOME10", "title": "Welcome back", "kind": "PERCENTAGE_OFF", "value": "15" }]),
    )
    .await;
    assert_eq!(by_id["promotions"][0]["id"], id.as_str());
    assert_eq!(by_id["promotions"][0]["value"], "15");
    let product = app.product_id("TEE").await;
    let foreign = promote(
        &app,
        json!([{ "id": product, "title": "Misnamed", "kind": "FREE_SHIPPING" }]),
    )
    .await;
    assert_eq!(
        foreign["userErrors"][0]["code"], "INVALID_PROMOTION",
        "{foreign}"
    );
    assert_eq!(
        foreign["userErrors"][0]["field"],
        json!(["promotions", "0", "id"])
    );

    let invalid = promote(
        &app,
        json!([{ "title": "Too much", "kind": "PERCENTAGE_OFF", "value": "150" }]),
    )
    .await;
    assert_eq!(invalid["userErrors"][0]["code"], "INVALID_PROMOTION");
    assert_eq!(
        invalid["userErrors"][0]["field"],
        json!(["promotions", "0", "value"])
    );

    promote(
        &app,
        json!([{ "title": "Free shipping", "kind": "FREE_SHIPPING" }]),
    )
    .await;
    let list = app
        .gql(
            &Who::Admin,
            "{ promotions(filter: { automatic: false }) { nodes { code title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list["promotions"]["nodes"],
        json!([{ "code": "WELCOME10", "title": "Welcome back" }])
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM promotions").await, 2);
}

#[tokio::test]
async fn a_code_applies_once_the_cart_meets_it_and_its_allocations_add_up() {
    let app = TestApp::spawn().await;
    promote(
        &app,
        json!([{ "code": "SAVE10", "title": "Save 10%", "kind": "PERCENTAGE_OFF", "value": "10",
                 "minSubtotal": "50.00" }]),
    )
    .await;
    let who = Who::User("ann".into());
    app.add(&who, "TEE", 1).await;

    let body = apply(&app, &who, "save10").await;
    let payload = &body["data"]["applyDiscountCode"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(
        payload["cart"]["discountCodes"],
        json!([{ "code": "SAVE10", "state": "NOT_APPLICABLE" }])
    );
    let warning = &payload["warnings"][0];
    assert_eq!(warning["code"], "DISCOUNT_NOT_APPLICABLE");
    assert_eq!(warning["target"], "SAVE10");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("add $30.00 more")),
        "{warning}"
    );

    // 3 × 20.00 + 12.34 = 72.34: now it applies, 10 % = 7.234 → 7.23.
    app.add(&who, "TEE", 2).await;
    app.add(&who, "CAP", 1).await;
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(
        cart["discountCodes"],
        json!([{ "code": "SAVE10", "state": "APPLIED" }])
    );
    let cost = &cart["cost"];
    assert_eq!(cents(&cost["subtotal"]), 7_234);
    assert_eq!(cents(&cost["promotionDiscount"]), 723);
    // Spread 599.67 : 123.33 by largest remainder.
    let lines = cart["items"]["nodes"].as_array().expect("lines");
    let shares: Vec<i64> = lines
        .iter()
        .map(|l| cents(&l["discountAllocations"][0]["amount"]))
        .collect();
    assert_eq!(shares, vec![600, 123]);
    for line in lines {
        assert_eq!(
            cents(&line["discountedSubtotal"]),
            cents(&line["subtotal"]) - cents(&line["discountAllocations"][0]["amount"])
        );
    }
    assert_eq!(cart["discountAllocations"][0]["code"], "SAVE10");
    assert_eq!(cents(&cart["discountAllocations"][0]["amount"]), 723);
    // Tax on the discounted 65.11 is 6.511 → 6.51.
    assert_eq!(cents(&cost["estimatedTax"]), 651);
    assert_eq!(cents(&cost["total"]), 7_234 - 723 + 651);
    assert!(cart["warnings"].as_array().is_some_and(Vec::is_empty));

    // Taking a line away makes it stop applying; the code stays on the cart.
    let cap = lines[1]["sku"].clone();
    assert_eq!(cap, "CAP");
    app.gql(
        &who,
        "mutation($items: [CartItemInput!]!) { syncCart(items: $items) { userErrors { code } } }",
        json!({ "items": [{ "product": { "sku": "TEE" }, "quantity": 1 }] }),
    )
    .await;
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(
        cart["discountCodes"],
        json!([{ "code": "SAVE10", "state": "NOT_APPLICABLE" }])
    );
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 0);
}

#[tokio::test]
async fn unknown_codes_change_nothing_and_too_many_lock_the_caller_out() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_DISCOUNT_CODES", "3")]).await;
    promote(
        &app,
        json!([{ "code": "REAL", "title": "Real", "kind": "AMOUNT_OFF", "value": "1.00" }]),
    )
    .await;
    let who = Who::User("guesser".into());
    app.add(&who, "TEE", 1).await;
    let before = app.snapshot().await;
    for guess in ["NOPE1", "NOPE2", "NOPE3"] {
        let body = apply(&app, &who, guess).await;
        let error = &body["data"]["applyDiscountCode"]["userErrors"][0];
        assert_eq!(error["code"], "DISCOUNT_CODE_NOT_FOUND", "{body}");
        assert_eq!(error["field"], json!(["code"]));
    }
    assert_eq!(app.snapshot().await, before);
    // Locked out: even a real code is refused, so the answers tell nothing.
    let body = apply(&app, &who, "REAL").await;
    assert_eq!(top_level_code(&body), "RATE_LIMITED", "{body}");
    assert_eq!(app.snapshot().await, before);
    // Another caller is not.
    let other = Who::User("honest".into());
    app.add(&other, "TEE", 1).await;
    let body = apply(&app, &other, "real").await;
    assert_eq!(
        body["data"]["applyDiscountCode"]["cart"]["discountCodes"],
        json!([{ "code": "REAL", "state": "APPLIED" }])
    );
}

#[tokio::test]
async fn a_cart_holds_five_codes_and_codes_come_off_again() {
    let app = TestApp::spawn().await;
    let codes: Vec<Value> = (1..=6)
        .map(|n| {
            json!({ "code": format!("C{n}"), "title": format!("Code {n}"),
                         "kind": "AMOUNT_OFF", "value": "1.00", "stackable": true })
        })
        .collect();
    promote(&app, json!(codes)).await;
    let who = Who::User("collector".into());
    app.add(&who, "TEE", 1).await;
    for n in 1..=5 {
        let body = apply(&app, &who, &format!("c{n}")).await;
        assert_eq!(
            body["data"]["applyDiscountCode"]["userErrors"],
            json!([]),
            "{body}"
        );
    }
    // The same code again changes nothing.
    let version = app.gql(&who, "{ cart { version } }", json!({})).await["cart"]["version"].clone();
    apply(&app, &who, "C5").await;
    let again = app.gql(&who, "{ cart { version } }", json!({})).await;
    assert_eq!(again["cart"]["version"], version);
    let body = apply(&app, &who, "C6").await;
    assert_eq!(
        body["data"]["applyDiscountCode"]["userErrors"][0]["code"],
        "DISCOUNT_CODE_LIMIT_EXCEEDED"
    );
    // Five stackable 1.00 codes on a 20.00 line.
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 500);

    let remove = "mutation($code: String!) { removeDiscountCode(code: $code) { cart { discountCodes { code } } userErrors { code } } }";
    let removed = app.gql(&who, remove, json!({ "code": "c3" })).await;
    assert_eq!(
        removed["removeDiscountCode"]["cart"]["discountCodes"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let missing = app.gql(&who, remove, json!({ "code": "C3" })).await;
    assert_eq!(
        missing["removeDiscountCode"]["userErrors"][0]["code"],
        "DISCOUNT_CODE_NOT_FOUND"
    );
    let events = app
        .gql(
            &who,
            "{ cart { events { nodes { kind detail } } } }",
            json!({}),
        )
        .await;
    let kinds: Vec<&str> = events["cart"]["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| k.starts_with("DISCOUNT"))
        .collect();
    assert_eq!(kinds.len(), 6);
    assert_eq!(kinds.last(), Some(&"DISCOUNT_CODE_REMOVED"));
}
