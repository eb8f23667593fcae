//! A cart's life: expiry and the sweeper, the history, price changes since add, and the
//! cart's own attributes and note.

use cartql::service::cart::Outbox;
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, error_codes, top_level_code, warning_codes};

async fn expire_every_cart(app: &TestApp) {
    app.set_cart_time("expires_at", Utc::now() - Duration::minutes(5), "1 = 1")
        .await;
}

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a timestamp, got {value}"))
}

#[tokio::test]
async fn expiry_follows_the_kind_of_cart_and_whether_it_is_empty() {
    let app = TestApp::spawn().await;
    let created = app
        .gql(
            &Who::Anonymous,
            "mutation { createCart { cart { token expiresAt } } }",
            json!({}),
        )
        .await;
    let empty_until = at(&created["createCart"]["cart"]["expiresAt"]);
    let day = Utc::now() + Duration::days(1);
    assert!(
        (empty_until - day).num_seconds().abs() < 120,
        "an empty cart lives a day"
    );

    let guest = Who::Guest(
        created["createCart"]["cart"]["token"]
            .as_str()
            .expect("token")
            .to_owned(),
    );
    app.add(&guest, "TEE", 1).await;
    let read = app.gql(&guest, "{ cart { expiresAt } }", json!({})).await;
    let guest_until = at(&read["cart"]["expiresAt"]);
    assert!(
        (guest_until - (Utc::now() + Duration::days(30)))
            .num_seconds()
            .abs()
            < 120
    );

    let user = Who::User("keeper".into());
    app.add(&user, "TEE", 1).await;
    let read = app.gql(&user, "{ cart { expiresAt } }", json!({})).await;
    let user_until = at(&read["cart"]["expiresAt"]);
    assert!(
        (user_until - (Utc::now() + Duration::days(90)))
            .num_seconds()
            .abs()
            < 120
    );
}

#[tokio::test]
async fn an_expired_guest_cart_reads_as_none_refuses_writes_and_is_swept_once() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 2).await;
    expire_every_cart(&app).await;

    let read = app.gql(&guest, "{ cart { id } }", json!({})).await;
    assert_eq!(read["cart"], Value::Null);
    let refused = app.add(&guest, "TEE", 1).await;
    assert_eq!(error_codes(&refused), vec!["CART_EXPIRED"]);
    assert_eq!(refused["userErrors"][0]["field"], json!(["X-Cart-Token"]));

    let now = Utc::now();
    assert_eq!(
        cartql::service::cart::sweep_expired(&app.db, now, Outbox::Off)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        cartql::service::cart::sweep_expired(&app.db, now, Outbox::Off)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE live IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items WHERE live IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_events WHERE kind = 'EXPIRED' AND actor = 'system'")
            .await,
        1
    );
    // Still CART_EXPIRED once closed; the fresh path is a request without the token.
    assert_eq!(
        error_codes(&app.add(&guest, "TEE", 1).await),
        vec!["CART_EXPIRED"]
    );
    let fresh = app.add(&Who::Anonymous, "TEE", 1).await;
    assert!(fresh["cart"]["token"].is_string());
}

/// The server's own background sweeper closes expired carts (polled for at most 10 s).
#[tokio::test]
async fn the_background_sweeper_closes_expired_carts() {
    let app = TestApp::spawn_with(&[("CARTQL_SWEEP_INTERVAL", "1s")]).await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 1).await;
    expire_every_cart(&app).await;
    let mut open = 1;
    for _ in 0..100 {
        open = app
            .scalar("SELECT COUNT(*) FROM carts WHERE live IS NOT NULL")
            .await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(open, 0, "the sweeper closed the expired cart");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE closed_reason = 'EXPIRED'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_user_whose_cart_expired_gets_a_new_one() {
    let app = TestApp::spawn().await;
    let user = Who::User("returning".into());
    let old = app.add(&user, "TEE", 2).await["cart"]["id"].clone();
    expire_every_cart(&app).await;
    assert_eq!(
        app.gql(&user, "{ cart { id } }", json!({})).await["cart"],
        Value::Null
    );
    let new = app.add(&user, "MUG", 1).await;
    assert!(error_codes(&new).is_empty(), "{new}");
    assert_ne!(new["cart"]["id"], old);
    assert_eq!(
        new["cart"]["totalQuantity"], 1,
        "the expired lines stay behind"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE closed_reason = 'EXPIRED'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_history_records_every_change_with_its_actor_and_pages_by_cursor() {
    let app = TestApp::spawn().await;
    let user = Who::User("historian".into());
    let tee = app.add(&user, "TEE", 1).await;
    let tee_id = tee["item"]["id"].as_str().expect("id").to_owned();
    app.add(&user, "TEE", 2).await;
    app.gql(
        &user,
        "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 5 }) { userErrors { code } } }",
        json!({ "id": tee_id }),
    )
    .await;
    app.gql(
        &user,
        "mutation($id: ID!) { removeCartItem(itemId: $id) { userErrors { code } } }",
        json!({ "id": tee_id }),
    )
    .await;

    const EVENTS: &str = r#"query($after: String) { cart { version events(first: 2, after: $after) {
        nodes { kind actor itemId quantity version } pageInfo { hasNextPage endCursor } } } }"#;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.gql(&user, EVENTS, json!({ "after": after })).await;
        let events = &page["cart"]["events"];
        for node in events["nodes"].as_array().expect("nodes") {
            assert_eq!(node["actor"], "user:historian");
            seen.push((
                node["kind"].as_str().unwrap_or_default().to_owned(),
                node["quantity"].as_i64(),
                node["version"].as_i64().unwrap_or_default(),
            ));
        }
        if events["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = events["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        seen,
        vec![
            ("CREATED".to_owned(), None, 1),
            ("ADDED".to_owned(), Some(1), 1),
            ("ADDED".to_owned(), Some(3), 2),
            ("UPDATED".to_owned(), Some(5), 3),
            ("REMOVED".to_owned(), Some(0), 4),
        ]
    );

    let (_, body) = app
        .post(&user, EVENTS, json!({ "after": "not-a-cursor" }))
        .await;
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_price_moved_since_add_is_flagged_until_the_line_is_set_again() {
    let app = TestApp::spawn().await;
    let user = Who::User("watcher".into());
    let tee = app.add(&user, "TEE", 1).await;
    let tee_id = tee["item"]["id"].as_str().expect("id").to_owned();
    assert!(warning_codes(&tee).is_empty());
    app.db
        .execute_unprepared("UPDATE products SET price_minor = 2500 WHERE sku = 'TEE'")
        .await
        .expect("reprice");

    let read = app
        .gql(
            &user,
            "{ cart { warnings { code target message } items { nodes { priceChanged addedUnitPrice { amount } unitPrice { amount } } } } }",
            json!({}),
        )
        .await;
    let line = &read["cart"]["items"]["nodes"][0];
    assert_eq!(line["priceChanged"], true);
    assert_eq!(line["addedUnitPrice"]["amount"], "20.00");
    assert_eq!(line["unitPrice"]["amount"], "25.00");
    assert_eq!(read["cart"]["warnings"][0]["code"], "PRICE_CHANGED");
    assert_eq!(
        read["cart"]["warnings"][0]["target"].as_str(),
        Some(tee_id.as_str())
    );

    // The next mutation reports it too.
    let mug = app.add(&user, "MUG", 1).await;
    assert_eq!(warning_codes(&mug), vec!["PRICE_CHANGED"]);

    // Setting the line again takes the new price.
    let updated = app
        .gql(
            &user,
            "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 2 }) { item { priceChanged } warnings { code } } }",
            json!({ "id": tee_id }),
        )
        .await;
    assert_eq!(updated["updateCartItem"]["item"]["priceChanged"], false);
    assert!(warning_codes(&updated["updateCartItem"]).is_empty());
}

const ATTRIBUTES: &str = r#"
mutation($attributes: [AttributeInput!]!, $note: String) {
  updateCartAttributes(attributes: $attributes, note: $note) {
    cart { attributes { key value } note token }
    userErrors { code field }
  }
}"#;

#[tokio::test]
async fn cart_attributes_and_note_are_validated_like_line_attributes() {
    let app = TestApp::spawn().await;
    let user = Who::User("gifter".into());
    let set = app
        .gql(
            &user,
            ATTRIBUTES,
            json!({ "attributes": [{ "key": "gift", "value": "yes" }, { "key": "po.number", "value": "PO-7" }], "note": "Leave at the door" }),
        )
        .await["updateCartAttributes"]
        .clone();
    assert!(error_codes(&set).is_empty(), "{set}");
    assert_eq!(
        set["cart"]["attributes"],
        json!([{ "key": "gift", "value": "yes" }, { "key": "po.number", "value": "PO-7" }])
    );
    assert_eq!(set["cart"]["note"], "Leave at the door");

    let before = app.snapshot().await;
    for (variables, code, field) in [
        (
            json!({ "attributes": [{ "key": "bad key", "value": "x" }] }),
            "INVALID_ATTRIBUTE",
            json!(["attributes", "0", "key"]),
        ),
        (
            json!({ "attributes": [], "note": "x".repeat(2_001) }),
            "INVALID_NOTE",
            json!(["note"]),
        ),
        (
            json!({ "attributes": [], "note": "bell\u{7}" }),
            "INVALID_NOTE",
            json!(["note"]),
        ),
    ] {
        let payload = app.gql(&user, ATTRIBUTES, variables).await["updateCartAttributes"].clone();
        assert_eq!(error_codes(&payload), vec![code]);
        assert_eq!(payload["userErrors"][0]["field"], field);
        assert_eq!(payload["cart"]["note"], "Leave at the door", "unchanged");
    }
    assert_eq!(app.snapshot().await, before);

    // Omitting the note keeps it; an empty one clears it.
    let kept = app
        .gql(&user, ATTRIBUTES, json!({ "attributes": [] }))
        .await;
    assert_eq!(
        kept["updateCartAttributes"]["cart"]["note"],
        "Leave at the door"
    );
    let cleared = app
        .gql(&user, ATTRIBUTES, json!({ "attributes": [], "note": "" }))
        .await;
    assert_eq!(cleared["updateCartAttributes"]["cart"]["note"], Value::Null);

    // An anonymous caller gets a new guest cart carrying them.
    let guest = app
        .gql(
            &Who::Anonymous,
            ATTRIBUTES,
            json!({ "attributes": [{ "key": "channel", "value": "app" }] }),
        )
        .await;
    assert!(guest["updateCartAttributes"]["cart"]["token"].is_string());
}
