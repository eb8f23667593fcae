//! A client behind one address, as a bot or a shopper drives cartql: every request it sends
//! carries its address, as the server reads it off the socket.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{
    TestApp, Who,
    checkout::{BEGIN, BUYER},
};

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub from: &'a str,
}

impl TestApp {
    /// A client whose requests come from `from` (an IP address).
    pub fn from<'a>(&'a self, from: &'a str) -> Client<'a> {
        Client { app: self, from }
    }
}

impl Client<'_> {
    pub async fn post(&self, who: &Who, query: &str, variables: Value) -> (StatusCode, Value) {
        self.app.post_from(self.from, who, query, variables).await
    }

    /// `data`, failing on anything but a 200 without errors.
    pub async fn gql(&self, who: &Who, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(who, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// A fresh guest cart holding `quantity` of `sku`, its buyer `email` in the US.
    pub async fn guest_ready(&self, sku: &str, quantity: i64, email: &str) -> Who {
        let created = self
            .gql(
                &Who::Anonymous,
                "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { token } userErrors { code } } }",
                json!({ "items": [{ "product": { "sku": sku }, "quantity": quantity }] }),
            )
            .await;
        assert_eq!(created["createCart"]["userErrors"], json!([]), "{created}");
        let token = created["createCart"]["cart"]["token"]
            .as_str()
            .expect("a guest token")
            .to_owned();
        let guest = Who::Guest(token);
        let buyer = json!({ "input": { "email": email, "countryCode": "US" } });
        let set = self.gql(&guest, BUYER, buyer).await;
        assert_eq!(set["updateBuyerIdentity"]["userErrors"], json!([]), "{set}");
        guest
    }

    /// `beginCheckout`'s payload.
    pub async fn begin(&self, who: &Who) -> Value {
        self.gql(who, BEGIN, json!({})).await["beginCheckout"].clone()
    }
}
