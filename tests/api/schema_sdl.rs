//! `schema.graphql` is generated from the code; this test fails when they drift. (CI also
//! compares it with a live server's introspection, printed by graphql-js:
//! `examples/schema-check`.)

use serde_json::json;

use crate::helpers::{TestApp, Who};

#[test]
fn schema_graphql_matches_the_code() {
    let expected = format!("{}\n", cartql::graphql::sdl().trim_end());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "schema.graphql is out of date with the code; refresh it with:\n\n    cargo run -- schema > schema.graphql\n"
    );
}

#[test]
fn the_schema_keeps_the_binding_names() {
    let sdl = cartql::graphql::sdl();
    for name in [
        "cart: Cart",
        "cartSummary: CartSummary!",
        "\tproduct(",
        "\tproducts(",
        "\tcreateCart(",
        "\taddToCart(",
        "\tupdateCartItem(",
        "\tremoveCartItem(",
        "\tclearCart(",
        "\tmergeGuestCart(",
        "\tsyncCart(",
        "\tupdateCartAttributes(",
        "\tcarts(",
        "): CartConnection!",
        "): CartPayload!",
        "enum MergeStrategy {",
        "input CartFilter {",
        "input CartOrder {",
        "\tupsertProducts(",
        "type Money {",
        "type CartUserError {",
        "type CartWarning {",
        "input ProductRef @oneOf",
        "scalar Decimal",
        "): CartItemPayload!",
        "): UpsertProductsPayload!",
        "input AddToCartInput",
        "input UpdateCartItemInput",
        "input CartItemInput",
    ] {
        assert!(sdl.contains(name), "the schema lost `{name}`");
    }
}

#[tokio::test]
async fn introspection_describes_the_schema_and_date_time_as_schema_graphql_does() {
    let app = TestApp::spawn().await;
    let data = app
        .gql(
            &Who::Anonymous,
            r#"{ __schema { description } __type(name: "DateTime") { description specifiedByURL } }"#,
            json!({}),
        )
        .await;
    let description = cartql::graphql::introspection::SCHEMA_DESCRIPTION;
    assert_eq!(data["__schema"]["description"], description);
    let sdl = cartql::graphql::sdl();
    assert!(sdl.contains(&format!("\"\"\"\n{description}\n\"\"\"\nschema {{")));

    let date_time = data["__type"]["description"].as_str().expect("described");
    assert!(!date_time.contains("Implement"), "{date_time}");
    assert!(
        sdl.contains(date_time),
        "schema.graphql describes DateTime otherwise"
    );
    // `@specifiedBy` in the SDL exactly when introspection reports a specification.
    let url = data["__type"]["specifiedByURL"].as_str().expect("a URL");
    assert!(sdl.contains(&format!("scalar DateTime @specifiedBy(url: \"{url}\")")));
}
