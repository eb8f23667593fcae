//! SQLite's group commit: parallel mutations share transactions and COMMITs, a refusal in a
//! group undoes only itself, and a member dropped mid-body takes nothing of anyone with it.
//! (On PostgreSQL and MySQL there is no group commit; these tests check that and stop.)

use std::sync::Arc;

use cartql::db::GroupCommit;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;

use crate::helpers::{ADD, TestApp, Who, error_codes};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_mutations_commit_together_and_refusals_undo_only_themselves() {
    let app = Arc::new(TestApp::spawn_with(&[("CARTQL_GROUP_COMMIT", "true")]).await);
    let Some(group) = app.state.group_commit.clone() else {
        assert_ne!(app.db.get_database_backend(), DbBackend::Sqlite);
        return;
    };
    let shoppers: Vec<Who> = (0..8).map(|n| Who::User(format!("grouped-{n}"))).collect();
    // Each shopper adds TEE six times and SOLDOUT (always refused) twice, all at once.
    let mut tasks = Vec::new();
    for shopper in &shoppers {
        for round in 0..8 {
            let app = app.clone();
            let shopper = shopper.clone();
            let sku = if round % 4 == 3 { "SOLDOUT" } else { "TEE" };
            tasks.push(tokio::spawn(async move {
                let input = json!({ "input": { "product": { "sku": sku }, "quantity": 1 } });
                let (_, body) = app.post(&shopper, ADD, input).await;
                (sku, body)
            }));
        }
    }
    for task in tasks {
        let (sku, body) = task.await.expect("the request finished");
        assert!(body.get("errors").is_none(), "{body}");
        let codes = error_codes(&body["data"]["addToCart"]);
        match sku {
            "TEE" => assert!(codes.is_empty(), "{body}"),
            _ => assert_eq!(codes, ["OUT_OF_STOCK"], "{body}"),
        }
    }
    for shopper in &shoppers {
        let cart = app
            .gql(
                shopper,
                "{ cart { totalQuantity version items { nodes { sku quantity } } } }",
                json!({}),
            )
            .await;
        assert_eq!(cart["cart"]["totalQuantity"], 6, "{cart}");
        assert_eq!(
            cart["cart"]["items"]["nodes"],
            json!([{ "sku": "TEE", "quantity": 6 }])
        );
        // Six changes, each its own version: refusals bumped nothing.
        assert_eq!(cart["cart"]["version"], 6, "{cart}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cart_events WHERE kind = 'ADDED'")
            .await,
        48
    );
    let stats = group.stats();
    // Every mutation went through a group (the refused ones too), and bursts shared COMMITs.
    assert!(stats.members >= 64, "{stats:?}");
    assert!(stats.groups < stats.members, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_dropped_mid_body_abandons_its_group_and_the_others_run_again() {
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    app.execute("CREATE TABLE grouped (note TEXT NOT NULL)")
        .await;
    let group = GroupCommit::new(app.db.clone());

    // The first member writes, then waits as if its request stalled mid-body.
    let first = group.join().await.expect("join");
    first
        .transaction()
        .expect("the turn")
        .execute_unprepared("INSERT INTO grouped (note) VALUES ('cancelled')")
        .await
        .expect("insert");
    // A second member queues behind it.
    let second = {
        let group = group.clone();
        tokio::spawn(async move {
            let member = group.join().await.expect("join");
            member
                .transaction()
                .expect("the turn")
                .execute_unprepared("INSERT INTO grouped (note) VALUES ('kept')")
                .await
                .expect("insert");
            member.commit().await.map_err(|err| format!("{err:?}"))
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // The first request is cancelled: its member is dropped without commit or rollback.
    drop(first);
    second
        .await
        .expect("the second member finished")
        .expect("the second member committed in a group of its own");
    assert_eq!(
        app.text_column("SELECT group_concat(note) FROM grouped")
            .await,
        "kept"
    );
}

#[tokio::test]
async fn a_member_that_commits_after_others_left_the_group_open_is_stored_with_them() {
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    app.execute("CREATE TABLE grouped (note TEXT NOT NULL)")
        .await;
    let group = GroupCommit::new(app.db.clone());
    let mut waiting = Vec::new();
    let first = group.join().await.expect("join");
    // Three more queue while the first holds the turn.
    for n in 0..3 {
        let group = group.clone();
        waiting.push(tokio::spawn(async move {
            let member = group.join().await.expect("join");
            let txn = member.transaction().expect("the turn");
            txn.execute_unprepared(&format!("INSERT INTO grouped (note) VALUES ('w{n}')"))
                .await
                .expect("insert");
            // The second waiter is refused: its savepoint alone is undone.
            if n == 1 {
                member.rollback().await.expect("rollback");
                Ok(())
            } else {
                member.commit().await.map_err(|err| format!("{err:?}"))
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    first
        .transaction()
        .expect("the turn")
        .execute_unprepared("INSERT INTO grouped (note) VALUES ('first')")
        .await
        .expect("insert");
    first.commit().await.expect("the group committed");
    for task in waiting {
        task.await.expect("finished").expect("committed");
    }
    assert_eq!(
        app.text_column(
            "SELECT group_concat(note, ',') FROM (SELECT note FROM grouped ORDER BY note)"
        )
        .await,
        "first,w0,w2"
    );
    let stats = group.stats();
    assert_eq!(stats.members, 4, "{stats:?}");
    // The first member found three waiting and left the group open for them.
    assert_eq!(stats.groups, 1, "{stats:?}");
}
