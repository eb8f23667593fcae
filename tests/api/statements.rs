//! SQL statements per request are counted, not timed: a cart view costs the same small number
//! whatever its size, and each mutation a bounded number.

use cartql::service::{catalog::ProductSpec, seed};
use serde_json::json;

use crate::helpers::{
    ADD, CART_VIEW, TestApp, Who,
    events::{Receiver, WEBHOOK_SECRET},
};

/// 250 products `EXTRA-001`…, across seven shops.
async fn import_extras(app: &TestApp) {
    let extra: Vec<ProductSpec> = (1..=250)
        .map(|n| ProductSpec {
            sku: format!("EXTRA-{n:03}"),
            name: format!("Extra {n}"),
            price: "1.00".into(),
            stock: 10,
            active: true,
            shop_id: Some(format!("shop-{}", n % 7)),
            shop_name: Some(format!("Shop {}", n % 7)),
            ..Default::default()
        })
        .collect();
    let usd = cartql::domain::Currency::parse("USD").expect("USD");
    seed::import(&app.db, extra, usd).await.expect("import");
}

/// Makes `who`'s cart hold `EXTRA-001` … `EXTRA-<lines>`, one of each.
async fn fill_with_extras(app: &TestApp, who: &Who, lines: u32) {
    let items: Vec<_> = (1..=lines)
        .map(|n| json!({ "product": { "sku": format!("EXTRA-{n:03}") } }))
        .collect();
    let synced = app
        .gql(
            who,
            "mutation($items: [CartItemInput!]!) { syncCart(items: $items) { userErrors { code } } }",
            json!({ "items": items }),
        )
        .await;
    assert_eq!(synced["syncCart"]["userErrors"], json!([]));
}

#[tokio::test]
async fn a_cart_view_costs_three_statements_for_1_10_50_and_250_lines() {
    let app = TestApp::spawn().await;
    import_extras(&app).await;
    let mut counts = Vec::new();
    for (user, lines) in [("one", 1u32), ("ten", 10), ("fifty", 50), ("full", 250)] {
        let who = Who::User(user.into());
        fill_with_extras(&app, &who, lines).await;
        let before = app.statements();
        let data = app.gql(&who, CART_VIEW, json!({})).await;
        counts.push(app.statements() - before);
        assert_eq!(data["cart"]["itemCount"], lines);
        let edges = data["cart"]["items"]["edges"].as_array().expect("edges");
        assert!(edges.iter().all(|e| {
            e["node"]["product"]["shop"]["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("Shop "))
        }));
    }
    // The cart with its lines, products and shops in one statement; the promotions it may
    // get (for its cost) in a second; media in a third.
    assert!(
        counts.iter().all(|&c| c == 3),
        "statements per view: {counts:?}"
    );

    // Without media and prices, a view is a single statement.
    let before = app.statements();
    app.gql(
        &Who::User("ten".into()),
        "{ cart { items { nodes { quantity product { name shop { name } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(app.statements() - before, 1);
}

#[tokio::test]
async fn mutations_cost_a_bounded_number_of_statements() {
    let app = TestApp::spawn().await;
    let who = Who::User("counted".into());
    app.add(&who, "TEE", 1).await;
    let mut counts = Vec::new();
    for sku in ["TEE", "MUG", "CAP"] {
        let before = app.statements();
        app.gql(&who, ADD, json!({ "input": { "product": { "sku": sku } } }))
            .await;
        counts.push(app.statements() - before);
    }
    // Lock; product with the matching line and the line count; upsert (with RETURNING, or
    // read back where the backend has none); version; history — or, on PostgreSQL, all of it
    // in one statement — then the view of the result and its promotions (the payload asks
    // for its cost).
    let add = add_statements(&app);
    assert_eq!(
        counts,
        vec![add + 2; 3],
        "statements per addToCart with the cart"
    );

    // A payload without `cart` and `warnings` is answered from the transaction: no view.
    let before = app.statements();
    let reply = app
        .gql(
            &who,
            "mutation($input: AddToCartInput!) { addToCart(input: $input) { item { id quantity product { sku } } userErrors { code } } }",
            json!({ "input": { "product": { "sku": "TEE" } } }),
        )
        .await;
    assert_eq!(reply["addToCart"]["item"]["quantity"], 3, "{reply}");
    assert_eq!(reply["addToCart"]["item"]["product"]["sku"], "TEE");
    assert_eq!(
        app.statements() - before,
        add,
        "statements per bare addToCart"
    );
}

/// Statements of an add to an existing cart: one on PostgreSQL's one-statement path; else
/// lock, read, upsert (MySQL reads the line back), version and history.
fn add_statements(app: &TestApp) -> usize {
    let one_statement = std::env::var("CARTQL_ONE_STATEMENT_ADD").map_or(true, |v| v != "false");
    match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres if one_statement => 1,
        _ => general_add_statements(app),
    }
}

/// The general transaction's statements for that add.
fn general_add_statements(app: &TestApp) -> usize {
    match app.db.get_database_backend() {
        sea_orm::DbBackend::MySql => 6,
        _ => 5,
    }
}

#[tokio::test]
async fn an_admin_page_of_carts_costs_the_same_statements_for_1_5_and_20_carts() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        let who = Who::User(format!("shopper-{n:02}"));
        for sku in ["TEE", "MUG", "CAP"].iter().take(1 + n % 3) {
            app.add(&who, sku, 1).await;
        }
    }
    app.gql(
        &Who::Admin,
        r#"mutation { upsertPromotions(promotions: [
            { code: "TEN", title: "10% off", kind: PERCENTAGE_OFF, value: "10" },
            { title: "Mugs: 1.00 off", kind: AMOUNT_OFF, value: "1.00", appliesTo: LINES, skus: ["MUG"], stackable: true }
        ]) { userErrors { code } } }"#,
        json!({}),
    )
    .await;
    app.gql(
        &Who::User("shopper-00".into()),
        "mutation { applyDiscountCode(code: \"ten\") { userErrors { code } } }",
        json!({}),
    )
    .await;
    const PAGE: &str = "query($first: Int) { carts(first: $first) { totalCount nodes { id \
        discountCodes { state } cost { promotionDiscount { amount } total { amount } } \
        items(first: 3) { nodes { quantity product { sku shop { name } media { url } } } } } } }";
    let mut counts = Vec::new();
    for first in [1, 5, 20] {
        let before = app.statements();
        let data = app.gql(&Who::Admin, PAGE, json!({ "first": first })).await;
        counts.push(app.statements() - before);
        let nodes = data["carts"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first);
        assert!(nodes.iter().all(|cart| {
            cart["items"]["nodes"].as_array().is_some_and(|lines| {
                !lines.is_empty()
                    && lines.iter().all(|line| {
                        line["product"]["shop"]["name"].is_string()
                            && line["product"]["media"].is_array()
                    })
            })
        }));
    }
    // The page of carts, their lines with products and shops, their media, their promotions
    // (the promotions with the carts' codes, then the customers' uses), and the count.
    assert_eq!(counts, vec![6, 6, 6], "statements per admin page");

    // Without media and the count: the page and its lines.
    let before = app.statements();
    app.gql(
        &Who::Admin,
        "{ carts(first: 20) { nodes { items(first: 3) { nodes { product { shop { name } } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(app.statements() - before, 2);
}

#[tokio::test]
async fn a_cart_view_with_promotions_costs_the_same_for_1_10_and_250_lines() {
    let app = TestApp::spawn().await;
    import_extras(&app).await;
    app.gql(
        &Who::Admin,
        r#"mutation { upsertPromotions(promotions: [
            { code: "TENOFF", title: "10% off", kind: PERCENTAGE_OFF, value: "10" },
            { title: "Bulk: 1.00 off each", kind: AMOUNT_OFF, value: "1.00", appliesTo: LINES,
              skus: ["EXTRA-001", "EXTRA-002"], stackable: true },
            { title: "Free shipping", kind: FREE_SHIPPING, minSubtotal: "10.00", stackable: true }
        ]) { userErrors { code } } }"#,
        json!({}),
    )
    .await;
    const PRICED: &str = "{ cart { discountCodes { code state } cost { promotionDiscount { amount } total { amount } } \
        items(first: 250) { nodes { discountedSubtotal { amount } discountAllocations { amount { amount } } } } } }";
    let mut counts = Vec::new();
    for (user, lines) in [("one", 1u32), ("ten", 10), ("full", 250)] {
        let who = Who::User(user.into());
        fill_with_extras(&app, &who, lines).await;
        app.gql(
            &who,
            "mutation { applyDiscountCode(code: \"tenoff\") { userErrors { code } } }",
            json!({}),
        )
        .await;
        let before = app.statements();
        let data = app.gql(&who, PRICED, json!({})).await;
        counts.push(app.statements() - before);
        assert_eq!(
            data["cart"]["discountCodes"],
            json!([{ "code": "TENOFF", "state": "APPLIED" }])
        );
    }
    // The cart with its lines, products and shops; the promotions with the cart's codes and
    // the customer's uses.
    assert_eq!(counts, vec![2, 2, 2], "statements per priced view");
}

#[tokio::test]
async fn a_cart_shipping_somewhere_costs_two_more_statements_whatever_its_size() {
    let app = TestApp::spawn().await;
    import_extras(&app).await;
    crate::helpers::checkout::regional_rates(&app).await;
    const CHECKOUT_PAGE: &str = "{ cart { cost { taxLines { title amount { amount } } shipping { amount } total { amount } } \
        deliveryOptions { handle cost { amount } } selectedDeliveryOption { handle } \
        items(first: 250) { nodes { discountedSubtotal { amount } } } } }";
    let mut counts = Vec::new();
    for (user, lines) in [("one", 1u32), ("ten", 10), ("full", 250)] {
        let who = Who::User(user.into());
        fill_with_extras(&app, &who, lines).await;
        crate::helpers::checkout::buyer(
            &app,
            &who,
            json!({ "email": "a@example.com", "countryCode": "CA", "provinceCode": "ON" }),
        )
        .await;
        app.gql(
            &who,
            "mutation { selectDeliveryOption(handle: \"express\") { userErrors { code } } }",
            json!({}),
        )
        .await;
        let before = app.statements();
        let data = app.gql(&who, CHECKOUT_PAGE, json!({})).await;
        counts.push(app.statements() - before);
        assert_eq!(data["cart"]["cost"]["taxLines"][0]["title"], "HST");
        assert_eq!(data["cart"]["selectedDeliveryOption"]["handle"], "express");
    }
    // The cart with its lines; its promotions; the country's tax rates; the shipping rates.
    assert_eq!(
        counts,
        vec![4, 4, 4],
        "statements per view of a cart with a destination"
    );
}

#[tokio::test]
async fn with_a_sink_a_change_also_queues_its_events() {
    // The receiver is down: deliveries fail, so no delivered event is ever removed.
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let app = TestApp::spawn_with(&[
        ("CARTQL_WEBHOOK_URL", receiver.url.as_str()),
        ("CARTQL_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ])
    .await;
    let who = Who::User("counted".into());
    app.add(&who, "TEE", 1).await;
    let before = app.statements();
    app.gql(
        &who,
        ADD,
        json!({ "input": { "product": { "sku": "MUG" } } }),
    )
    .await;
    // The general transaction spends one statement more on the outbox; PostgreSQL's one
    // statement queues the event inside itself.
    let add = match add_statements(&app) {
        1 => 1,
        general => general + 1,
    };
    assert_eq!(
        app.statements() - before,
        add + 2,
        "an addToCart with the cart, as above, with its events queued"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox_events").await, 3);
}
