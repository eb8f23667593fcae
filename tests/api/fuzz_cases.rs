//! Structure-aware generators of hostile requests for the fuzzers in `fuzz.rs`: documents
//! nested thousands deep (values and selections, closed or not), alias and directive floods,
//! fragment chains and cycles, huge and odd numbers, broken unicode, oversized tokens and
//! keys, invalid UTF-8 and malformed JSON bodies, over POST and GET.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{ADD, CART_VIEW};

/// One request as bytes on the wire would carry it.
#[derive(Clone, Debug)]
pub struct Case {
    pub method: &'static str,
    /// The path and query string.
    pub uri: String,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

const SEEDS: [&str; 5] = [
    CART_VIEW,
    ADD,
    "mutation($input: UpdateCartItemInput!) { updateCartItem(input: $input) { item { id } userErrors { code } } }",
    "query($s: String, $f: Int, $a: String) { products(search: $s, first: $f, after: $a) { edges { cursor node { sku } } } }",
    "mutation($items: [CartItemInput!]) { createCart(items: $items) { cart { id token } userErrors { code } } }",
];

/// Arbitrary JSON, a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
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
fn mutated_seed() -> impl Strategy<Value = String> {
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
            let out: Vec<char> = match kind {
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
            out.into_iter().take(20_000).collect()
        })
}

/// A value nested `depth` deep in lists and objects, closed or left open.
fn nested_value() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(any::<bool>(), 1..8),
        0usize..3_000,
        any::<bool>(),
    )
        .prop_map(|(pattern, depth, close)| {
            let mut open = String::new();
            let mut shut = String::new();
            for level in 0..depth {
                if pattern[level % pattern.len()] {
                    open.push('[');
                    shut.insert(0, ']');
                } else {
                    open.push_str("{a:");
                    shut.insert(0, '}');
                }
            }
            format!(
                "{{ product(id: {open}1{}) {{ id }} }}",
                if close { shut } else { String::new() }
            )
        })
}

/// Selections nested `depth` deep.
fn nested_selection() -> impl Strategy<Value = String> {
    (0usize..3_000, any::<bool>()).prop_map(|(depth, close)| {
        let open = "cart { items { edges { node { product { shop { ".repeat(depth / 6 + 1);
        let shut = if close {
            "} ".repeat(depth / 6 * 6 + 6)
        } else {
            String::new()
        };
        format!("{{ {open} id {shut} }}")
    })
}

/// Many aliases of one field.
fn alias_flood() -> impl Strategy<Value = String> {
    (
        0usize..5_000,
        prop::sample::select(vec![
            "cart { id }",
            "product(sku: \"CAP\") { id }",
            "__typename",
        ]),
        any::<bool>(),
    )
        .prop_map(|(n, field, mutation)| {
            let (keyword, field) = if mutation {
                ("mutation", "createCart { cart { id } }")
            } else {
                ("query", field)
            };
            let aliases: String = (0..n).map(|i| format!("a{i}: {field} ")).collect();
            format!("{keyword} {{ {aliases} }}")
        })
}

/// Fragments that each spread the previous one several times; sometimes a cycle.
fn fragment_chain() -> impl Strategy<Value = String> {
    (1usize..40, 1usize..8, any::<bool>()).prop_map(|(levels, spreads, cycle)| {
        let mut document = format!("{{ cart {{ ...F{levels} }} }} fragment F0 on Cart {{ id }}\n");
        for level in 1..=levels {
            let body = format!("...F{} ", level - 1).repeat(spreads);
            document.push_str(&format!("fragment F{level} on Cart {{ {body} }}\n"));
        }
        if cycle {
            document.push_str(&format!("fragment G on Cart {{ ...F{levels} ...G }}\n"));
            document = document.replacen("...F1 ", "...G ", 1);
        }
        document
    })
}

/// A field with many directives, literal or from variables.
fn directive_flood() -> impl Strategy<Value = String> {
    (0usize..2_000, any::<bool>()).prop_map(|(n, variable)| {
        let directive = if variable {
            "@include(if: $x) "
        } else {
            "@skip(if: false) "
        };
        format!(
            "query($x: Boolean = true) {{ cart {directive_list} {{ id }} }}",
            directive_list = directive.repeat(n)
        )
    })
}

/// Literals that stretch the number and string grammar.
fn odd_literals() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        Just("99999999999999999999999999999999999999".to_owned()),
        Just("1e400".to_owned()),
        Just("-0".to_owned()),
        Just("1.5".to_owned()),
        Just("0x10".to_owned()),
        "[0-9]{1,400}",
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    let string = prop_oneof![
        Just("\"\\uD800\"".to_owned()),
        Just("\"\\u0000\"".to_owned()),
        Just("\"\\\"\"\"".to_owned()),
        Just("\"\"\"\\\"\"\"\"\"\"".to_owned()),
        "\"[^\"\\\\]{0,200}\"",
    ];
    (number, string).prop_map(|(number, string)| {
        format!(
            "mutation {{ addToCart(input: {{ product: {{ sku: {string} }}, quantity: {number} }}) \
             {{ item {{ id }} userErrors {{ code }} }} }}"
        )
    })
}

/// Any document the generators make.
pub fn document() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => mutated_seed(),
        2 => nested_value(),
        2 => nested_selection(),
        1 => alias_flood(),
        2 => fragment_chain(),
        1 => directive_flood(),
        2 => odd_literals(),
        1 => ".{0,400}",
    ]
}

/// Headers a hostile client sends: oversized or forged tokens, odd keys.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let header = prop_oneof![
        "[A-Za-z0-9._-]{0,64}".prop_map(|t| ("authorization".to_owned(), format!("Bearer {t}"))),
        (1usize..20_000).prop_map(|n| (
            "authorization".to_owned(),
            format!("Bearer {}", "a".repeat(n))
        )),
        Just((
            "authorization".to_owned(),
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.".to_owned()
        )),
        "[ -~]{0,80}".prop_map(|t| ("x-cart-token".to_owned(), t)),
        "[ -~]{0,300}".prop_map(|k| ("idempotency-key".to_owned(), k)),
        Just((
            "idempotency-key".to_owned(),
            "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f".to_owned()
        )),
        "[ -~]{0,40}".prop_map(|a| ("x-forwarded-for".to_owned(), a)),
        Just((
            "accept".to_owned(),
            "application/graphql-response+json".to_owned()
        )),
    ];
    proptest::collection::vec(header, 0..3)
}

/// A request body: a JSON envelope around a document, or something that is not one.
fn body(document: String) -> impl Strategy<Value = Vec<u8>> {
    let envelope = (
        prop_oneof![
            json_value(),
            Just(json!({ "input": { "product": { "sku": "TEE" } } }))
        ],
        proptest::option::of("[A-Za-z]{1,8}"),
    )
        .prop_map({
            let document = document.clone();
            move |(variables, name)| {
                json!({ "query": document, "variables": variables, "operationName": name })
                    .to_string()
                    .into_bytes()
            }
        });
    let deep_json = (1usize..5_000).prop_map({
        let document = document.clone();
        move |depth| {
            format!(
                "{{\"query\":{},\"variables\":{{\"v\":{}1{}}}}}",
                json!(document),
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .into_bytes()
        }
    });
    prop_oneof![
        6 => envelope,
        1 => deep_json,
        1 => Just(format!("[{}]", json!({ "query": document })).into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..2_000),
        1 => Just(b"{\"query\": \"{ cart { id } }\", \"variables\": {\"a\": 1e999999}}".to_vec()),
        1 => Just(b"{\"query\": \"\xff\xfe{ cart }\"}".to_vec()),
    ]
}

/// A whole request: POST (JSON or another media type) or GET.
pub fn case() -> impl Strategy<Value = Case> {
    (document(), headers(), 0..10u8).prop_flat_map(|(document, headers, shape)| {
        let get = shape == 0;
        let uri = if get {
            let encoded =
                serde_urlencoded::to_string([("query", document.as_str())]).unwrap_or_default();
            format!("/graphql?{encoded}")
        } else {
            "/graphql".to_owned()
        };
        let content_type = match shape {
            1 => "text/plain",
            2 => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        body(document).prop_map(move |body| Case {
            method: if get { "GET" } else { "POST" },
            uri: uri.clone(),
            content_type: content_type.to_owned(),
            headers: headers.clone(),
            body: if get { Vec::new() } else { body },
        })
    })
}

/// What every answer to a case must be: a 4xx or a 200, never a 5xx; a JSON body whose
/// errors all carry a code other than INTERNAL_SERVER_ERROR. `Err` says what was wrong.
pub fn check_answer(status: u16, body: &Value) -> Result<(), String> {
    if !(status == 200 || (400..500).contains(&status)) {
        return Err(format!("status {status}: {body}"));
    }
    if status == 429 {
        return Ok(());
    }
    if body.get("data").is_none() && body.get("errors").is_none() {
        return Err(format!("not a GraphQL answer ({status}): {body}"));
    }
    for error in body["errors"].as_array().into_iter().flatten() {
        let code = error["extensions"]["code"].as_str().unwrap_or_default();
        if code.is_empty() || code == "INTERNAL_SERVER_ERROR" {
            return Err(format!("uncoded or internal error ({status}): {error}"));
        }
    }
    Ok(())
}

/// How many cases a run throws: `FUZZ_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
