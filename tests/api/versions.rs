//! Optimistic concurrency: `Cart.version` and `expectedVersion`.

use std::sync::Arc;

use serde_json::json;

use crate::helpers::{TestApp, Who, error_codes};

const ADD_AT: &str = r#"
mutation($input: AddToCartInput!, $v: Int) {
  addToCart(input: $input, expectedVersion: $v) {
    cart { version totalQuantity }
    userErrors { code field message }
  }
}"#;

async fn add_at(app: &TestApp, who: &Who, version: Option<i64>) -> serde_json::Value {
    app.gql(
        who,
        ADD_AT,
        json!({ "input": { "product": { "sku": "TEE" } }, "v": version }),
    )
    .await["addToCart"]
        .clone()
}

#[tokio::test]
async fn every_change_bumps_the_version_and_a_stale_one_is_refused_with_the_current_cart() {
    let app = TestApp::spawn().await;
    let user = Who::User("versioned".into());
    let first = add_at(&app, &user, Some(0)).await;
    assert!(
        error_codes(&first).is_empty(),
        "version 0 before the cart exists: {first}"
    );
    assert_eq!(first["cart"]["version"], 1);
    let second = add_at(&app, &user, Some(1)).await;
    assert_eq!(second["cart"]["version"], 2);

    let before = app.snapshot().await;
    let stale = add_at(&app, &user, Some(1)).await;
    assert_eq!(error_codes(&stale), vec!["VERSION_CONFLICT"]);
    assert_eq!(stale["userErrors"][0]["field"], json!(["expectedVersion"]));
    assert_eq!(
        stale["cart"]["version"], 2,
        "the payload carries the current cart"
    );
    assert_eq!(stale["cart"]["totalQuantity"], 2);
    assert_eq!(app.snapshot().await, before, "nothing changed");

    // Without expectedVersion the last write wins, as before.
    assert_eq!(add_at(&app, &user, None).await["cart"]["version"], 3);

    // Every mutation takes it: a stale clearCart is refused too.
    let clear = app
        .gql(
            &user,
            "mutation { clearCart(expectedVersion: 2) { cart { version } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&clear["clearCart"]), vec!["VERSION_CONFLICT"]);
    assert_eq!(clear["clearCart"]["cart"]["version"], 3);
}

/// Ten tabs change the cart at the same version: exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_at_one_version_let_exactly_one_through() {
    let app = Arc::new(TestApp::spawn().await);
    let user = Who::User("tabs".into());
    let start = add_at(&app, &user, None).await;
    let version = start["cart"]["version"].as_i64().expect("a version");
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app, user) = (app.clone(), user.clone());
            tokio::spawn(async move { add_at(&app, &user, Some(version)).await })
        })
        .collect();
    let mut won = 0;
    let mut conflicts = 0;
    for task in tasks {
        let payload = task.await.expect("finished");
        match error_codes(&payload).as_slice() {
            [] => won += 1,
            [code] if code == "VERSION_CONFLICT" => conflicts += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won, conflicts), (1, 9));
    assert_eq!(app.live_quantity().await, 2);
}
