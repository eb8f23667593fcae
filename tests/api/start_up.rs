//! Many instances of the real binary starting at the same moment on one empty database (a
//! rolling deploy), on whichever backend `DATABASE_URL` names (a SQLite file by default): every
//! one comes up, and the demo data is there exactly once. A production start loads no demo
//! data unless asked to.

use std::process::Stdio;

use cartql::{db, service::seed};
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{
    SECRET, TestDatabase,
    server::{Server, cartql, get},
};

/// Instances started together: enough that, without the lock, some reach the empty catalog
/// before the first one has filled it on every backend.
const INSTANCES: usize = 6;

/// The demo data's rows, by table: 56 products, 3 promotions, 5 tax and 3 shipping rates.
const DEMO: [(&str, i64); 4] = [
    ("products", 56),
    ("promotions", 3),
    ("tax_rates", 5),
    ("shipping_rates", 3),
];

async fn count(url: &str, table: &str) -> i64 {
    let db = db::connect(url, 1).await.expect("connect");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("a row");
    let _ = db.close().await;
    row.try_get_by_index::<i64>(0)
        .or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from))
        .expect("a number")
}

async fn counts(url: &str) -> Vec<(&'static str, i64)> {
    let mut found = Vec::new();
    for (table, _) in DEMO {
        found.push((table, count(url, table).await));
    }
    found
}

/// Starts `INSTANCES` servers at once and waits until each listens and is ready.
fn start_together(settings: &[(&str, &str)]) -> Vec<Server> {
    let mut servers: Vec<Server> = (0..INSTANCES).map(|_| Server::spawn(settings)).collect();
    for server in &mut servers {
        server.wait_listening();
        assert_eq!(get(&server.address, "/readyz").0, 200);
    }
    servers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_database_all_come_up_with_the_demo_data_once() {
    let database = TestDatabase::create().await;
    let url = database.url.clone();
    let servers = tokio::task::spawn_blocking(move || start_together(&[("DATABASE_URL", &url)]))
        .await
        .expect("the instances start");
    assert_eq!(counts(&database.url).await, DEMO.to_vec());
    drop(servers);
}

/// Runs `cartql migrate` `times` times at once on `url`; each must succeed.
fn migrate_together(url: &str, times: usize) {
    let dir = std::env::temp_dir();
    let migrations: Vec<_> = (0..times)
        .map(|_| {
            cartql(&dir)
                .arg("migrate")
                .env("DATABASE_URL", url)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run cartql migrate")
        })
        .collect();
    for migration in migrations {
        let output = migration.wait_with_output().expect("cartql migrate ends");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cartql_migrate_run_twice_at_once_on_an_empty_database_succeeds_twice() {
    let database = TestDatabase::create().await;
    let url = database.url.clone();
    tokio::task::spawn_blocking(move || migrate_together(&url, 2))
        .await
        .expect("both migrations succeed");
    assert_eq!(count(&database.url, "products").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_cartql_migrate_instances_starting_together_load_the_demo_data_once() {
    let database = TestDatabase::create().await;
    let url = database.url.clone();
    let servers = tokio::task::spawn_blocking(move || {
        migrate_together(&url, 1);
        start_together(&[("DATABASE_URL", &url)])
    })
    .await
    .expect("the instances start");
    assert_eq!(counts(&database.url).await, DEMO.to_vec());
    drop(servers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_start_loads_no_demo_data_unless_asked_to() {
    for (asked, expected) in [(None, 0), (Some("true"), 56)] {
        let database = TestDatabase::create().await;
        let url = database.url.clone();
        let server = tokio::task::spawn_blocking(move || {
            let mut settings = vec![
                ("DATABASE_URL", url.as_str()),
                ("CARTQL_ENV", "production"),
                ("CARTQL_JWT_SECRET", SECRET),
                ("CARTQL_JWT_AUDIENCE", "cartql"),
            ];
            if let Some(asked) = asked {
                settings.push(("CARTQL_DEMO_CATALOG", asked));
            }
            let server = Server::start(&settings);
            assert_eq!(get(&server.address, "/readyz").0, 200);
            server
        })
        .await
        .expect("the instance starts");
        assert_eq!(
            count(&database.url, "products").await,
            expected,
            "CARTQL_DEMO_CATALOG={asked:?}"
        );
        let promotions = if asked.is_some() { 3 } else { 0 };
        assert_eq!(count(&database.url, "promotions").await, promotions);
        drop(server);
    }
}

/// The lock itself (PostgreSQL and MySQL/MariaDB; SQLite's is its exclusive transaction, which
/// the tests above cover): a second taker waits until the first releases, even when both
/// pools have one connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_taker_of_the_start_up_lock_waits_for_the_release() {
    let database = TestDatabase::create().await;
    let first = db::connect(&database.url, 1).await.expect("connect");
    if first.get_database_backend() == sea_orm::DbBackend::Sqlite {
        return;
    }
    let second = db::connect(&database.url, 1).await.expect("connect");
    let held = db::StartupLock::acquire(&first).await.expect("the lock");
    let waiting = tokio::spawn(async move { db::StartupLock::acquire(&second).await });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the second taker waits");
    held.release().await;
    let taken = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("the second taker gets the lock once it is released")
        .expect("the task")
        .expect("the lock");
    taken.release().await;
    // Released on the connection that took it: a third taker gets it at once.
    let third = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        db::StartupLock::acquire(&first),
    )
    .await
    .expect("free again")
    .expect("the lock");
    third.release().await;
}

/// The demo promotions are keyed (a code, or a fixed id for the automatic ones): a second load,
/// as two instances' might be, stores nothing new.
#[tokio::test]
async fn loading_the_demo_promotions_twice_stores_them_once() {
    let app = crate::helpers::TestApp::spawn().await;
    let usd = cartql::domain::Currency::parse("USD").expect("USD");
    let before = app.scalar("SELECT COUNT(*) FROM promotions").await;
    for _ in 0..2 {
        seed::import_promotions(&app.db, seed::demo_promotions(), usd)
            .await
            .expect("the demo promotions load");
    }
    let after = app.scalar("SELECT COUNT(*) FROM promotions").await;
    assert_eq!(after - before, 3);
}
