//! The `cartql` binary itself: dev mode on the default SQLite database serves the demo
//! catalog and prints a token that works over real HTTP.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::server::{Server, cartql, post};

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

#[test]
fn dev_mode_refuses_a_public_address_unless_development_is_chosen() {
    let dir = std::env::temp_dir().join(format!("cartql-bind-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let output = cartql(&dir)
        .env("CARTQL_BIND", "0.0.0.0:0")
        .env("NO_COLOR", "1")
        .output()
        .expect("run cartql");
    assert!(
        !output.status.success(),
        "dev mode must not serve 0.0.0.0 by default"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
    assert!(
        !dir.join("cartql.db").exists(),
        "refused before touching the database"
    );
    // A spelling of production that the settings accept is production for the logs too:
    // JSON lines.
    let mut child = cartql(&dir)
        .env("CARTQL_ENV", "PROD")
        .env("CARTQL_JWT_AUDIENCE", "cartql")
        .env(
            "CARTQL_JWT_SECRET",
            "a-production-secret-that-is-long-enough-for-hs256",
        )
        .env("CARTQL_BIND", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("prod.db").display()),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start cartql");
    let mut first = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first)
        .expect("a log line");
    let _ = child.kill();
    let _ = child.wait();
    let line: Value = serde_json::from_str(first.trim())
        .unwrap_or_else(|_| panic!("production logs are JSON lines, got {first:?}"));
    assert!(line.get("level").is_some(), "{line}");
}

#[test]
fn a_request_nested_thousands_deep_does_not_kill_the_process() {
    let server = Server::start(&[]);
    let address = server.address.as_str();
    let deep = format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    let objects = format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        "{a:".repeat(2_000),
        "}".repeat(2_000)
    );
    for document in [deep, objects] {
        let (status, body) = post(address, &[], &json!({ "query": document }));
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // Still alive and serving.
    let (status, body) = post(address, &[], &json!({ "query": "{ __typename }" }));
    assert_eq!(status, 200, "{body}");
}
