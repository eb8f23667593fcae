//! Payment is safe (R23): the order system claims a checkout before it charges; from then the
//! shopper cannot cancel it and it does not lapse inside the payment window; a failed payment
//! releases it exactly once; a closed checkout hands out no token; a second order reference
//! for one sale is refused.

use cartql::service::cart::{Outbox, sweep_checkouts};
use futures::future::join;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    checkout::{CANCEL, begin, complete, ready_buyer},
    error_codes,
};

const CLAIM: &str = r#"
mutation($id: ID!) { claimCheckout(checkoutId: $id) {
  checkout { id status expiresAt handoffToken cart { status } } userErrors { code field message } } }"#;

const RELEASE: &str = r#"
mutation($id: ID!) { releaseCheckout(checkoutId: $id) {
  checkout { id status handoffToken cart { status } } userErrors { code field message } } }"#;

const READ: &str = r#"query($id: ID!) { checkout(id: $id) { status handoffToken } }"#;

async fn order(app: &TestApp, query: &str, id: &str) -> Value {
    let data = app.gql(&Who::OrderSystem, query, json!({ "id": id })).await;
    data.as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .expect("a payload")
}

/// A shopper with a begun checkout of 2 LIMITED; its id.
async fn begun(app: &TestApp, shopper: &Who) -> String {
    app.add(shopper, "LIMITED", 2).await;
    ready_buyer(app, shopper).await;
    let began = begin(app, shopper).await;
    assert_eq!(began["userErrors"], json!([]), "{began}");
    began["checkout"]["id"].as_str().expect("an id").to_owned()
}

async fn held(app: &TestApp) -> i64 {
    app.scalar("SELECT held FROM products WHERE sku = 'LIMITED'")
        .await
}

#[tokio::test]
async fn a_claimed_checkout_cannot_be_cancelled_by_the_shopper_and_completes() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("payer".into());
    let id = begun(&app, &shopper).await;
    let claimed = order(&app, CLAIM, &id).await;
    assert_eq!(claimed["checkout"]["status"], "CLAIMED", "{claimed}");
    assert!(claimed["checkout"]["handoffToken"].is_string());
    // A repeated claim answers the same checkout.
    assert_eq!(
        order(&app, CLAIM, &id).await["checkout"]["status"],
        "CLAIMED"
    );

    let cancel = app.gql(&shopper, CANCEL, json!({})).await["cancelCheckout"].clone();
    assert_eq!(error_codes(&cancel), ["CHECKOUT_CLAIMED"], "{cancel}");
    assert_eq!(held(&app).await, 2);

    let done = complete(&app, &id, "PAID-1").await;
    assert_eq!(done["checkout"]["status"], "COMPLETED", "{done}");
    assert_eq!(
        error_codes(&complete(&app, &id, "PAID-2").await),
        ["CHECKOUT_CLOSED"]
    );
    assert_eq!(
        app.scalar("SELECT stock FROM products WHERE sku = 'LIMITED'")
            .await,
        3
    );
    let read = app.gql(&shopper, READ, json!({ "id": id })).await;
    assert_eq!(read["checkout"]["handoffToken"], Value::Null, "{read}");
}

#[tokio::test]
async fn a_claimed_checkout_outlasts_its_hold_until_the_payment_window_ends() {
    let app = TestApp::spawn_with(&[
        ("CARTQL_CHECKOUT_HOLD", "15m"),
        ("CARTQL_CHECKOUT_PAYMENT_WINDOW", "1h"),
    ])
    .await;
    let claimed = begun(&app, &Who::User("slow-bank".into())).await;
    let holding = begun(&app, &Who::User("idle".into())).await;
    order(&app, CLAIM, &claimed).await;
    // Twenty minutes on: the unclaimed hold lapses, the claimed one does not.
    let later = chrono::Utc::now() + chrono::Duration::minutes(20);
    assert_eq!(
        sweep_checkouts(&app.db, later, Outbox::Off)
            .await
            .expect("sweep"),
        1
    );
    let read = app
        .gql(&Who::OrderSystem, READ, json!({ "id": holding }))
        .await;
    assert_eq!(read["checkout"]["status"], "EXPIRED");
    assert_eq!(read["checkout"]["handoffToken"], Value::Null);
    assert_eq!(held(&app).await, 2);
    // Past the payment window it lapses too.
    let much_later = chrono::Utc::now() + chrono::Duration::minutes(61);
    assert_eq!(
        sweep_checkouts(&app.db, much_later, Outbox::Off)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(held(&app).await, 0);
}

#[tokio::test]
async fn a_failed_payment_releases_the_checkout_exactly_once() {
    let app = TestApp::spawn().await;
    let shopper = Who::User("declined".into());
    let id = begun(&app, &shopper).await;
    order(&app, CLAIM, &id).await;
    let released = order(&app, RELEASE, &id).await;
    assert_eq!(released["checkout"]["status"], "RELEASED", "{released}");
    assert_eq!(released["checkout"]["cart"]["status"], "OPEN");
    assert_eq!(released["checkout"]["handoffToken"], Value::Null);
    assert_eq!(held(&app).await, 0);
    // Again: the same answer, nothing given back twice.
    assert_eq!(
        order(&app, RELEASE, &id).await["checkout"]["status"],
        "RELEASED"
    );
    assert_eq!(held(&app).await, 0);
    assert_eq!(
        error_codes(&complete(&app, &id, "TOO-LATE").await),
        ["CHECKOUT_CLOSED"]
    );
    assert_eq!(
        error_codes(&order(&app, CLAIM, &id).await),
        ["CHECKOUT_CLOSED"]
    );
    // The shopper may check out again at once: a release is no abandoned hold.
    let again = begin(&app, &shopper).await;
    assert_eq!(again["userErrors"], json!([]), "{again}");
}

#[tokio::test]
async fn a_claim_counts_the_uses_and_a_release_gives_them_back() {
    let app = TestApp::spawn().await;
    crate::helpers::pricing::promote(
        &app,
        json!([{ "code": "ONE", "title": "One", "kind": "AMOUNT_OFF", "value": "1.00",
                 "usageLimit": 1 }]),
    )
    .await;
    let shopper = Who::User("coupon".into());
    app.add(&shopper, "LIMITED", 1).await;
    crate::helpers::pricing::apply(&app, &shopper, "ONE").await;
    ready_buyer(&app, &shopper).await;
    let id = begin(&app, &shopper).await["checkout"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let used = || app.scalar("SELECT times_used FROM promotions WHERE code_key = 'one'");
    order(&app, CLAIM, &id).await;
    assert_eq!(used().await, 1);
    order(&app, RELEASE, &id).await;
    assert_eq!(used().await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM promotion_usages").await, 0);
}

#[tokio::test]
async fn a_cancel_racing_a_claim_never_both_win() {
    let app = TestApp::spawn_with(&[("CARTQL_HOLD_COOLDOWN", "0")]).await;
    let shopper = Who::User("racer".into());
    app.add(&shopper, "LIMITED", 1).await;
    ready_buyer(&app, &shopper).await;
    for round in 0..10 {
        let began = begin(&app, &shopper).await;
        let id = began["checkout"]["id"].as_str().expect("an id").to_owned();
        let (cancel, claim) = join(
            app.gql(&shopper, CANCEL, json!({})),
            app.gql(&Who::OrderSystem, CLAIM, json!({ "id": id })),
        )
        .await;
        let cancelled = error_codes(&cancel["cancelCheckout"]).is_empty();
        let claimed = error_codes(&claim["claimCheckout"]).is_empty();
        assert!(cancelled != claimed, "round {round}: {cancel} {claim}");
        if claimed {
            order(&app, RELEASE, &id).await;
        }
        assert_eq!(held(&app).await, 0, "round {round}");
    }
}
