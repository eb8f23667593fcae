//! What a checkout refuses and what it holds: carts that cannot be bought change nothing,
//! held units are gone for every other cart, and a guest's buyer details survive sign-in.

use serde_json::json;

use crate::helpers::{
    TestApp, Who,
    checkout::{begin, buyer, ready_buyer},
    error_codes, warning_codes,
};

#[tokio::test]
async fn begin_refuses_what_cannot_be_bought_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("hasty".into());
    assert_eq!(error_codes(&begin(&app, &shopper).await), ["CART_EMPTY"]);

    app.add(&shopper, "TEE", 1).await;
    let incomplete = begin(&app, &shopper).await;
    assert_eq!(error_codes(&incomplete), ["BUYER_IDENTITY_INCOMPLETE"]);
    assert_eq!(
        incomplete["userErrors"][0]["field"],
        json!(["buyerIdentity", "email"])
    );

    let bad = buyer(
        &app,
        &shopper,
        json!({ "email": "not-an-address", "countryCode": "US" }),
    )
    .await;
    assert_eq!(error_codes(&bad), ["INVALID_BUYER_IDENTITY"]);
    assert_eq!(bad["userErrors"][0]["field"], json!(["input", "email"]));
    let country = buyer(&app, &shopper, json!({ "countryCode": "XX" })).await;
    assert_eq!(
        country["userErrors"][0]["field"],
        json!(["input", "countryCode"])
    );
    let province = buyer(&app, &shopper, json!({ "provinceCode": "ON" })).await;
    assert_eq!(
        province["userErrors"][0]["field"],
        json!(["input", "provinceCode"])
    );

    ready_buyer(&app, &shopper).await;
    // The product was withdrawn after it went into the cart.
    app.execute("UPDATE products SET active = FALSE WHERE sku = 'TEE'")
        .await;
    let before = app.snapshot().await;
    let withdrawn = begin(&app, &shopper).await;
    assert_eq!(error_codes(&withdrawn), ["PRODUCT_UNAVAILABLE"]);
    assert_eq!(withdrawn["userErrors"][0]["field"][0], "lines");
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM checkouts").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM products WHERE held <> 0")
            .await,
        0
    );
}

#[tokio::test]
async fn held_units_are_unavailable_to_every_other_cart() {
    // Four of five units in one hold: more than the default share of one buyer.
    let app = TestApp::spawn_with(&[("CARTQL_HOLD_MAX_SHARE", "1")]).await;
    let first = Who::User("first".into());
    app.add(&first, "LIMITED", 4).await;
    ready_buyer(&app, &first).await;
    assert_eq!(begin(&app, &first).await["userErrors"], json!([]));

    // One of five is left: another cart's add is cut to it.
    let second = Who::User("second".into());
    let cut = app.add(&second, "LIMITED", 3).await;
    assert_eq!(cut["item"]["quantity"], 1);
    assert_eq!(warning_codes(&cut), ["NOT_ENOUGH_STOCK"]);
    ready_buyer(&app, &second).await;
    assert_eq!(begin(&app, &second).await["userErrors"], json!([]));

    // None is left now.
    let third = Who::User("third".into());
    assert_eq!(
        error_codes(&app.add(&third, "LIMITED", 1).await),
        ["OUT_OF_STOCK"]
    );
    assert_eq!(
        app.scalar("SELECT held FROM products WHERE sku = 'LIMITED'")
            .await,
        5
    );
}

#[tokio::test]
async fn a_guest_buyer_carries_over_when_the_guest_signs_in() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 1).await;
    buyer(
        &app,
        &guest,
        json!({ "email": "guest@example.com", "countryCode": "DE", "postalCode": "10115" }),
    )
    .await;
    let Who::Guest(token) = &guest else {
        unreachable!("a guest")
    };
    let user = Who::User("signed-in".into());
    let merged = app
        .gql(
            &user,
            "mutation($t: String!) { mergeGuestCart(guestToken: $t) { cart { buyerIdentity { email countryCode postalCode } } userErrors { code } } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(
        merged["mergeGuestCart"]["cart"]["buyerIdentity"],
        json!({ "email": "guest@example.com", "countryCode": "DE", "postalCode": "10115" })
    );
}

#[tokio::test]
async fn a_completed_carts_buyer_details_and_checkouts_are_purged_with_it() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("bought".into());
    app.add(&shopper, "TEE", 1).await;
    ready_buyer(&app, &shopper).await;
    let id = begin(&app, &shopper).await["checkout"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(
        crate::helpers::checkout::complete(&app, &id, "ORDER-P").await["userErrors"],
        json!([])
    );
    // The buyer's hold counts are back to zero, and kept until they are as old as the cart.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM hold_shares WHERE amount <> 0")
            .await,
        0
    );
    assert!(app.scalar("SELECT COUNT(*) FROM hold_shares").await > 0);
    // Closed long ago.
    app.execute("UPDATE carts SET deleted_at = '2001-01-01 00:00:00' WHERE live IS NULL")
        .await;
    app.execute("UPDATE hold_shares SET updated_at = '2001-01-01 00:00:00'")
        .await;
    let purged = cartql::service::cart::purge(&app.db, std::time::Duration::from_secs(60))
        .await
        .expect("purge runs");
    assert_eq!(purged.carts, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM checkouts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM checkout_holds").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM hold_shares").await, 0);
}
