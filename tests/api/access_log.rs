//! The real binary's log: one access line per request with the client (after the trusted
//! proxy), the principal's kind, the operation, the status, the latency and the request id;
//! JSON lines that parse in JSON mode; and no colour codes when the log is not a terminal.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    SECRET,
    server::{Server, post},
};

/// The settings of a server behind a proxy on loopback, colours not refused by `NO_COLOR`.
fn settings(format: &'static str) -> [(&'static str, &'static str); 4] {
    [
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_LOG_FORMAT", format),
        ("CARTQL_TRUSTED_PROXIES", "127.0.0.1"),
        ("NO_COLOR", ""),
    ]
}

/// An admin token signed with the tests' secret.
fn admin_token() -> String {
    let config = cartql::Config::from_lookup(|_| None).expect("the defaults");
    cartql::auth::JwtIssuer::hs256(SECRET.as_bytes(), &config)
        .issue("ops-admin", &["admin"], 600)
        .expect("a token")
}

/// Sends one named query as an admin through the "proxy", with `request_id`.
fn request(server: &Server, request_id: &str, operation: &str) -> u16 {
    let token = format!("Bearer {}", admin_token());
    let (status, body) = post(
        &server.address,
        &[
            ("Authorization", &token),
            ("X-Request-Id", request_id),
            ("X-Forwarded-For", "2001:db8:1:2::7"),
        ],
        &json!({ "query": format!("query {operation} {{ __typename }}"), "operationName": operation }),
    );
    assert!(body.is_object(), "{body}");
    status
}

/// Every line the server printed until one contains `needle` (after a few seconds: all so far).
fn lines_until(server: &Server, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    while Instant::now() < deadline {
        let Ok(line) = server.stdout.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let found = line.contains(needle);
        lines.push(line);
        if found {
            break;
        }
    }
    lines
}

#[test]
fn a_request_gets_one_text_access_line_without_colour_codes() {
    let server = Server::start(&settings("text"));
    assert_eq!(request(&server, "access-text-1", "ShopPage"), 200);
    let lines = lines_until(&server, "access-text-1");
    let everything = server.startup.iter().chain(&lines);
    assert!(
        everything.clone().all(|l| !l.contains('\u{1b}')),
        "no ESC in a piped log: {:#?}",
        everything.collect::<Vec<_>>()
    );
    let access: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("request served"))
        .collect();
    assert_eq!(access.len(), 1, "{lines:#?}");
    let line = access[0];
    for field in [
        "client=2001:db8:1:2::7",
        "principal=\"admin\"",
        "operation=\"ShopPage\"",
        "status=200",
        "latency_ms=",
        "request_id=access-text-1",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    assert!(!line.contains("Bearer"), "{line}");
}

#[test]
fn in_json_mode_the_access_line_parses_with_status_and_latency() {
    let server = Server::start(&settings("json"));
    assert_eq!(request(&server, "access-json-1", "CartPage"), 200);
    // A hostile operation name is logged as `invalid`, never as written.
    let hostile = format!("Evil\u{1b}[31m\n{}", "x".repeat(200));
    let (_, _) = post(
        &server.address,
        &[("X-Request-Id", "access-json-2")],
        &json!({ "query": "{ __typename }", "operationName": hostile }),
    );
    let lines = lines_until(&server, "access-json-2");
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a JSON line: {l:?}")))
        .collect();
    let access = |id: &str| {
        parsed
            .iter()
            .find(|l| l["fields"]["request_id"] == id)
            .unwrap_or_else(|| panic!("an access line for {id}: {parsed:#?}"))
            .clone()
    };
    let first = access("access-json-1");
    assert_eq!(first["level"], "INFO");
    assert_eq!(first["fields"]["status"], 200);
    assert!(first["fields"]["latency_ms"].as_f64().is_some(), "{first}");
    assert_eq!(first["fields"]["client"], "2001:db8:1:2::7");
    assert_eq!(first["fields"]["principal"], "admin");
    assert_eq!(first["fields"]["operation"], "CartPage");
    let second = access("access-json-2");
    assert_eq!(second["fields"]["principal"], "anonymous");
    assert_eq!(second["fields"]["operation"], "invalid");
    assert!(
        server
            .startup
            .iter()
            .chain(&lines)
            .all(|l| !l.contains('\u{1b}')),
        "{lines:#?}"
    );
}
