//! Promotions as the cart finds them: automatic ones apply by themselves, codes report why
//! they do not apply, and a guest's codes follow the guest into the user's cart.

use serde_json::json;

use crate::helpers::{
    TestApp, Who,
    pricing::{PRICED, apply, cents, promote},
};

#[tokio::test]
async fn automatic_promotions_appear_by_themselves_and_cheapest_units_go_free() {
    let app = TestApp::spawn().await;
    promote(
        &app,
        json!([{ "title": "Shop B: buy 2, get 1", "kind": "BUY_X_GET_Y", "value": "100",
                 "appliesTo": "LINES", "shopIds": ["shop-b"], "minQuantity": 2, "getQuantity": 1,
                 "stackable": true }]),
    )
    .await;
    let who = Who::User("fan".into());
    app.add(&who, "CAP", 2).await;
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 0);
    app.add(&who, "CAP", 1).await;
    app.add(&who, "TEE", 3).await;
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(cart["discountCodes"], json!([]));
    let lines = cart["items"]["nodes"].as_array().expect("lines");
    assert_eq!(lines[0]["sku"], "CAP");
    assert_eq!(
        lines[0]["discountAllocations"],
        json!([{ "title": "Shop B: buy 2, get 1", "amount": { "amount": "12.34" } }])
    );
    // TEE is not of shop B.
    assert_eq!(lines[1]["discountAllocations"], json!([]));
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 1_234);
    // A line-level promotion is not listed among the order-level ones.
    assert_eq!(cart["discountAllocations"], json!([]));
}

#[tokio::test]
async fn codes_report_expired_inactive_and_used_up() {
    let app = TestApp::spawn().await;
    promote(
        &app,
        json!([
            { "code": "OLD", "title": "Old", "kind": "AMOUNT_OFF", "value": "1.00", "stackable": true,
              "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2020-02-01T00:00:00Z" },
            { "code": "OFF", "title": "Off", "kind": "AMOUNT_OFF", "value": "1.00", "stackable": true },
            { "code": "ONCE", "title": "Once", "kind": "AMOUNT_OFF", "value": "1.00", "stackable": true,
              "usageLimit": 1 },
        ]),
    )
    .await;
    app.execute("UPDATE promotions SET times_used = 1 WHERE code_key = 'once'")
        .await;
    let who = Who::User("late".into());
    app.add(&who, "TEE", 1).await;
    for code in ["old", "off", "once"] {
        apply(&app, &who, code).await;
    }
    // Switched off after the shopper entered it (a code already off cannot be entered: it
    // reads as unknown).
    app.execute("UPDATE promotions SET active = false WHERE code_key = 'off'")
        .await;
    let cart = app.gql(&who, PRICED, json!({})).await["cart"].clone();
    assert_eq!(
        cart["discountCodes"],
        json!([
            { "code": "OLD", "state": "EXPIRED" },
            { "code": "OFF", "state": "NOT_ACTIVE" },
            { "code": "ONCE", "state": "USAGE_LIMIT_REACHED" },
        ])
    );
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 0);
    let warned: Vec<&str> = cart["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == "DISCOUNT_NOT_APPLICABLE")
        .filter_map(|w| w["target"].as_str())
        .collect();
    assert_eq!(warned, vec!["OLD", "OFF", "ONCE"]);
}

#[tokio::test]
async fn a_guest_s_codes_come_along_when_the_guest_signs_in() {
    let app = TestApp::spawn().await;
    promote(
        &app,
        json!([{ "code": "HELLO", "title": "Hello", "kind": "AMOUNT_OFF", "value": "2.00" }]),
    )
    .await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 1).await;
    apply(&app, &guest, "hello").await;
    let Who::Guest(token) = &guest else {
        unreachable!("a guest")
    };
    let user = Who::User("signed-in".into());
    let merged = app
        .gql(
            &user,
            "mutation($t: String!) { mergeGuestCart(guestToken: $t) { cart { discountCodes { code state } cost { promotionDiscount { amount } } } } }",
            json!({ "t": token }),
        )
        .await;
    let cart = &merged["mergeGuestCart"]["cart"];
    assert_eq!(
        cart["discountCodes"],
        json!([{ "code": "HELLO", "state": "APPLIED" }])
    );
    assert_eq!(cents(&cart["cost"]["promotionDiscount"]), 200);
}
