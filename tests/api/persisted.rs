//! Persisted queries: Apollo's automatic protocol, and the persisted-documents-only mode.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, Who};

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

async fn send(app: &TestApp, body: Value) -> (u16, Value) {
    app.post_body(body.to_string()).await
}

fn by_hash(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

#[tokio::test]
async fn automatic_persisted_queries_learn_a_document_then_run_it_by_hash() {
    let app = TestApp::spawn().await;
    let query = "query Few { products(first: 2) { edges { node { sku } } } }";
    let hash = sha256(query);

    // Unknown hash: the protocol's "send it again with the query".
    let (status, reply) = send(&app, by_hash(&hash)).await;
    assert_eq!(status, 200);
    assert_eq!(reply["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert!(reply.get("data").is_none());

    // With the query: checked, run and remembered.
    let mut full = by_hash(&hash);
    full["query"] = json!(query);
    let (status, first) = send(&app, full).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        first["data"]["products"]["edges"].as_array().map(Vec::len),
        Some(2)
    );

    // Then the hash alone runs it, over POST and over GET.
    let (status, again) = send(&app, by_hash(&hash)).await;
    assert_eq!((status, &again), (200, &first));
    let extensions = by_hash(&hash)["extensions"].to_string();
    let url = format!(
        "/graphql?{}",
        serde_urlencoded::to_string([("extensions", extensions.as_str())]).expect("encodable")
    );
    let (status, via_get) = app
        .send(app.request(
            &Who::Anonymous,
            "GET",
            &url,
            "application/json",
            axum::body::Body::empty(),
        ))
        .await;
    assert_eq!((status.as_u16(), &via_get), (200, &first));

    // A query that does not hash to the hash sent with it is refused, and not learned.
    let mut forged = by_hash(&sha256("{ __typename }"));
    forged["query"] = json!("{ cart { id } }");
    let (status, reply) = send(&app, forged).await;
    assert_eq!(status, 400);
    assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let (_, reply) = send(&app, by_hash(&sha256("{ __typename }"))).await;
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
}

#[tokio::test]
async fn persisted_documents_only_runs_the_manifest() {
    let listed = "query Listed { products(first: 1) { edges { node { sku } } } }";
    let manifest = std::env::temp_dir().join(format!(
        "cartql-persisted-{}.json",
        cartql::domain::ids::new_id()
    ));
    std::fs::write(&manifest, json!({ sha256(listed): listed }).to_string()).expect("write");
    let app = TestApp::spawn_with(&[(
        "CARTQL_PERSISTED_DOCUMENTS",
        manifest.to_str().expect("a UTF-8 path"),
    )])
    .await;

    let (status, reply) = send(&app, by_hash(&sha256(listed))).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["data"]["products"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    // The listed text itself is accepted too.
    let (status, _) = send(&app, json!({ "query": listed })).await;
    assert_eq!(status, 200);

    std::fs::remove_file(&manifest).ok();
    for refused in [
        json!({ "query": "{ __typename }" }),
        by_hash(&sha256("{ __typename }")),
    ] {
        let (status, reply) = send(&app, refused).await;
        assert_eq!(status, 400, "{reply}");
        assert_eq!(
            reply["errors"][0]["extensions"]["code"],
            "PERSISTED_QUERY_NOT_ALLOWED"
        );
    }
}

#[tokio::test]
async fn a_deep_document_registered_as_a_persisted_query_is_refused_and_never_runs_by_hash() {
    let app = TestApp::spawn().await;
    let deep = format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    let hash = sha256(&deep);
    let mut register = by_hash(&hash);
    register["query"] = json!(deep);
    let (status, reply) = send(&app, register).await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // By hash alone it is unknown, or refused the same way: never parsed, never run.
    let (status, reply) = send(&app, by_hash(&hash)).await;
    assert!(matches!(status, 200 | 400), "{reply}");
    assert_ne!(
        reply["errors"][0]["extensions"]["code"],
        "INTERNAL_SERVER_ERROR"
    );
    assert!(reply.get("data").is_none_or(Value::is_null), "{reply}");
}
