//! Errors from parsing and validation, sent through the router, read as sentences: a syntax
//! error is one line with its position, a bad argument names the variable that carried it.
//! (The rewordings themselves are unit-tested on each library message shape.)

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, top_level_code};

fn message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .expect("an error message")
}

#[tokio::test]
async fn a_syntax_error_is_one_line_with_its_position() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post(&Who::Anonymous, "{ cart { id } ", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        message(&body),
        "Syntax error at line 1, column 15: expected a field or a fragment"
    );
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{ "line": 1, "column": 15 }])
    );
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn a_wrongly_typed_variable_is_named_with_the_value_it_got() {
    let app = TestApp::spawn().await;
    let query = "mutation Add($qty: Int!) { \
        addToCart(input: { product: { sku: \"TEE\" }, quantity: $qty }) { cart { id } } }";
    let (status, body) = app
        .post(&Who::Anonymous, query, json!({ "qty": "abc" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
    assert_eq!(message(&body), r#"Variable "$qty" got "abc": expected Int"#);
    assert!(body.get("data").is_none());

    let query =
        "mutation Add($input: AddToCartInput!) { addToCart(input: $input) { cart { id } } }";
    let input = json!({ "input": { "product": { "sku": "TEE" }, "quantity": 1.5 } });
    let (_, body) = app.post(&Who::Anonymous, query, input).await;
    assert_eq!(
        message(&body),
        r#"Variable "$input" got 1.5 at quantity: expected Int"#
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}

#[tokio::test]
async fn a_product_ref_with_no_field_or_both_says_so_in_words() {
    let app = TestApp::spawn().await;
    let query =
        "mutation Add($input: AddToCartInput!) { addToCart(input: $input) { cart { id } } }";
    for (product, expected) in [
        (
            json!({}),
            r#"Variable "$input" at product: a @oneOf input takes exactly one of its fields, got none"#,
        ),
        (
            json!({ "id": "1", "sku": "TEE" }),
            r#"Variable "$input" at product: a @oneOf input takes exactly one of its fields, got 2 (id, sku)"#,
        ),
    ] {
        let (status, body) = app
            .post(
                &Who::Anonymous,
                query,
                json!({ "input": { "product": product } }),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(top_level_code(&body), "BAD_USER_INPUT");
        assert_eq!(message(&body), expected);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM carts").await, 0);
}
