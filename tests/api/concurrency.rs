//! Real parallel requests through the router, then the database is read.

use std::sync::Arc;

use serde_json::json;

use crate::helpers::{ADD, TestApp, Who, error_codes};

async fn in_parallel(
    app: &Arc<TestApp>,
    n: usize,
    who: Who,
    input: serde_json::Value,
) -> Vec<serde_json::Value> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let app = app.clone();
            let who = who.clone();
            let input = input.clone();
            tokio::spawn(async move { app.gql(&who, ADD, json!({ "input": input })).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("the request task finished"));
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_adds_of_one_line_end_exact() {
    let app = Arc::new(TestApp::spawn().await);
    let user = Who::User("racer".into());
    app.add(&user, "TEE", 1).await;
    let replies = in_parallel(
        &app,
        50,
        user,
        json!({ "product": { "sku": "TEE" }, "quantity": 1 }),
    )
    .await;
    assert!(
        replies
            .iter()
            .all(|r| error_codes(&r["addToCart"]).is_empty()),
        "every add succeeded"
    );
    assert_eq!(app.live_quantity().await, 51);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_items").await,
        1,
        "one line, never a duplicate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_first_adds_create_exactly_one_cart_and_one_line() {
    let app = Arc::new(TestApp::spawn().await);
    let replies = in_parallel(
        &app,
        20,
        Who::User("newcomer".into()),
        json!({ "product": { "sku": "CAP" } }),
    )
    .await;
    assert!(
        replies
            .iter()
            .all(|r| error_codes(&r["addToCart"]).is_empty())
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cart_items").await, 1);
    assert_eq!(app.live_quantity().await, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_adds_never_pass_the_stock() {
    let app = Arc::new(TestApp::spawn().await);
    let guest = app.new_guest().await;
    let replies = in_parallel(&app, 20, guest, json!({ "product": { "sku": "LIMITED" } })).await;
    assert_eq!(app.live_quantity().await, 5);
    let warned = replies
        .iter()
        .filter(|r| {
            r["addToCart"]["warnings"]
                .as_array()
                .is_some_and(|w| !w.is_empty())
        })
        .count();
    assert_eq!(warned, 15, "the adds beyond the stock were told so");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_over_the_in_flight_limit_are_shed_with_retry_after() {
    use tower::ServiceExt;

    let app = Arc::new(TestApp::spawn_with(&[("CARTQL_MAX_IN_FLIGHT", "1")]).await);
    let user = Who::User("busy".into());
    app.add(&user, "TEE", 1).await;

    // Hold the cart's row lock (SQLite: the write lock) so the next add waits inside the
    // service, occupying the only slot.
    let txn = app.hold_cart_locks().await;
    // The held add retries while the probes below happen to occupy the slot; once it gets in,
    // it waits on the lock and keeps the slot.
    let blocked = {
        let app = app.clone();
        let user = user.clone();
        tokio::spawn(async move {
            loop {
                let (status, body) = app
                    .post(
                        &user,
                        crate::helpers::ADD,
                        json!({ "input": { "product": { "sku": "TEE" } } }),
                    )
                    .await;
                if status != 503 {
                    return body;
                }
            }
        })
    };
    let mut shed = None;
    for _ in 0..200 {
        let request = app.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            "application/json",
            axum::body::Body::from(r#"{"query":"{ cartSummary { itemCount } }"}"#),
        );
        let response = app.router.clone().oneshot(request).await.expect("response");
        if response.status() == 503 {
            shed = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let shed = shed.expect("a request was shed while the slot was taken");
    assert_eq!(
        shed.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    txn.commit().await.expect("release the lock");
    let finished = blocked.await.expect("the held request finished");
    assert_eq!(
        finished["data"]["addToCart"]["item"]["quantity"], 2,
        "the accepted request completed normally: {finished}"
    );
}
