//! Usage limits under races: completions counted concurrently over two connection pools (as
//! two instances would) never take a promotion past `usageLimit` or a customer past
//! `usageLimitPerCustomer`. Checkout completion counts through the same function.

use std::sync::Arc;

use cartql::{
    db,
    service::promotions::{UsageRefused, count_uses},
};
use serde_json::json;

use crate::helpers::{TestApp, Who, key_of};

async fn promotion(
    app: &TestApp,
    code: &str,
    limit: Option<i32>,
    per_customer: Option<i32>,
) -> String {
    let data = app
        .gql(
            &Who::Admin,
            "mutation($p: [PromotionInput!]!) { upsertPromotions(promotions: $p) { promotions { id } userErrors { code } } }",
            json!({ "p": [{ "code": code, "title": code, "kind": "AMOUNT_OFF", "value": "1.00",
                            "usageLimit": limit, "usageLimitPerCustomer": per_customer }] }),
        )
        .await;
    let id = data["upsertPromotions"]["promotions"][0]["id"]
        .as_str()
        .expect("an id");
    key_of(id).to_owned()
}

/// Counts one use per (customer, cart) concurrently, half on each pool; how many were counted.
async fn race(app: &TestApp, promotion: &str, uses: Vec<(String, String)>) -> usize {
    let pools = Arc::new([
        db::connect(&app.database_url, 8).await.expect("pool one"),
        db::connect(&app.database_url, 8).await.expect("pool two"),
    ]);
    let mut tasks = Vec::new();
    for (i, (customer, cart)) in uses.into_iter().enumerate() {
        let pools = pools.clone();
        let ids = vec![promotion.to_owned()];
        tasks.push(tokio::spawn(async move {
            let pool = &pools[i % 2];
            db::retrying(|| async {
                let txn = db::begin_write(pool).await?;
                match count_uses(&txn, &ids, &customer, None, &cart).await? {
                    Ok(()) => {
                        txn.commit().await?;
                        Ok(true)
                    }
                    Err(_) => {
                        txn.rollback().await?;
                        Ok(false)
                    }
                }
            })
            .await
            .expect("no error under contention")
        }));
    }
    let mut counted = 0;
    for task in tasks {
        counted += usize::from(task.await.expect("task"));
    }
    counted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_completions_use_a_limited_code_exactly_up_to_its_limit() {
    let app = TestApp::spawn().await;
    let id = promotion(&app, "FIVE", Some(5), None).await;
    let uses = (0..20)
        .map(|n| (format!("user:shopper-{n}"), format!("cart-{n}")))
        .collect();
    assert_eq!(race(&app, &id, uses).await, 5);
    assert_eq!(
        app.scalar("SELECT times_used FROM promotions WHERE code_key = 'five'")
            .await,
        5
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM promotion_usages").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_customer_racing_is_held_to_the_per_customer_limit() {
    let app = TestApp::spawn().await;
    let id = promotion(&app, "TWICE", None, Some(2)).await;
    let uses = (0..12)
        .map(|n| ("user:eager".to_owned(), format!("cart-{n}")))
        .collect();
    assert_eq!(race(&app, &id, uses).await, 2);
    assert_eq!(
        app.scalar("SELECT times_used FROM promotions WHERE code_key = 'twice'")
            .await,
        2
    );

    // Counting the same cart again changes nothing; the customer is now refused.
    let pool = db::connect(&app.database_url, 1).await.expect("pool");
    let txn = db::begin_write(&pool).await.expect("txn");
    let again = count_uses(
        &txn,
        std::slice::from_ref(&id),
        "user:eager",
        None,
        "cart-new",
    )
    .await
    .expect("no db error");
    assert_eq!(
        again,
        Err(UsageRefused::ExhaustedForCustomer { promotion_id: id })
    );
    txn.rollback().await.expect("rollback");

    // The code reads as used up for that customer.
    let who = Who::User("eager".into());
    app.add(&who, "TEE", 1).await;
    let applied = app
        .gql(
            &who,
            "mutation { applyDiscountCode(code: \"twice\") { cart { discountCodes { state } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        applied["applyDiscountCode"]["cart"]["discountCodes"],
        json!([{ "state": "USAGE_LIMIT_REACHED" }])
    );
}
