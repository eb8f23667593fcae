//! The `cartql` binary itself: dev mode on the default SQLite database serves the demo
//! catalog and prints a token that works over real HTTP.

use std::time::Duration;

use serde_json::{Value, json};

use crate::process::{Server, cartql, post};

fn query(address: &str, token: &str, query: &str) -> Value {
    let (status, body) = post(
        address,
        &[("Authorization", &format!("Bearer {token}"))],
        &json!({ "query": query }),
    );
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn dev_mode_serves_the_demo_catalog_with_a_printed_token() {
    let server = Server::start(&[]);
    let mut token = None;
    while token.is_none() {
        let line = server
            .stdout
            .recv_timeout(Duration::from_secs(60))
            .expect("the dev banner is printed");
        if let Some(at) = line.find("Bearer ") {
            token = Some(line[at + 7..].trim_end_matches("\"}").to_owned());
        }
    }
    let (address, token) = (server.address.as_str(), token.expect("token"));

    let products = query(
        address,
        &token,
        "{ products(first: 100) { edges { node { sku requiredAttributes } } } }",
    );
    let edges = products["data"]["products"]["edges"]
        .as_array()
        .expect("products");
    assert!(edges.len() >= 50, "the demo catalog is loaded");
    let added = query(
        address,
        &token,
        r#"mutation { addToCart(input: { product: { sku: "CK-SDS001" }, quantity: 2, attributes: [{ key: "team_id", value: "20" }] }) {
             cart { totalQuantity cost { total { formatted } } } userErrors { code } } }"#,
    );
    assert_eq!(added["data"]["addToCart"]["userErrors"], json!([]));
    assert_eq!(
        added["data"]["addToCart"]["cart"]["cost"]["total"]["formatted"],
        "$242.00"
    );

    // `cartql token` signs with the same dev secret.
    let output = cartql(&server.dir)
        .args(["token", "--user", "zoe"])
        .output()
        .expect("run cartql token");
    assert!(output.status.success());
    let zoe = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    let cart = query(address, &zoe, "{ cart { id } }");
    assert!(cart["errors"].is_null(), "{cart}");
    assert!(
        server.dir.join("cartql.db").exists(),
        "the default database is a file in the working directory"
    );
}

#[test]
fn cartql_schema_prints_the_committed_sdl() {
    let output = cartql(&std::env::temp_dir())
        .arg("schema")
        .output()
        .expect("run cartql schema");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert_eq!(printed, committed);
}
