//! Scarce holds (R22, OWASP OAT-021 denial of inventory): however many guest tokens and carts
//! a bot behind one address (or one IPv6 /64, or one buyer email) makes, it holds no more
//! checkouts and no larger share of a product than the caps allow, and other shoppers can
//! still buy.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, Who, checkout::CANCEL, error_codes};

const SCARCE: &str = r#"mutation { upsertProducts(products: [{ sku: "SCARCE", name: "Scarce", price: "9.00", stock: 30 }]) { userErrors { code } } }"#;

async fn scarce_shop(settings: &[(&str, &str)]) -> TestApp {
    let app = TestApp::spawn_with(settings).await;
    app.gql(&Who::Admin, SCARCE, json!({})).await;
    app
}

async fn held(app: &TestApp) -> i64 {
    app.scalar("SELECT held FROM products WHERE sku = 'SCARCE'")
        .await
}

#[tokio::test]
async fn ten_guest_carts_from_one_address_hold_three_checkouts_and_others_still_buy() {
    let app = scarce_shop(&[]).await;
    let bot = app.from("127.0.0.2");
    // Ten carts of 3 units, each with its own token and its own email: before the caps, all
    // 30 units were held.
    let mut carts = Vec::new();
    for n in 0..10 {
        carts.push(
            bot.guest_ready("SCARCE", 3, &format!("bot{n}@example.com"))
                .await,
        );
    }
    let began = join_all(carts.iter().map(|cart| bot.begin(cart))).await;
    let refused: Vec<_> = began
        .iter()
        .filter(|payload| error_codes(payload) == ["HOLD_LIMIT_EXCEEDED"])
        .collect();
    assert_eq!(refused.len(), 7, "{began:?}");
    assert_eq!(held(&app).await, 9);
    for payload in refused {
        assert!(payload["checkout"].is_null(), "{payload}");
    }

    // Another address is another holder.
    let shopper = app.from("127.0.0.3");
    let cart = shopper.guest_ready("SCARCE", 3, "ada@example.com").await;
    assert_eq!(
        error_codes(&shopper.begin(&cart).await),
        Vec::<String>::new()
    );
    assert_eq!(held(&app).await, 12);

    // A cancelled checkout gives its place back: the bot may begin one more. (Which three
    // began depends on how the racing begins were scheduled.)
    let holding = carts
        .iter()
        .zip(&began)
        .find(|(_, payload)| error_codes(payload).is_empty())
        .map(|(cart, _)| cart)
        .expect("three began");
    let cancelled = bot.gql(holding, CANCEL, json!({})).await;
    assert_eq!(
        cancelled["cancelCheckout"]["userErrors"],
        json!([]),
        "{cancelled}"
    );
    let fresh = bot.guest_ready("SCARCE", 3, "bot-next@example.com").await;
    assert_eq!(error_codes(&bot.begin(&fresh).await), Vec::<String>::new());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkouts WHERE state = 'HOLDING'")
            .await,
        4
    );
}

#[tokio::test]
async fn an_ipv6_client_rotating_inside_its_64_is_one_holder() {
    let app = scarce_shop(&[]).await;
    let mut outcomes = Vec::new();
    for n in 1..=5 {
        let address = format!("2001:db8:7:9::{n:x}");
        let client = app.from(&address);
        let cart = client
            .guest_ready("SCARCE", 1, &format!("v6-{n}@example.com"))
            .await;
        outcomes.push(error_codes(&client.begin(&cart).await));
    }
    let refused = outcomes.iter().filter(|c| !c.is_empty()).count();
    assert_eq!(refused, 2, "{outcomes:?}");
    // The next /64 is someone else.
    let neighbour = app.from("2001:db8:7:a::1");
    let cart = neighbour.guest_ready("SCARCE", 1, "next@example.com").await;
    assert_eq!(
        error_codes(&neighbour.begin(&cart).await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn one_buyer_email_is_one_holder_whatever_its_spelling_and_address() {
    let app = scarce_shop(&[]).await;
    let spellings = [
        "Buyer@Example.com",
        "buyer+1@example.com",
        "BUYER+two@EXAMPLE.COM",
        "buyer+3@example.com",
    ];
    let mut codes = Vec::new();
    for (n, email) in spellings.iter().enumerate() {
        let address = format!("127.0.1.{}", n + 1);
        let client = app.from(&address);
        let cart = client.guest_ready("SCARCE", 1, email).await;
        codes.push(error_codes(&client.begin(&cart).await));
    }
    assert_eq!(
        codes,
        [
            vec![],
            vec![],
            vec![],
            vec!["HOLD_LIMIT_EXCEEDED".to_owned()]
        ]
    );
}

#[tokio::test]
async fn one_holder_holds_at_most_its_share_of_a_product() {
    let app = scarce_shop(&[("CARTQL_HOLD_MAX_SHARE", "0.5")]).await;
    let bot = app.from("127.0.0.2");
    let first = bot.guest_ready("SCARCE", 10, "a@example.com").await;
    assert_eq!(error_codes(&bot.begin(&first).await), Vec::<String>::new());
    // 10 + 10 is more than half of 30; 10 + 5 is not.
    let second = bot.guest_ready("SCARCE", 10, "b@example.com").await;
    let refused = bot.begin(&second).await;
    assert_eq!(error_codes(&refused), ["HOLD_LIMIT_EXCEEDED"], "{refused}");
    assert_eq!(refused["userErrors"][0]["field"][0], "lines");
    assert_eq!(held(&app).await, 10);
    let third = bot.guest_ready("SCARCE", 5, "c@example.com").await;
    assert_eq!(error_codes(&bot.begin(&third).await), Vec::<String>::new());
    assert_eq!(held(&app).await, 15);
    // Nothing a refused begin touched stays taken.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkouts").await,
        2,
        "a refused begin leaves no checkout"
    );
}

#[tokio::test]
async fn a_cancelled_cart_cools_down_before_it_begins_again() {
    let app = scarce_shop(&[("CARTQL_HOLD_COOLDOWN", "10m")]).await;
    let client = app.from("127.0.0.2");
    let cart = client.guest_ready("SCARCE", 1, "a@example.com").await;
    assert_eq!(
        error_codes(&client.begin(&cart).await),
        Vec::<String>::new()
    );
    client.gql(&cart, CANCEL, json!({})).await;
    let again = client.begin(&cart).await;
    assert_eq!(error_codes(&again), ["HOLD_LIMIT_EXCEEDED"], "{again}");
    assert_eq!(held(&app).await, 0);

    // Once the cooldown has passed (moved back in time here), it may.
    let past = chrono::Utc::now() - chrono::Duration::minutes(11);
    app.execute(&format!(
        "UPDATE checkouts SET closed_at = '{}'",
        past.format("%Y-%m-%d %H:%M:%S")
    ))
    .await;
    assert_eq!(
        error_codes(&client.begin(&cart).await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn racing_begins_of_one_address_never_pass_the_cap() {
    let app = scarce_shop(&[("CARTQL_HOLD_MAX_CHECKOUTS", "2")]).await;
    let bot = app.from("127.0.0.2");
    let mut carts = Vec::new();
    for n in 0..8 {
        carts.push(
            bot.guest_ready("SCARCE", 1, &format!("r{n}@example.com"))
                .await,
        );
    }
    join_all(carts.iter().map(|cart| bot.begin(cart))).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkouts WHERE state = 'HOLDING'")
            .await,
        2
    );
    assert_eq!(held(&app).await, 2);
}
