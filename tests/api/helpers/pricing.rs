//! Promotions as tests use them: storing them as the admin, entering codes, reading prices.

use serde_json::{Value, json};

use super::{TestApp, Who};

pub const UPSERT: &str = r#"
mutation($promotions: [PromotionInput!]!) {
  upsertPromotions(promotions: $promotions) {
    promotions { id code title kind value appliesTo minSubtotal { amount } timesUsed active }
    userErrors { code field message }
  }
}"#;

/// The cart as a checkout page shows it, with everything promotions touch.
pub const PRICED: &str = r#"
{ cart {
    discountCodes { code state }
    discountAllocations { title code amount { amount } }
    cost { subtotal { amount } promotionDiscount { amount } estimatedTax { amount } total { amount } }
    items { nodes { sku subtotal { amount } discountedSubtotal { amount }
                    discountAllocations { title amount { amount } } } }
    warnings { code message target }
} }"#;

pub const APPLY: &str = r#"
mutation($code: String!) {
  applyDiscountCode(code: $code) {
    cart { discountCodes { code state } }
    userErrors { code field message }
    warnings { code message target }
  }
}"#;

pub async fn promote(app: &TestApp, promotions: Value) -> Value {
    let data = app
        .gql(&Who::Admin, UPSERT, json!({ "promotions": promotions }))
        .await;
    data["upsertPromotions"].clone()
}

pub async fn apply(app: &TestApp, who: &Who, code: &str) -> Value {
    let (_, body) = app.post(who, APPLY, json!({ "code": code })).await;
    body
}

pub fn cents(value: &Value) -> i64 {
    let text = value["amount"].as_str().expect("an amount");
    let (whole, part) = text.split_once('.').expect("two decimals");
    whole.parse::<i64>().expect("whole") * 100 + part.parse::<i64>().expect("cents")
}
