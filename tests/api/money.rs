//! Totals are exact over many lines: checked against integer arithmetic done here.

use serde_json::json;

use crate::helpers::{TestApp, Who, bulk_price_minor, top_level_code};

fn decimal(minor: i128) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Tax at 10 %, half-to-even, computed independently of the service.
fn tax(subtotal: i128) -> i128 {
    let (q, r) = (subtotal / 10, subtotal % 10);
    match r.cmp(&5) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q % 2),
    }
}

#[tokio::test]
async fn totals_over_sixty_lines_are_exact() {
    let app = TestApp::spawn().await;
    let user = Who::User("big-spender".into());
    let mut expected: i128 = 0;
    for n in 1..=60u32 {
        let quantity = i64::from(n % 7 + 1);
        let payload = app.add(&user, &format!("BULK-{n:03}"), quantity).await;
        assert!(
            payload["userErrors"].as_array().is_some_and(Vec::is_empty),
            "{payload}"
        );
        expected += i128::from(bulk_price_minor(n)) * i128::from(quantity);
    }
    let q = "{ cart { cost { subtotal { amount } estimatedTax { amount } total { amount } } } cartSummary { subtotal { amount } total { amount } items { subtotal { amount } } } }";
    let data = app.gql(&user, q, json!({})).await;
    let cost = &data["cart"]["cost"];
    assert_eq!(cost["subtotal"]["amount"], decimal(expected));
    assert_eq!(cost["estimatedTax"]["amount"], decimal(tax(expected)));
    assert_eq!(cost["total"]["amount"], decimal(expected + tax(expected)));
    assert_eq!(data["cartSummary"]["total"], cost["total"]);
    // The summary equals the sum of its lines.
    let lines: i128 = data["cartSummary"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            i["subtotal"]["amount"]
                .as_str()
                .expect("amount")
                .replace('.', "")
                .parse::<i128>()
                .expect("digits")
        })
        .sum();
    assert_eq!(
        decimal(lines),
        cost["subtotal"]["amount"].as_str().expect("amount")
    );
}

#[tokio::test]
async fn tax_rounds_half_to_even_at_the_configured_rate() {
    let app = TestApp::spawn_with(&[("CARTQL_TAX_RATE", "0.0825")]).await;
    let user = Who::User("taxed".into());
    // 20.00 × 1 → tax 1.65 exactly; 12.34 × 1 → subtotal 32.34 → 2.66805 → 2.67.
    app.add(&user, "TEE", 1).await;
    let after_tee = app
        .gql(
            &user,
            "{ cart { cost { estimatedTax { amount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(after_tee["cart"]["cost"]["estimatedTax"]["amount"], "1.65");
    app.add(&user, "CAP", 1).await;
    let after_cap = app
        .gql(
            &user,
            "{ cart { cost { estimatedTax { amount } total { amount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(after_cap["cart"]["cost"]["estimatedTax"]["amount"], "2.67");
    assert_eq!(after_cap["cart"]["cost"]["total"]["amount"], "35.01");
}

const FORMATTED: &str =
    r#"{ cart { cost { total { formatted german: formatted(locale: "de-DE") } } } }"#;

#[tokio::test]
async fn formatted_money_follows_the_asked_locale_and_defaults_to_en_us() {
    let app = TestApp::spawn().await;
    let user = Who::User("reader".into());
    app.add(&user, "TEE", 2).await;
    // The second answer comes from the compiled view path: the same text.
    for _ in 0..2 {
        let data = app.gql(&user, FORMATTED, json!({})).await;
        let total = &data["cart"]["cost"]["total"];
        assert_eq!(total["formatted"], "$44.00");
        assert_eq!(total["german"], "44,00\u{a0}$");
    }
}

#[tokio::test]
async fn the_default_locale_is_cartql_locale() {
    let app = TestApp::spawn_with(&[("CARTQL_LOCALE", "de-CH")]).await;
    let user = Who::User("reader".into());
    app.add(&user, "TEE", 2).await;
    let q =
        "query($l: String) { cart { cost { total { formatted other: formatted(locale: $l) } } } }";
    for _ in 0..2 {
        let data = app.gql(&user, q, json!({ "l": "en-IN" })).await;
        let total = &data["cart"]["cost"]["total"];
        assert_eq!(total["formatted"], "$\u{a0}44.00");
        assert_eq!(total["other"], "$44.00");
    }
}

#[tokio::test]
async fn a_malformed_locale_is_bad_user_input_naming_the_argument() {
    let app = TestApp::spawn().await;
    let user = Who::User("reader".into());
    app.add(&user, "TEE", 1).await;
    let q = r#"{ cart { cost { total { formatted(locale: "not a locale!") } } } }"#;
    for _ in 0..2 {
        let (_, body) = app.post(&user, q, json!({})).await;
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("`locale`")),
            "{body}"
        );
    }
}
