//! `mergeGuestCart`: strategies, the merge report, the guest token's end, and concurrent
//! merges of one guest cart (R4).

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, error_codes, top_level_code, warning_codes};

pub const MERGE: &str = r#"
mutation($token: String!, $strategy: MergeStrategy) {
  mergeGuestCart(guestToken: $token, strategy: $strategy) {
    cart { id version totalQuantity items { nodes { id sku quantity } } }
    userErrors { code field message }
    warnings { code message target }
  }
}"#;

fn token_of(who: &Who) -> String {
    match who {
        Who::Guest(token) => token.clone(),
        other => panic!("{other:?} is not a guest"),
    }
}

/// sku → quantity of a payload's cart.
fn quantities(payload: &Value) -> Vec<(String, i64)> {
    let mut lines: Vec<(String, i64)> = payload["cart"]["items"]["nodes"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| {
            (
                n["sku"].as_str().unwrap_or_default().to_owned(),
                n["quantity"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    lines.sort();
    lines
}

async fn merge(app: &TestApp, user: &Who, guest: &Who, strategy: &str) -> Value {
    let data = app
        .gql(
            user,
            MERGE,
            json!({ "token": token_of(guest), "strategy": strategy }),
        )
        .await;
    data["mergeGuestCart"].clone()
}

/// A user with TEE×2 and LIMITED×3, a guest with TEE×5, LIMITED×4 and MUG×1.
async fn two_carts(app: &TestApp) -> (Who, Who) {
    let user = Who::User("merger".into());
    app.add(&user, "TEE", 2).await;
    app.add(&user, "LIMITED", 3).await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 5).await;
    app.add(&guest, "LIMITED", 4).await;
    app.add(&guest, "MUG", 1).await;
    (user, guest)
}

#[tokio::test]
async fn each_strategy_combines_shared_lines_and_keeps_the_rest() {
    // TEE: user 2, guest 5; LIMITED (stock 5): user 3, guest 4.
    for (strategy, tee, limited) in [
        ("SUM", 7, 5),
        ("MAX", 5, 4),
        ("KEEP_USER", 2, 3),
        ("KEEP_GUEST", 5, 4),
    ] {
        let app = TestApp::spawn().await;
        let (user, guest) = two_carts(&app).await;
        let payload = merge(&app, &user, &guest, strategy).await;
        assert!(error_codes(&payload).is_empty(), "{strategy}: {payload}");
        assert_eq!(
            quantities(&payload),
            vec![
                ("LIMITED".to_owned(), limited),
                ("MUG".to_owned(), 1),
                ("TEE".to_owned(), tee)
            ],
            "{strategy}"
        );
        // Both shared lines are reported, each naming a line of the merged cart.
        let warnings = payload["warnings"].as_array().expect("warnings");
        let adjusted: Vec<&Value> = warnings
            .iter()
            .filter(|w| w["code"] == "MERGE_ADJUSTED")
            .collect();
        assert_eq!(adjusted.len(), 2, "{strategy}: {warnings:?}");
        let ids: Vec<&str> = payload["cart"]["items"]["nodes"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|n| n["id"].as_str())
            .collect();
        assert!(
            adjusted
                .iter()
                .all(|w| ids.contains(&w["target"].as_str().unwrap_or("")))
        );
        if strategy == "SUM" {
            let cut = adjusted
                .iter()
                .find(|w| w["message"].as_str().unwrap_or("").contains("LIMITED"))
                .expect("LIMITED reported");
            assert!(
                cut["message"].as_str().unwrap_or("").contains("cut"),
                "{cut}"
            );
        }
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM carts WHERE live IS NOT NULL")
                .await,
            1,
            "{strategy}: the guest cart is closed"
        );
    }
}

#[tokio::test]
async fn the_guest_token_is_dead_after_a_merge_and_moved_lines_keep_their_ids() {
    let app = TestApp::spawn().await;
    let user = Who::User("merger".into());
    let guest = app.new_guest().await;
    let added = app.add(&guest, "CAP", 2).await;
    let line_id = added["item"]["id"].as_str().expect("line id").to_owned();
    let payload = merge(&app, &user, &guest, "SUM").await;
    assert_eq!(
        payload["cart"]["items"]["nodes"][0]["id"].as_str(),
        Some(line_id.as_str())
    );
    assert!(warning_codes(&payload).is_empty(), "{payload}");

    let read = app.gql(&guest, "{ cart { id } }", json!({})).await;
    assert_eq!(read["cart"], Value::Null, "the guest token reads no cart");
    let again = app.add(&guest, "TEE", 1).await;
    assert_eq!(error_codes(&again), vec!["INVALID_GUEST_TOKEN"]);

    // The guest cart's history ends with the merge; the user's records it too.
    let events: Vec<String> = app
        .gql(
            &user,
            "{ cart { events { nodes { kind actor } } } }",
            json!({}),
        )
        .await["cart"]["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(events, vec!["CREATED", "ADDED", "MERGED"]);
}

#[tokio::test]
async fn lines_that_cannot_be_bought_are_dropped_and_reported() {
    let app = TestApp::spawn().await;
    let user = Who::User("merger".into());
    let guest = app.new_guest().await;
    let tee = app.add(&guest, "TEE", 1).await;
    let limited = app.add(&guest, "LIMITED", 2).await;
    let limited_id = limited["item"]["id"].as_str().expect("id").to_owned();
    // The product is retired after the guest added it.
    app.db
        .execute_unprepared("UPDATE products SET active = FALSE WHERE sku = 'LIMITED'")
        .await
        .expect("retire");
    let payload = merge(&app, &user, &guest, "SUM").await;
    assert_eq!(quantities(&payload), vec![("TEE".to_owned(), 1)]);
    let warnings = payload["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "MERGE_ADJUSTED");
    assert_eq!(warnings[0]["target"].as_str(), Some(limited_id.as_str()));
    assert!(tee["item"]["id"].is_string());
}

#[tokio::test]
async fn only_users_merge_and_bad_tokens_change_nothing() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 1).await;
    let body = app
        .post(&guest, MERGE, json!({ "token": token_of(&guest) }))
        .await
        .1;
    assert_eq!(top_level_code(&body), "UNAUTHENTICATED", "{body}");

    let user = Who::User("merger".into());
    app.add(&user, "MUG", 1).await;
    let before = app.snapshot().await;
    for token in [
        "not-a-token",
        "cgt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let data = app.gql(&user, MERGE, json!({ "token": token })).await;
        assert_eq!(
            error_codes(&data["mergeGuestCart"]),
            vec!["INVALID_GUEST_TOKEN"]
        );
        // A refused mutation still shows the caller's cart, unchanged.
        assert_eq!(
            quantities(&data["mergeGuestCart"]),
            vec![("MUG".to_owned(), 1)]
        );
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
}

/// R4: the same guest cart merged by 5 concurrent calls: merged once, nothing lost, the
/// guest cart closed; every call answers with the merged cart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_concurrent_merges_of_one_guest_cart_merge_once() {
    let app = Arc::new(TestApp::spawn().await);
    let user = Who::User("racer".into());
    app.add(&user, "TEE", 2).await;
    let guest = app.new_guest().await;
    app.add(&guest, "TEE", 3).await;
    app.add(&guest, "MUG", 4).await;

    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (app, user, guest) = (app.clone(), user.clone(), guest.clone());
            tokio::spawn(async move { merge(&app, &user, &guest, "SUM").await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("the merge task finished"));
    }
    for reply in &replies {
        assert!(error_codes(reply).is_empty(), "{reply}");
        assert_eq!(
            quantities(reply),
            vec![("MUG".to_owned(), 4), ("TEE".to_owned(), 5)],
            "every caller sees the cart merged once"
        );
    }
    assert_eq!(app.live_quantity().await, 9, "merged once: 2 + 3 + 4");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM carts WHERE live IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_events WHERE kind = 'MERGED'")
            .await,
        2,
        "one MERGED event on each cart"
    );
}
