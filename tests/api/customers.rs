//! Per-customer limits hold for guests (R22): a guest is the same customer as every other cart
//! with the same normalised buyer email, and as a user with that email, however many guest
//! tokens and addresses it uses.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    checkout::{COMPLETE, ready_buyer_as},
    pricing::{APPLY, PRICED, promote},
};

const CLAIM: &str =
    r#"mutation($id: ID!) { claimCheckout(checkoutId: $id) { userErrors { code } } }"#;

/// Checks out `who`'s cart with code WELCOME as the order system would; the checkout's
/// promotion discount in minor units.
async fn buy_with_code(app: &TestApp, from: &str, who: &Who) -> i64 {
    let client = app.from(from);
    client.gql(who, APPLY, json!({ "code": "welcome" })).await;
    let began = client.begin(who).await;
    assert_eq!(began["userErrors"], json!([]), "{began}");
    let id = began["checkout"]["id"].as_str().expect("an id").to_owned();
    let claimed = app.gql(&Who::OrderSystem, CLAIM, json!({ "id": id })).await;
    assert_eq!(claimed["claimCheckout"]["userErrors"], json!([]));
    let reference = format!("ORDER-{}", &id[id.len() - 8..]);
    let done = app
        .gql(
            &Who::OrderSystem,
            COMPLETE,
            json!({ "id": id, "ref": reference }),
        )
        .await;
    assert_eq!(done["completeCheckout"]["userErrors"], json!([]), "{done}");
    minor(&began["checkout"]["totals"]["promotionDiscount"])
}

fn minor(money: &Value) -> i64 {
    let text = money["amount"]
        .as_str()
        .expect("an amount")
        .replace('.', "");
    text.parse().expect("a number")
}

#[tokio::test]
async fn a_once_per_customer_code_discounts_one_checkout_per_buyer_email() {
    let app = TestApp::spawn().await;
    let stored = promote(
        &app,
        json!([{ "code": "WELCOME", "title": "Welcome", "kind": "AMOUNT_OFF", "value": "5.00",
                 "usageLimitPerCustomer": 1 }]),
    )
    .await;
    assert_eq!(stored["userErrors"], json!([]), "{stored}");
    let spellings = [
        "Ada@Example.com",
        "ada+2@example.com",
        "ADA+three@example.com",
    ];
    let mut discounts = Vec::new();
    for (n, email) in spellings.iter().enumerate() {
        let from = format!("127.0.4.{}", n + 1);
        let guest = app.from(&from).guest_ready("TEE", 1, email).await;
        discounts.push(buy_with_code(&app, &from, &guest).await);
    }
    // Before: 500, 500, 500.
    assert_eq!(discounts, [500, 0, 0]);

    // A signed-in user with the same inbox is the same customer.
    let user = Who::User("ada-account".into());
    app.add(&user, "TEE", 1).await;
    ready_buyer_as(&app, &user, "ada@example.com").await;
    app.gql(&user, APPLY, json!({ "code": "WELCOME" })).await;
    let cart = app.gql(&user, PRICED, json!({})).await;
    assert_eq!(
        cart["cart"]["discountCodes"],
        json!([{ "code": "WELCOME", "state": "USAGE_LIMIT_REACHED" }])
    );

    // Another inbox still gets it.
    let other = app
        .from("127.0.4.9")
        .guest_ready("TEE", 1, "grace@example.com")
        .await;
    assert_eq!(buy_with_code(&app, "127.0.4.9", &other).await, 500);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM promotion_usages").await, 2);
}
