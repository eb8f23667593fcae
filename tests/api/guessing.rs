//! Codes cannot be cracked (R22, OWASP OAT-002): misses count per caller and per address (an
//! IPv6 caller by its /64), so fresh guest tokens buy no extra guesses; a code that is switched
//! off or not yet started looks exactly like an unknown one; and every mutation that can open
//! a guest cart counts against the new-cart limit.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    pricing::{APPLY, promote},
    top_level_code,
};

/// How a guess was answered: looked up (DISCOUNT_CODE_NOT_FOUND, or applied) or refused
/// before any lookup (RATE_LIMITED).
fn looked_up(body: &Value) -> bool {
    body.get("errors").is_none()
}

#[tokio::test]
async fn eight_fresh_guests_from_one_address_look_up_no_more_codes_than_one_caller() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_DISCOUNT_CODES", "10")]).await;
    let bot = app.from("127.0.0.2");
    let mut looked = 0;
    for guest in 0..8 {
        let who = bot
            .guest_ready("TEE", 1, &format!("g{guest}@example.com"))
            .await;
        for guess in 0..10 {
            let code = format!("GUESS-{guest}-{guess}");
            let (_, body) = bot.post(&who, APPLY, json!({ "code": code })).await;
            if looked_up(&body) {
                looked += 1;
            } else {
                assert_eq!(top_level_code(&body), "RATE_LIMITED", "{body}");
            }
        }
    }
    // Before: 80 of 80.
    assert_eq!(looked, 10);

    // Another address guesses on its own allowance.
    let other = app.from("127.0.0.3");
    let who = other.guest_ready("TEE", 1, "o@example.com").await;
    let (_, body) = other.post(&who, APPLY, json!({ "code": "NOPE" })).await;
    assert!(looked_up(&body), "{body}");
}

#[tokio::test]
async fn rotating_ipv6_addresses_inside_one_64_share_one_allowance() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_DISCOUNT_CODES", "3")]).await;
    let mut looked = 0;
    for n in 1..=6 {
        let address = format!("2001:db8:42:1::{n:x}");
        let client = app.from(&address);
        let who = client
            .guest_ready("TEE", 1, &format!("v{n}@example.com"))
            .await;
        let (_, body) = client.post(&who, APPLY, json!({ "code": "NOPE" })).await;
        looked += usize::from(looked_up(&body));
    }
    assert_eq!(looked, 3);
}

#[tokio::test]
async fn switched_off_and_unreleased_codes_read_as_unknown_and_count_as_misses() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_DISCOUNT_CODES", "3")]).await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let stored = promote(
        &app,
        json!([
            { "code": "LAUNCH", "title": "Launch", "kind": "AMOUNT_OFF", "value": "1.00",
              "startsAt": tomorrow },
            { "code": "RETIRED", "title": "Retired", "kind": "AMOUNT_OFF", "value": "1.00",
              "active": false },
            { "code": "LIVE", "title": "Live", "kind": "AMOUNT_OFF", "value": "1.00" },
        ]),
    )
    .await;
    assert_eq!(stored["userErrors"], json!([]), "{stored}");
    let client = app.from("127.0.0.2");
    let who = client.guest_ready("TEE", 1, "a@example.com").await;
    let unknown = client.gql(&who, APPLY, json!({ "code": "NEVER" })).await;
    for code in ["LAUNCH", "RETIRED"] {
        // Exactly the unknown code's answer, but for the code's own spelling.
        let answer = client.gql(&who, APPLY, json!({ "code": code })).await;
        let expected = unknown["applyDiscountCode"]
            .to_string()
            .replace("NEVER", code);
        assert_eq!(answer["applyDiscountCode"].to_string(), expected);
    }
    // Three misses: the live code is refused too now, the caller is over its allowance.
    let (_, body) = client.post(&who, APPLY, json!({ "code": "LIVE" })).await;
    assert_eq!(top_level_code(&body), "RATE_LIMITED", "{body}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_discount_codes").await,
        0
    );
}

#[tokio::test]
async fn every_mutation_that_opens_a_guest_cart_counts_against_the_new_cart_limit() {
    let app = TestApp::spawn_with(&[("CARTQL_RATE_NEW_CARTS", "1")]).await;
    let opening = [
        ("createCart", "mutation { createCart { cart { id } } }"),
        (
            "addToCart",
            r#"mutation { addToCart(input: { product: { sku: "TEE" } }) { cart { id } } }"#,
        ),
        (
            "syncCart",
            r#"mutation { syncCart(items: [{ product: { sku: "TEE" } }]) { cart { id } } }"#,
        ),
        (
            "updateCartAttributes",
            r#"mutation { updateCartAttributes(attributes: [], note: "hi") { cart { id } } }"#,
        ),
        (
            "updateBuyerIdentity",
            r#"mutation { updateBuyerIdentity(input: { countryCode: "US" }) { cart { id } } }"#,
        ),
        (
            "applyDiscountCode",
            r#"mutation { applyDiscountCode(code: "NOPE") { cart { id } } }"#,
        ),
    ];
    let names: Vec<&str> = opening.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, cartql::http::graphql::OPENS_A_CART);
    promote(
        &app,
        json!([{ "code": "NOPE", "title": "Real", "kind": "AMOUNT_OFF", "value": "1.00" }]),
    )
    .await;
    for (n, (name, mutation)) in opening.iter().enumerate() {
        let address = format!("127.0.2.{}", n + 1);
        let client = app.from(&address);
        let before = app.scalar("SELECT COUNT(*) FROM carts").await;
        // Each opens exactly one cart for a caller without credentials...
        let (status, body) = client.post(&Who::Anonymous, mutation, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM carts").await,
            before + 1,
            "{name} opens a cart: {body}"
        );
        // ...and is refused once the address's allowance of new carts is spent.
        let (status, body) = client.post(&Who::Anonymous, mutation, json!({})).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{name}: {body}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, before + 1);
    }

    // Aliased, one request opening three carts is three new carts: refused whole.
    let client = app.from("127.0.3.1");
    let aliased = r#"mutation { a: updateBuyerIdentity(input: { countryCode: "US" }) { cart { id } }
        b: updateBuyerIdentity(input: { countryCode: "CA" }) { cart { id } }
        c: applyDiscountCode(code: "NOPE") { cart { id } } }"#;
    let before = app.scalar("SELECT COUNT(*) FROM carts").await;
    let (status, body) = client.post(&Who::Anonymous, aliased, json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, before);
}
