//! Apollo Federation v2 subgraph mode: `Product` resolves as an entity, `_service` serves the
//! subgraph SDL, and the plain schema has neither.

use serde_json::json;

use crate::helpers::{TestApp, Who, top_level_code};

const ENTITIES: &str = r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id sku stock effectivePrice { amount } } } }"#;

#[tokio::test]
async fn a_router_resolves_products_by_key_and_reads_the_subgraph_sdl() {
    let app = TestApp::spawn_with(&[("CARTQL_FEDERATION", "true")]).await;
    let tee = app.product_id("TEE").await;
    let mug = app.product_id("MUG").await;
    let data = app
        .gql(
            &Who::Anonymous,
            ENTITIES,
            json!({ "r": [
                { "__typename": "Product", "id": tee },
                { "__typename": "Product", "id": mug },
            ] }),
        )
        .await;
    assert_eq!(data["_entities"][0]["id"], tee.as_str());
    assert_eq!(data["_entities"][0]["sku"], "TEE");
    assert_eq!(data["_entities"][1]["sku"], "MUG");

    let sdl = app
        .gql(&Who::Anonymous, "{ _service { sdl } }", json!({}))
        .await;
    let sdl = sdl["_service"]["sdl"].as_str().unwrap_or_default();
    assert!(
        sdl.contains(r#"type Product implements Node @key(fields: "id")"#),
        "{sdl}"
    );
    assert!(sdl.contains("type Money @shareable"), "{sdl}");
    assert!(sdl.contains("specs.apollo.dev/federation/v2"), "{sdl}");
    // The rest of the API is the same.
    assert_eq!(
        app.add(&Who::User("federated".into()), "TEE", 1).await["item"]["quantity"],
        1
    );
}

#[tokio::test]
async fn the_plain_schema_has_no_federation_fields() {
    let app = TestApp::spawn().await;
    let (_, reply) = app
        .post(&Who::Anonymous, ENTITIES, json!({ "r": [] }))
        .await;
    assert_eq!(top_level_code(&reply), "BAD_USER_INPUT");
    let (_, reply) = app
        .post(&Who::Anonymous, "{ _service { sdl } }", json!({}))
        .await;
    assert_eq!(top_level_code(&reply), "BAD_USER_INPUT");
}
