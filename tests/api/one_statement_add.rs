//! PostgreSQL's one-statement `addToCart` against the general transaction: the same adds —
//! new and existing lines, attributes, stock exactly used up, every refusal and cut, a version
//! conflict, a guest and a user — give the same replies (ids aside) and leave the same carts
//! and history, and queue the same events for a sink, with the fast path on and off. On SQLite and MySQL both runs take the general
//! path, so they agree trivially.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, Who,
    events::{Receiver, WEBHOOK_SECRET},
    key_of, render_row,
};

/// `ADD`'s selection, with `expectedVersion`.
const ADD_AT: &str = r#"
mutation($input: AddToCartInput!, $version: Int) {
  addToCart(input: $input, expectedVersion: $version) {
    cart { id token itemCount totalQuantity version
           cost { subtotal { amount } total { amount } }
           items { nodes { id quantity sku attributes { key value } unitPrice { amount } } } }
    item { id quantity sku productId attributes { key value } subtotal { amount } product { sku stock } }
    userErrors { code field message }
    warnings { code message target }
  }
}"#;

/// `(who, input, expectedVersion)`; `"guest"` is the guest cart the script opens first.
fn script() -> Vec<(&'static str, Value, Option<i64>)> {
    let add = |sku: &str, quantity: i64| json!({ "product": { "sku": sku }, "quantity": quantity });
    vec![
        ("alice", add("TEE", 1), None),
        ("alice", add("TEE", 2), None),
        ("alice", add("MUG", 1), None),
        (
            "alice",
            json!({ "product": { "sku": "TEE" }, "attributes": [{ "key": "size", "value": "M" }] }),
            None,
        ),
        ("alice", add("LIMITED", 5), None),
        ("alice", add("LIMITED", 1), None),
        ("alice", add("SOLDOUT", 1), None),
        ("alice", add("RETIRED", 1), None),
        ("alice", add("EURO", 1), None),
        ("alice", add("KIT", 1), None),
        (
            "alice",
            json!({ "product": { "sku": "KIT" }, "attributes": [{ "key": "team_id", "value": "7" }] }),
            None,
        ),
        ("alice", add("CAP", 1), Some(3)),
        ("alice", add("CAP", 1), Some(7)),
        ("alice", add("CAP", 997), None),
        ("alice", add("CAP", 1), None),
        ("alice", add("CAP", 1), None),
        ("alice", add("NOPE", 1), None),
        ("guest", add("BULK-001", 2), None),
        ("guest", add("BULK-001", 1), None),
        ("bob", add("TEE", 1), None),
        ("bob", add("TEE", 1), None),
    ]
}

/// The script's replies with ids numbered by first appearance, the rows it left, and the
/// payloads it queued for a webhook sink that stays down (so they stay in the outbox).
async fn run(one_statement: &str) -> (Vec<Value>, Vec<String>, Vec<Value>) {
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let app = TestApp::spawn_with(&[
        ("CARTQL_ONE_STATEMENT_ADD", one_statement),
        ("CARTQL_WEBHOOK_URL", receiver.url.as_str()),
        ("CARTQL_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ])
    .await;
    let guest = app.new_guest().await;
    let mut ids = HashMap::new();
    let mut replies = Vec::new();
    for (who, input, expected) in script() {
        let who = match who {
            "guest" => guest.clone(),
            user => Who::User(user.to_owned()),
        };
        let variables = json!({ "input": input, "version": expected });
        let reply = app.gql(&who, ADD_AT, variables).await;
        replies.push(numbered(reply, &mut ids));
    }
    let mut rows = Vec::new();
    for sql in [
        "SELECT c.user_id, c.version, i.quantity, i.attributes, i.added_unit_price_minor, p.sku \
         FROM cart_items i JOIN carts c ON c.id = i.cart_id JOIN products p ON p.id = i.product_id \
         WHERE i.live IS NOT NULL ORDER BY c.user_id, p.sku, i.attributes",
        "SELECT c.user_id, e.version, e.kind, e.actor, e.quantity, p.sku FROM cart_events e \
         JOIN carts c ON c.id = e.cart_id LEFT JOIN products p ON p.id = e.product_id \
         ORDER BY c.user_id, e.version, e.kind",
    ] {
        let found = app
            .db
            .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .expect("read the rows");
        rows.extend(found.iter().map(render_row));
    }
    let payloads = app
        .text_column("SELECT payload FROM outbox_events ORDER BY seq")
        .await
        .lines()
        .map(|line| {
            let mut payload: Value = serde_json::from_str(line).expect("a JSON payload");
            assert!(
                payload["occurredAt"]
                    .as_str()
                    .is_some_and(|t| t.ends_with('Z'))
            );
            payload["occurredAt"] = json!("when");
            numbered(payload, &mut ids)
        })
        .collect();
    (replies, rows, payloads)
}

/// Replaces every id-like string (36 characters with dashes, bare or in a global id) and
/// guest token by `#n`, n by first appearance of the row key.
fn numbered(value: Value, ids: &mut HashMap<String, usize>) -> Value {
    match value {
        Value::String(text) if is_key(key_of(&text)) || text.starts_with("cgt_") => {
            let next = ids.len();
            let key = key_of(&text).to_owned();
            Value::String(format!("#{}", ids.entry(key).or_insert(next)))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| numbered(v, ids)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbered(v, ids)))
                .collect(),
        ),
        other => other,
    }
}

#[tokio::test]
async fn the_one_statement_add_answers_and_writes_exactly_as_the_transaction_does() {
    let (fast, fast_rows, fast_payloads) = run("true").await;
    let (general, general_rows, general_payloads) = run("false").await;
    for (n, (a, b)) in fast.iter().zip(&general).enumerate() {
        assert_eq!(a, b, "step {n} differs");
    }
    assert_eq!(fast_rows, general_rows);
    assert_eq!(fast_payloads, general_payloads);
    assert!(fast_payloads.len() > 10, "{fast_payloads:?}");
    assert!(
        fast_rows.iter().any(|row| row.contains("ADDED")),
        "{fast_rows:?}"
    );
    // The script covers what it claims: refusals, a cut, and plain adds.
    let codes: Vec<String> = general
        .iter()
        .flat_map(|r| {
            r["addToCart"]["userErrors"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    for code in [
        "OUT_OF_STOCK",
        "PRODUCT_UNAVAILABLE",
        "CURRENCY_MISMATCH",
        "VERSION_CONFLICT",
        "QUANTITY_LIMIT_EXCEEDED",
        "PRODUCT_NOT_FOUND",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
    let warnings = general
        .iter()
        .filter(|r| {
            r["addToCart"]["warnings"]
                .as_array()
                .is_some_and(|w| !w.is_empty())
        })
        .count();
    assert!(warnings >= 1, "the stock cut is in the script");
}

fn is_key(text: &str) -> bool {
    text.len() == 36 && text.matches('-').count() == 4
}
