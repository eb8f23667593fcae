//! SIGKILL in the middle of a stream of writes: after a restart, every acknowledged mutation
//! is there in full and no mutation is there in part.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    SECRET, TestApp, key_of,
    server::{Server, get, try_post},
};

/// Lines in every cart this test creates: a cart with fewer is a half-applied mutation.
const LINES: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_write_leaves_no_half_applied_mutation() {
    let app = TestApp::spawn().await;
    let settings = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_RATE_NEW_CARTS", "100000"),
        ("CARTQL_RATE_MUTATIONS", "100000"),
    ];
    let mut server = Server::start(&settings);
    let items: Vec<Value> = (1..=LINES)
        .map(|n| json!({ "product": { "sku": format!("BULK-{n:03}") }, "quantity": n }))
        .collect();
    let body = Arc::new(json!({
        "query": "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id totalQuantity } userErrors { code } } }",
        "variables": { "items": items },
    }));

    // Eight clients open carts as fast as they can until the server dies under them.
    let dead = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (address, body, dead) = (server.address.clone(), body.clone(), dead.clone());
            thread::spawn(move || {
                let (mut acknowledged, mut cut_off) = (Vec::new(), 0);
                while !dead.load(Ordering::SeqCst) {
                    match try_post(&address, &[], &body) {
                        Some((200, reply)) => {
                            if let Some(id) = reply["data"]["createCart"]["cart"]["id"].as_str() {
                                acknowledged.push(id.to_owned());
                            }
                        }
                        Some(_) => {}
                        None => cut_off += 1,
                    }
                }
                (acknowledged, cut_off)
            })
        })
        .collect();
    // Let writes pile up, then kill the process in the middle of them.
    while app.scalar("SELECT COUNT(*) FROM carts").await < 20 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Clients stop starting requests first, so every request cut off below was in flight
    // when the process died.
    dead.store(true, Ordering::SeqCst);
    server.kill();
    let (mut acknowledged, mut cut_off) = (Vec::new(), 0);
    for client in clients {
        let (acked, cut) = client.join().expect("a client");
        acknowledged.extend(acked);
        cut_off += cut;
    }
    assert!(!acknowledged.is_empty());
    assert!(cut_off > 0, "the kill landed while requests were in flight");

    // No cart holds a partial set of lines, and every acknowledged cart is complete.
    let carts = app.scalar("SELECT COUNT(*) FROM carts").await;
    let complete = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM carts WHERE (SELECT COUNT(*) FROM cart_items WHERE cart_items.cart_id = carts.id) = {LINES}"
        ))
        .await;
    assert_eq!(
        complete,
        carts,
        "{} of {carts} carts are half-written",
        carts - complete
    );
    for id in &acknowledged {
        let lines = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM cart_items WHERE cart_id = '{}'",
                key_of(id)
            ))
            .await;
        assert_eq!(lines, LINES as i64, "acknowledged cart {id} lost lines");
    }
    if app.db.get_database_backend() == DbBackend::Sqlite {
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .expect("integrity check")
            .expect("a row");
        assert_eq!(row.try_get_by_index::<String>(0).expect("text"), "ok");
    }

    // A new process on the same database serves at once.
    let restarted = Server::start(&settings);
    assert_eq!(get(&restarted.address, "/readyz").0, 200);
    let (status, reply) = try_post(&restarted.address, &[], &body).expect("a reply");
    assert_eq!(status, 200);
    assert_eq!(
        reply["data"]["createCart"]["cart"]["totalQuantity"], 15,
        "{reply}"
    );
}
