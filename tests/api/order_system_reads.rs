//! What an order system (role `checkout`) may read: carts that were handed off (began
//! checkout at least once), never a cart still only the shopper's. One never handed off
//! reads exactly like an id that does not exist.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    checkout::{begin, buyer},
    key_of,
};

const NODE: &str = r#"
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Cart { buyerIdentity { email postalCode } }
    ... on CartItem { quantity }
  }
}"#;

const NODES: &str = r#"
query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Cart { buyerIdentity { email } } } }"#;

#[tokio::test]
async fn an_order_system_reads_only_carts_that_began_checkout() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("not-handed-off".into());
    let line = app.add(&shopper, "TEE", 1).await["item"]["id"]
        .as_str()
        .expect("a line id")
        .to_owned();
    let set = buyer(
        &app,
        &shopper,
        json!({ "email": "private@example.com", "countryCode": "US", "postalCode": "10001" }),
    )
    .await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
    let cart = app.gql(&shopper, "{ cart { id } }", json!({})).await["cart"]["id"]
        .as_str()
        .expect("a cart id")
        .to_owned();
    let missing_cart = cart.replace(key_of(&cart), "01a201cf-0000-7000-8000-000000000000");
    let missing_line = line.replace(key_of(&line), "01a201cf-0000-7000-8000-000000000001");

    // Never handed off: the cart and its line read like ids that do not exist.
    for (id, missing) in [(&cart, &missing_cart), (&line, &missing_line)] {
        let (status, body) = app.post(&Who::OrderSystem, NODE, json!({ "id": id })).await;
        let (missing_status, missing_body) = app
            .post(&Who::OrderSystem, NODE, json!({ "id": missing }))
            .await;
        assert_eq!((status, &body), (missing_status, &missing_body), "{id}");
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
    }
    let listed = app
        .gql(
            &Who::OrderSystem,
            NODES,
            json!({ "ids": [cart, missing_cart] }),
        )
        .await;
    assert_eq!(listed["nodes"], json!([null, null]), "{listed}");
    assert!(!listed.to_string().contains("private@example.com"));
    // Its owner and an admin still read it.
    for who in [&shopper, &Who::Admin] {
        let read = app.gql(who, NODE, json!({ "id": cart })).await;
        assert_eq!(
            read["node"]["buyerIdentity"]["email"],
            "private@example.com"
        );
    }

    // Handed off (even once cancelled), the order system reads it.
    let began = begin(&app, &shopper).await;
    assert_eq!(began["userErrors"], json!([]), "{began}");
    app.gql(
        &shopper,
        "mutation { cancelCheckout { userErrors { code } } }",
        json!({}),
    )
    .await;
    let read = app
        .gql(&Who::OrderSystem, NODE, json!({ "id": cart }))
        .await;
    assert_eq!(
        read["node"]["buyerIdentity"]["email"],
        "private@example.com"
    );
    let line_read = app
        .gql(&Who::OrderSystem, NODE, json!({ "id": line }))
        .await;
    assert_eq!(line_read["node"]["quantity"], 1, "{line_read}");
    let listed = app
        .gql(&Who::OrderSystem, NODES, json!({ "ids": [cart] }))
        .await;
    assert_eq!(listed["nodes"][0]["id"], cart.as_str());
}
