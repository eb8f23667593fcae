//! `schema.graphql` is generated from the code; this test fails when they drift.

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
