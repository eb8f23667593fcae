//! The checkout handoff end to end: a shopper sets who buys and where it ships, sees the
//! regional tax and delivery options, begins a checkout that freezes the cart and holds its
//! stock, and an order system verifies the handoff token and completes it exactly once.

use cartql::{auth::HandoffKey, service::cart::Outbox};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{
    CART_VIEW, TestApp, Who,
    checkout::{
        BUYER, CANCEL, HANDOFF_SECRET, SELECT, begin, buyer, complete, ready_buyer, regional_rates,
    },
    error_codes, top_level_code,
};

#[tokio::test]
async fn a_shopper_checks_out_and_the_order_system_completes_it_exactly_once() {
    let app = TestApp::spawn().await;
    regional_rates(&app).await;
    let shopper = Who::User("buyer".into());
    app.add(&shopper, "TEE", 2).await;

    let set = buyer(
        &app,
        &shopper,
        json!({ "email": " ada@example.com ", "countryCode": "ca", "provinceCode": "on",
                "postalCode": "k1a 0b1" }),
    )
    .await;
    assert_eq!(set["userErrors"], json!([]));
    let cart = &set["cart"];
    assert_eq!(
        cart["buyerIdentity"],
        json!({ "email": "ada@example.com", "countryCode": "CA", "provinceCode": "ON", "postalCode": "K1A 0B1" })
    );
    // Ontario's rate wins over Canada's; the tax lines add up to the tax.
    assert_eq!(
        cart["cost"]["taxLines"],
        json!([{ "title": "HST", "rate": "0.13", "amount": { "amount": "5.20" } }])
    );
    assert_eq!(cart["cost"]["estimatedTax"]["amount"], "5.20");
    assert_eq!(
        cart["deliveryOptions"],
        json!([
            { "handle": "standard", "title": "Standard", "cost": { "amount": "9.99" } },
            { "handle": "express", "title": "Express", "cost": { "amount": "19.99" } },
        ])
    );

    // Where there is a choice of delivery, the shopper must make it.
    let unready = begin(&app, &shopper).await;
    assert_eq!(error_codes(&unready), ["DELIVERY_OPTION_NOT_FOUND"]);
    let selected = app
        .gql(&shopper, SELECT, json!({ "handle": "express" }))
        .await;
    assert_eq!(
        selected["selectDeliveryOption"]["cart"]["cost"],
        json!({ "shipping": { "amount": "19.99" }, "total": { "amount": "65.19" } })
    );

    let began = begin(&app, &shopper).await;
    assert_eq!(began["userErrors"], json!([]), "{began}");
    let checkout = &began["checkout"];
    assert_eq!(checkout["status"], "HOLDING");
    assert_eq!(checkout["totals"]["total"]["amount"], "65.19");
    assert_eq!(checkout["totals"]["shipping"]["amount"], "19.99");
    assert_eq!(
        checkout["lines"],
        json!([{ "sku": "TEE", "quantity": 2, "unitPrice": { "amount": "20.00" },
                 "total": { "amount": "40.00" }, "discountAllocations": [] }])
    );
    assert_eq!(checkout["deliveryOption"]["handle"], "express");
    assert_eq!(checkout["cart"]["status"], "CHECKOUT");
    let id = checkout["id"].as_str().expect("an id").to_owned();

    // The order system's side: the token verifies with the shared secret and binds this
    // checkout, its contents and its total.
    let claims = HandoffKey::new(HANDOFF_SECRET.as_bytes())
        .verify(checkout["handoffToken"].as_str().expect("a token"))
        .expect("the handoff token verifies");
    assert_eq!(claims.sub, id, "the token names the checkout by its id");
    assert_eq!(
        claims.cart,
        checkout["cart"]["id"].as_str().expect("a cart id"),
        "and its cart by the cart's id"
    );
    assert_eq!(claims.total, "65.19");
    assert_eq!(claims.currency, "USD");
    let contents = checkout["contents"].as_str().expect("contents");
    assert_eq!(
        claims.hash,
        hex::encode(Sha256::digest(contents.as_bytes()))
    );
    let parsed: Value = serde_json::from_str(contents).expect("JSON contents");
    assert_eq!(parsed["totals"]["totalMinor"], 6519);

    // Beginning again while the hold lasts answers the same checkout.
    assert_eq!(begin(&app, &shopper).await["checkout"]["id"], id.as_str());

    // The cart is frozen.
    assert_eq!(
        error_codes(&app.add(&shopper, "MUG", 1).await),
        ["CART_LOCKED"]
    );
    let rebuy = app
        .gql(
            &shopper,
            BUYER,
            json!({ "input": { "email": "other@example.com" } }),
        )
        .await;
    assert_eq!(error_codes(&rebuy["updateBuyerIdentity"]), ["CART_LOCKED"]);
    // The two held units are unavailable to everyone else.
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'TEE'")
            .await,
        2
    );
    let view = app
        .gql(
            &Who::User("other".into()),
            "{ product(sku: \"TEE\") { stock } }",
            json!({}),
        )
        .await;
    assert_eq!(view["product"]["stock"], 98);

    // Only an order system completes.
    let (_, forbidden) = app
        .post(
            &shopper,
            crate::helpers::checkout::COMPLETE,
            json!({ "id": id, "ref": "ORDER-1" }),
        )
        .await;
    assert_eq!(top_level_code(&forbidden), "FORBIDDEN");
    let done = complete(&app, &id, "ORDER-1").await;
    assert_eq!(done["userErrors"], json!([]), "{done}");
    assert_eq!(done["checkout"]["status"], "COMPLETED");
    assert_eq!(done["checkout"]["orderReference"], "ORDER-1");
    assert_eq!(done["checkout"]["cart"]["status"], "COMPLETED");
    let stock = || app.scalar("SELECT stock FROM products WHERE sku = 'TEE'");
    assert_eq!(stock().await, 98);
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'TEE'")
            .await,
        0
    );

    // Exactly once: a repeat answers the same result and changes nothing; another order
    // reference for the same sale is refused (two orders for one payment never ship).
    let again = complete(&app, &id, "ORDER-1").await;
    assert_eq!(again["checkout"]["status"], "COMPLETED");
    assert_eq!(again["checkout"]["orderReference"], "ORDER-1");
    let other = complete(&app, &id, "ORDER-2").await;
    assert_eq!(error_codes(&other), ["CHECKOUT_CLOSED"], "{other}");
    assert_eq!(stock().await, 98);

    // The owner still reads the checkout; a stranger gets null, as for a missing id.
    let query =
        "query($id: ID!) { checkout(id: $id) { status cart { status items { nodes { sku } } } } }";
    let mine = app.gql(&shopper, query, json!({ "id": id })).await;
    assert_eq!(
        mine["checkout"],
        json!({ "status": "COMPLETED", "cart": { "status": "COMPLETED", "items": { "nodes": [{ "sku": "TEE" }] } } })
    );
    let theirs = app
        .gql(&Who::User("stranger".into()), query, json!({ "id": id }))
        .await;
    assert_eq!(theirs["checkout"], Value::Null);

    // The shopper's next add opens a fresh cart.
    let fresh = app.add(&shopper, "MUG", 1).await;
    assert_eq!(fresh["userErrors"], json!([]));
    let cart = app.gql(&shopper, CART_VIEW, json!({})).await;
    assert_eq!(cart["cart"]["itemCount"], 1);
    // The frozen contents name the cart by its bare key.
    let old_cart = format!(
        "gid://cartql/Cart/{}",
        parsed["cartId"].as_str().expect("a key")
    );
    let closed = app
        .gql(
            &shopper,
            "query($id: ID!) { node(id: $id) { ... on Cart { id status } } }",
            json!({ "id": old_cart }),
        )
        .await;
    assert_eq!(closed["node"]["status"], "COMPLETED", "{closed}");
    assert_ne!(cart["cart"]["id"], old_cart.as_str());
}

#[tokio::test]
async fn cancelling_releases_the_hold_and_reopens_the_cart() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("fickle".into());
    app.add(&shopper, "LIMITED", 3).await;
    ready_buyer(&app, &shopper).await;
    let began = begin(&app, &shopper).await;
    let id = began["checkout"]["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'LIMITED'")
            .await,
        3
    );

    let cancelled = app.gql(&shopper, CANCEL, json!({})).await;
    assert_eq!(cancelled["cancelCheckout"]["userErrors"], json!([]));
    assert_eq!(cancelled["cancelCheckout"]["cart"]["status"], "OPEN");
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'LIMITED'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT stock FROM products WHERE sku = 'LIMITED'")
            .await,
        5
    );
    // Released once: a second cancel finds nothing, and the order system cannot complete it.
    let twice = app.gql(&shopper, CANCEL, json!({})).await;
    assert_eq!(
        error_codes(&twice["cancelCheckout"]),
        ["CHECKOUT_NOT_FOUND"]
    );
    assert_eq!(
        error_codes(&complete(&app, &id, "ORDER-2").await),
        ["CHECKOUT_CLOSED"]
    );
    // The cart changes again.
    assert_eq!(app.add(&shopper, "MUG", 1).await["userErrors"], json!([]));
}

#[tokio::test]
async fn an_expired_hold_is_released_once_by_the_sweeper_and_cannot_complete() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("slow".into());
    app.add(&shopper, "LIMITED", 2).await;
    ready_buyer(&app, &shopper).await;
    let id = begin(&app, &shopper).await["checkout"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    // The hold ran out (moved back rather than waited for).
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    app.execute(&format!(
        "UPDATE checkouts SET expires_at = '{}'",
        past.format("%Y-%m-%d %H:%M:%S")
    ))
    .await;
    assert_eq!(
        error_codes(&complete(&app, &id, "ORDER-3").await),
        ["CHECKOUT_EXPIRED"]
    );
    let now = chrono::Utc::now();
    assert_eq!(
        cartql::service::cart::sweep_checkouts(&app.db, now, Outbox::Off)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        cartql::service::cart::sweep_checkouts(&app.db, now, Outbox::Off)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'LIMITED'")
            .await,
        0
    );
    let cart = app
        .gql(
            &shopper,
            "{ cart { status events(first: 20) { nodes { kind } } } }",
            json!({}),
        )
        .await;
    assert_eq!(cart["cart"]["status"], "OPEN");
    let kinds: Vec<&str> = cart["cart"]["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds.last(), Some(&"CHECKOUT_EXPIRED"), "{kinds:?}");
}
