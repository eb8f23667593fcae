//! The ownership matrix: every principal × every operation that names a line × every foreign
//! or random id. Nobody reads or writes another cart, and "not yours" is answered exactly like
//! "does not exist".

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

const UPDATE: &str = "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 7 }) { cart { id } item { id } userErrors { code field message } warnings { code } } }";
const UPDATE_ATTRIBUTES: &str = "mutation($id: ID!) { updateCartItem(input: { itemId: $id, quantity: 1, attributes: [{ key: \"k\", value: \"v\" }] }) { cart { id } item { id } userErrors { code field message } warnings { code } } }";
const REMOVE: &str = "mutation($id: ID!) { removeCartItem(itemId: $id) { cart { id } item { id } userErrors { code field message } warnings { code } } }";
const RANDOM_IDS: [&str; 3] = [
    "01a201cf-0000-7000-8000-000000000000",
    "not-an-id",
    "' OR '1'='1",
];

#[tokio::test]
async fn no_principal_reaches_another_cart_and_foreign_looks_like_missing() {
    let app = TestApp::spawn().await;
    let guest_a = app.new_guest().await;
    let guest_b = app.new_guest().await;
    let principals = [
        ("anonymous", Who::Anonymous),
        ("guest A", guest_a),
        ("guest B", guest_b),
        ("user A", Who::User("user-a".into())),
        ("user B", Who::User("user-b".into())),
        ("admin", Who::Admin),
    ];
    // Everyone but the anonymous caller owns a cart with one line.
    let mut owned: Vec<(usize, String)> = Vec::new();
    for (index, (_, who)) in principals.iter().enumerate().skip(1) {
        let added = app.add(who, "TEE", 1).await;
        owned.push((
            index,
            added["item"]["id"].as_str().expect("an item id").to_owned(),
        ));
    }
    let before = app.snapshot().await;

    for (index, (name, who)) in principals.iter().enumerate() {
        // The answer for an id that exists nowhere, per operation.
        let mut missing: Vec<Value> = Vec::new();
        for query in [UPDATE, UPDATE_ATTRIBUTES, REMOVE] {
            missing.push(app.gql(who, query, json!({ "id": RANDOM_IDS[0] })).await);
        }
        for (op, query) in [UPDATE, UPDATE_ATTRIBUTES, REMOVE].iter().enumerate() {
            assert_eq!(
                missing[op]
                    .as_object()
                    .and_then(|o| o.values().next())
                    .map(|p| p["userErrors"][0]["code"].clone()),
                Some(json!("ITEM_NOT_FOUND"))
            );
            let foreign = owned
                .iter()
                .filter(|(owner, _)| *owner != index)
                .map(|(_, id)| id.as_str());
            for id in foreign.chain(RANDOM_IDS.iter().copied()) {
                let answer = app.gql(who, query, json!({ "id": id })).await;
                let payload = answer
                    .as_object()
                    .and_then(|o| o.values().next())
                    .cloned()
                    .unwrap_or_default();
                assert_eq!(
                    payload["userErrors"][0]["code"], "ITEM_NOT_FOUND",
                    "{name} on {id}: {answer}"
                );
                if id != "not-an-id" && id != "' OR '1'='1" {
                    assert_eq!(
                        answer, missing[op],
                        "{name}: a foreign id must read exactly like a missing one"
                    );
                }
            }
        }
        // Reads show the caller's own line and nothing else.
        let view = app
            .gql(
                who,
                "{ cart { items { edges { node { id } } } } cartSummary { items { itemId } } }",
                json!({}),
            )
            .await;
        let mine: Vec<&str> = owned
            .iter()
            .filter(|(owner, _)| *owner == index)
            .map(|(_, id)| id.as_str())
            .collect();
        let seen: Vec<&str> = view["cart"]["items"]["edges"]
            .as_array()
            .map(|edges| {
                edges
                    .iter()
                    .filter_map(|e| e["node"]["id"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(seen, mine, "{name} sees exactly its own lines");
        let summary: Vec<&str> = view["cartSummary"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["itemId"].as_str())
            .collect();
        assert_eq!(
            summary, mine,
            "{name}'s summary shows exactly its own lines"
        );
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "no principal changed another's cart"
    );

    // Clearing is always the caller's own cart.
    app.gql(
        &principals[3].1,
        "mutation { clearCart { cart { id } } }",
        json!({}),
    )
    .await;
    for (index, (name, who)) in principals.iter().enumerate() {
        let count = app
            .gql(who, "{ cartSummary { itemCount } }", json!({}))
            .await["cartSummary"]["itemCount"]
            .clone();
        let expected = if index == 0 || index == 3 { 0 } else { 1 };
        assert_eq!(count, expected, "{name} after user A cleared their cart");
    }
}
