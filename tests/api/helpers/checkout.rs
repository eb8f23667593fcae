//! The checkout handoff as tests drive it: regional rates, a buyer, and the transitions.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use super::{TestApp, Who};

/// The handoff secret the test services sign with (`CARTQL_HANDOFF_SECRET`).
pub const HANDOFF_SECRET: &str = "handoff-secret-shared-with-the-order-system";

pub const BUYER: &str = r#"
mutation($input: BuyerIdentityInput!) {
  updateBuyerIdentity(input: $input) {
    cart { status buyerIdentity { email countryCode provinceCode postalCode }
           deliveryOptions { handle title cost { amount } }
           cost { estimatedTax { amount } taxLines { title rate amount { amount } } shipping { amount } total { amount } } }
    userErrors { code field message }
  }
}"#;

pub const SELECT: &str = r#"
mutation($handle: String!) {
  selectDeliveryOption(handle: $handle) {
    cart { selectedDeliveryOption { handle cost { amount } } cost { shipping { amount } total { amount } } }
    userErrors { code field message }
  }
}"#;

pub const BEGIN: &str = r#"
mutation {
  beginCheckout {
    checkout { id status expiresAt handoffToken contents
               totals { subtotal { amount } promotionDiscount { amount } shipping { amount }
                        estimatedTax { amount } taxLines { title amount { amount } } total { amount } }
               lines { sku quantity unitPrice { amount } total { amount } discountAllocations { code amount { amount } } }
               discountCodes deliveryOption { handle cost { amount } }
               buyerIdentity { email countryCode }
               cart { id status version } }
    userErrors { code field message }
    warnings { code }
  }
}"#;

pub const CANCEL: &str = r#"
mutation { cancelCheckout { cart { status version } userErrors { code field message } } }"#;

pub const COMPLETE: &str = r#"
mutation($id: ID!, $ref: String!) {
  completeCheckout(checkoutId: $id, orderReference: $ref) {
    checkout { id status orderReference totals { total { amount } } cart { status } }
    userErrors { code field message }
  }
}"#;

/// Canada at 5 % with Ontario at 13 %; standard shipping to Canada (free over 100.00) and
/// express to Canada and the US.
pub async fn regional_rates(app: &TestApp) {
    let taxes = app
        .gql(
            &Who::Admin,
            "mutation($r: [TaxRateInput!]!) { upsertTaxRates(rates: $r) { rates { countryCode } userErrors { code } } }",
            json!({ "r": [
                { "countryCode": "CA", "title": "GST", "rate": "0.05" },
                { "countryCode": "CA", "provinceCode": "ON", "title": "HST", "rate": "0.13" },
            ] }),
        )
        .await;
    assert_eq!(taxes["upsertTaxRates"]["userErrors"], json!([]));
    let shipping = app
        .gql(
            &Who::Admin,
            "mutation($r: [ShippingRateInput!]!) { upsertShippingRates(rates: $r) { rates { handle } userErrors { code } } }",
            json!({ "r": [
                { "handle": "standard", "title": "Standard", "countryCodes": ["CA"], "price": "9.99", "freeOver": "100.00" },
                { "handle": "express", "title": "Express", "countryCodes": ["CA", "US"], "price": "19.99" },
            ] }),
        )
        .await;
    assert_eq!(shipping["upsertShippingRates"]["userErrors"], json!([]));
}

/// Sets `who`'s buyer identity; returns the payload.
pub async fn buyer(app: &TestApp, who: &Who, input: Value) -> Value {
    let data = app.gql(who, BUYER, json!({ "input": input })).await;
    data["updateBuyerIdentity"].clone()
}

/// A buyer in the US, where no rates are set: the default tax and no delivery options. Each
/// call is another shopper's inbox, so the per-email hold caps stay out of the way.
pub async fn ready_buyer(app: &TestApp, who: &Who) {
    static SHOPPERS: AtomicUsize = AtomicUsize::new(0);
    let n = SHOPPERS.fetch_add(1, Ordering::Relaxed);
    ready_buyer_as(app, who, &format!("shopper{n}@example.com")).await;
}

/// A buyer in the US with this email.
pub async fn ready_buyer_as(app: &TestApp, who: &Who, email: &str) {
    let set = buyer(app, who, json!({ "email": email, "countryCode": "US" })).await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
}

pub async fn begin(app: &TestApp, who: &Who) -> Value {
    app.gql(who, BEGIN, json!({})).await["beginCheckout"].clone()
}

pub async fn complete(app: &TestApp, id: &str, reference: &str) -> Value {
    app.gql(
        &Who::OrderSystem,
        COMPLETE,
        json!({ "id": id, "ref": reference }),
    )
    .await["completeCheckout"]
        .clone()
}
