//! Random and mutated GraphQL documents and variables thrown at the real router: the service
//! never panics and never answers 500.

use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use serde_json::{Value, json};

use crate::helpers::{ADD, CART_VIEW, TestApp, Who};

const SEEDS: [&str; 5] = [
    CART_VIEW,
    ADD,
    "mutation($input: UpdateCartItemInput!) { updateCartItem(input: $input) { item { id } userErrors { code } } }",
    "query($s: String, $f: Int, $a: String) { products(search: $s, first: $f, after: $a) { edges { cursor node { sku } } } }",
    "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id token } userErrors { code } } }",
];

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::hash_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A seed document with a random edit: a cut, an insertion, or a duplicated slice.
fn mutated_document() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        ".{0,12}",
        0..3u8,
    )
        .prop_map(|(seed, a, b, insert, kind)| {
            let chars: Vec<char> = SEEDS[seed].chars().collect();
            let (i, j) = (a.index(chars.len()), b.index(chars.len()));
            let (lo, hi) = (i.min(j), i.max(j));
            let mut out: Vec<char> = match kind {
                0 => chars[..lo].iter().chain(&chars[hi..]).copied().collect(),
                1 => chars[..lo]
                    .iter()
                    .copied()
                    .chain(insert.chars())
                    .chain(chars[lo..].iter().copied())
                    .collect(),
                _ => chars[..hi]
                    .iter()
                    .chain(&chars[lo..hi])
                    .chain(&chars[hi..])
                    .copied()
                    .collect(),
            };
            out.truncate(20_000);
            out.into_iter().collect()
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_documents_and_variables_never_cause_a_500() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    let runtime = tokio::runtime::Handle::current();
    let document = prop_oneof![mutated_document(), ".{0,400}", Just(CART_VIEW.to_owned())];
    let variables = prop_oneof![
        json_value(),
        proptest::collection::hash_map("[a-z]{1,6}", json_value(), 0..4).prop_map(|m| json!(m)),
        Just(json!({ "input": { "product": { "sku": "TEE" } } }))
    ];
    let who = prop_oneof![
        Just(Who::Anonymous),
        Just(guest),
        Just(Who::User("fuzz".into()))
    ];

    let (cases, executed) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&(document, variables, who), |(query, variables, who)| {
        let (status, body) =
            tokio::task::block_in_place(|| runtime.block_on(app.post(&who, &query, variables)));
        cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if body.get("data").is_some_and(|d| !d.is_null()) {
            executed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        prop_assert!(status != 500, "500 for {query:?}: {body}");
        prop_assert!(
            [200, 400, 401, 413, 429].contains(&status.as_u16()),
            "{status} for {query:?}: {body}"
        );
        prop_assert!(
            body.get("data").is_some() || body.get("errors").is_some(),
            "{body}"
        );
        if let Some(errors) = body.get("errors").and_then(Value::as_array) {
            for error in errors {
                let code = error["extensions"]["code"].as_str().unwrap_or_default();
                prop_assert!(
                    !code.is_empty() && code != "INTERNAL_SERVER_ERROR",
                    "{error}"
                );
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let (cases, executed) = (cases.into_inner(), executed.into_inner());
    assert!(cases >= 300, "{cases} cases ran");
    assert!(
        executed > 0,
        "some documents were valid enough to execute ({executed} of {cases})"
    );
    println!("{cases} cases, {executed} executed");
}
