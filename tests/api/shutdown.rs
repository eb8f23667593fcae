//! SIGTERM with a request in flight: `/readyz` turns 503 at once, the request finishes, its
//! write is kept, and the process exits cleanly.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{
    ADD, SECRET, TestApp, Who,
    server::{Server, get, post},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_flips_readiness() {
    let app = TestApp::spawn().await;
    app.add(&Who::User("drain".into()), "CAP", 1).await;
    let mut server = Server::start(&[
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_SHUTDOWN_GRACE", "2s"),
    ]);
    assert_eq!(get(&server.address, "/readyz").0, 200);

    // Hold the cart's lock so the next add stays in flight inside the server.
    let txn = app.hold_cart_locks().await;
    let address = server.address.clone();
    let authorization = format!("Bearer {}", app.token("drain", false));
    let in_flight = std::thread::spawn(move || {
        let body =
            json!({ "query": ADD, "variables": { "input": { "product": { "sku": "CAP" } } } });
        post(&address, &[("Authorization", &authorization)], &body)
    });
    // Let the request reach the server before the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.terminate();
    let mut readiness = 0;
    for _ in 0..50 {
        readiness = get(&server.address, "/readyz").0;
        if readiness == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        readiness, 503,
        "/readyz answers 503 as soon as shutdown begins"
    );
    assert_eq!(
        get(&server.address, "/healthz").0,
        200,
        "the process is still up and serving"
    );

    txn.commit().await.expect("release the lock");
    let (status, reply) = in_flight.join().expect("the in-flight request returned");
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"]["addToCart"]["item"]["quantity"], 2, "{reply}");
    let exit = tokio::task::spawn_blocking(move || {
        let exit = server.wait_exit(Duration::from_secs(30));
        drop(server);
        exit
    })
    .await
    .expect("waited");
    assert!(
        exit.is_some_and(|status| status.success()),
        "cartql exits cleanly: {exit:?}"
    );
    assert_eq!(
        app.live_quantity().await,
        2,
        "the acknowledged write is kept"
    );
}
