//! GraphQL over HTTP: media types, status codes of requests that fail before execution, GET
//! for queries only, and GraphiQL served from the binary under a strict policy.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn post(accept: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder
        .body(Body::from(body.to_owned()))
        .expect("a request")
}

fn get(uri: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(uri);
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder.body(Body::empty()).expect("a request")
}

/// `/graphql?` with `params` URL-encoded.
fn url(params: &[(&str, &str)]) -> String {
    format!(
        "/graphql?{}",
        serde_urlencoded::to_string(params).expect("encodable")
    )
}

async fn send(app: &TestApp, request: Request<Body>) -> (StatusCode, String, Value) {
    let (status, headers, bytes) = app.send_raw(request).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, body)
}

#[tokio::test]
async fn replies_in_the_media_type_the_client_accepts() {
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GRAPHQL_RESPONSE,
        ),
    ] {
        let (status, content_type, body) = send(&app, post(accept, query)).await;
        assert_eq!(status, 200, "{accept:?}");
        assert!(
            content_type.starts_with(expected),
            "{accept:?}: {content_type}"
        );
        assert!(content_type.contains("charset=utf-8"), "{content_type}");
        assert_eq!(body["data"]["__typename"], "Query");
    }
}

#[tokio::test]
async fn requests_failing_before_execution_have_no_data_and_400_under_the_graphql_type() {
    let app = TestApp::spawn().await;
    let failures = [
        // Parsing, validation, variable coercion.
        json!({ "query": "{ cart { id " }),
        json!({ "query": "{ cart { nope } }" }),
        json!({ "query": "query($n: Int!) { products(first: $n) { edges { cursor } } }", "variables": { "n": "ten" } }),
    ];
    for failure in &failures {
        let body = failure.to_string();
        let (status, content_type, reply) = send(&app, post(Some(GRAPHQL_RESPONSE), &body)).await;
        assert_eq!(status, 400, "{failure}: {reply}");
        assert!(content_type.starts_with(GRAPHQL_RESPONSE));
        assert!(reply.get("data").is_none(), "{reply}");
        assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

        // The same to an application/json client: 200, still no data.
        let (status, content_type, reply) = send(&app, post(None, &body)).await;
        assert_eq!(status, 200, "{failure}: {reply}");
        assert!(content_type.starts_with("application/json"));
        assert!(reply.get("data").is_none(), "{reply}");
        assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // Malformed JSON is a 400 either way, with a coded error and no parser internals.
    for accept in [None, Some(GRAPHQL_RESPONSE)] {
        let (status, _, reply) = send(&app, post(accept, r#"{ "not a JSON"#)).await;
        assert_eq!(status, 400);
        assert_eq!(reply["errors"][0]["message"], "the body is not valid JSON");
    }
    // A body without a `query` string is malformed: 400 either way.
    for accept in [None, Some(GRAPHQL_RESPONSE)] {
        let (status, _, reply) = send(&app, post(accept, r#"{"qeury":"{ __typename }"}"#)).await;
        assert_eq!(status, 400, "{reply}");
        assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A field error is not a request error: 200 with data.
    let (status, _, reply) = send(
        &app,
        post(
            Some(GRAPHQL_RESPONSE),
            r#"{"query":"{ carts(first: 1) { totalCount } }"}"#,
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply.get("data").is_some(), "{reply}");
    assert_eq!(reply["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn get_runs_queries_from_the_url_and_never_mutations() {
    let app = TestApp::spawn().await;
    let who = Who::User("getter".into());
    app.add(&who, "TEE", 2).await;
    let uri = url(&[
        (
            "query",
            "query Q($n: Int) { cart { totalQuantity } products(first: $n) { edges { cursor } } }",
        ),
        ("variables", r#"{"n":1}"#),
        ("operationName", "Q"),
    ]);
    let request = Request::get(uri)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.token("getter", false)),
        )
        .body(Body::empty())
        .expect("a request");
    let (status, _, reply) = send(&app, request).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"]["cart"]["totalQuantity"], 2, "{reply}");
    assert_eq!(
        reply["data"]["products"]["edges"].as_array().map(Vec::len),
        Some(1)
    );

    let before = app.snapshot().await;
    let mutation = url(&[("query", "mutation { clearCart { userErrors { code } } }")]);
    let request = Request::get(mutation)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.token("getter", false)),
        )
        .body(Body::empty())
        .expect("a request");
    let (status, headers, _) = app.send_raw(request).await;
    assert_eq!(status, 405);
    assert_eq!(headers[header::ALLOW], "POST");
    assert_eq!(app.snapshot().await, before, "a GET changed nothing");

    let bad_variables = url(&[("query", "{ cart { id } }"), ("variables", "[1]")]);
    let (status, _, reply) = send(&app, get(&bad_variables, None)).await;
    assert_eq!(status, 400);
    assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    let (status, headers, page) = app.send_raw(get("/graphql", Some("text/html"))).await;
    assert_eq!(status, 200);
    let policy = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text");
    // Scripts and connections only from this server; no eval.
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("connect-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    let page = String::from_utf8(page.to_vec()).expect("UTF-8");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no remote assets"
    );
    // Every script and stylesheet the page names is served here.
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.starts_with("/graphiql/"))
        .collect();
    assert_eq!(assets.len(), 6, "{page}");
    for asset in assets {
        let (status, headers, body) = app.send_raw(get(asset, None)).await;
        assert_eq!(status, 200, "{asset}");
        assert!(!body.is_empty());
        let content_type = headers[header::CONTENT_TYPE].to_str().expect("text");
        assert!(content_type.starts_with("text/"), "{asset}: {content_type}");
    }
    let (status, _, _) = app.send_raw(get("/graphiql/nope.js", None)).await;
    assert_eq!(status, 404);

    let production = TestApp::spawn_with(&[("CARTQL_ENV", "production")]).await;
    let (status, _, _) = production
        .send_raw(get("/graphiql/cartql-graphiql.js", None))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn tools_can_introspect_the_schema_and_introspection_cannot_multiply() {
    let app = TestApp::spawn().await;
    let standard = include_str!("fixtures/introspection.graphql");
    let (status, reply) = app.post(&Who::Anonymous, standard, json!({})).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply.get("errors").is_none(), "{reply}");
    let types = reply["data"]["__schema"]["types"].as_array().map(Vec::len);
    assert!(types.is_some_and(|n| n > 20), "{types:?}");

    let bomb = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (status, reply) = app.post(&Who::Anonymous, bomb, json!({})).await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    // Outside introspection, the cart limits hold: depth 10.
    let deep = "{ cart { items { nodes { product { shop { id } } } } } }";
    let (status, _) = app.post(&Who::Anonymous, deep, json!({})).await;
    assert_eq!(status, 200);
}
