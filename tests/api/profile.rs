//! `CARTQL_ENV=production`: a key is required, and the dev conveniences are off.

use axum::body::Body;
use serde_json::json;

use crate::helpers::{TestApp, Who, top_level_code};

#[tokio::test]
async fn production_refuses_to_start_without_a_jwt_key() {
    let config = cartql::Config::from_lookup(|key| match key {
        "CARTQL_ENV" => Some("production".to_owned()),
        "DATABASE_URL" => Some("sqlite::memory:".to_owned()),
        _ => None,
    })
    .expect("valid settings");
    let db = cartql::db::connect(&config.database_url, 1)
        .await
        .expect("connect");
    let error = cartql::build_app_on(&config, db)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("CARTQL_JWT_SECRET"), "{error}");
}

#[tokio::test]
async fn production_hides_graphiql_introspection_and_suggestions() {
    let app = TestApp::spawn_with(&[("CARTQL_ENV", "production")]).await;
    let (status, _) = app
        .send(app.request(
            &Who::Anonymous,
            "GET",
            "/graphql",
            "text/html",
            Body::empty(),
        ))
        .await;
    assert_eq!(status, 404);
    let (_, introspection) = app
        .post(
            &Who::Anonymous,
            "{ __schema { types { name } } }",
            json!({}),
        )
        .await;
    // Introspection answers nothing: no type names leak.
    assert!(
        introspection["data"]["__schema"].is_null(),
        "{introspection}"
    );
    let (_, typo) = app
        .post(&Who::Anonymous, "{ carx { id } }", json!({}))
        .await;
    assert_eq!(top_level_code(&typo), "BAD_USER_INPUT");
    assert!(!typo.to_string().contains("Did you mean"), "{typo}");
    // The API itself works as in development.
    assert_eq!(
        app.add(&Who::User("prod".into()), "TEE", 1).await["item"]["quantity"],
        1
    );
}

#[tokio::test]
async fn development_offers_introspection_and_suggestions() {
    let app = TestApp::spawn().await;
    let data = app
        .gql(
            &Who::Anonymous,
            "{ __type(name: \"Cart\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(data["__type"]["name"], "Cart");
    let (_, typo) = app
        .post(&Who::Anonymous, "{ carx { id } }", json!({}))
        .await;
    assert!(typo.to_string().contains("Did you mean"), "{typo}");
}
