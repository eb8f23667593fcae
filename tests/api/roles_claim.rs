//! `CARTQL_JWT_ROLES_CLAIM`: roles come from the claim configured, never from whatever claim
//! of a shared identity provider's token happens to be called `roles`.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{SECRET, TestApp, Who, server::cartql, top_level_code};

/// An admin-only read.
const ADMIN_READ: &str = "{ taxRates { countryCode } }";

fn bearer(claims: Value) -> Who {
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign");
    Who::Headers(vec![("authorization".into(), format!("Bearer {token}"))])
}

/// The code of the admin read for `who`: `None` when it answered.
async fn admin_read(app: &TestApp, who: &Who) -> Option<String> {
    let (status, body) = app.post(who, ADMIN_READ, json!({})).await;
    assert_eq!(status, 200, "{body}");
    match body["errors"].is_null() {
        true => None,
        false => Some(top_level_code(&body).to_owned()),
    }
}

#[tokio::test]
async fn roles_in_another_claim_make_no_admin() {
    let claim = "https://shop.example.com/roles";
    let app = TestApp::spawn_with(&[("CARTQL_JWT_ROLES_CLAIM", claim)]).await;
    let exp = chrono::Utc::now().timestamp() + 600;
    // Another app's admin, in the generic claim: a plain user here.
    let other_apps = bearer(json!({ "sub": "intruder", "exp": exp, "roles": ["admin"] }));
    assert_eq!(
        admin_read(&app, &other_apps).await.as_deref(),
        Some("FORBIDDEN")
    );
    let ours = bearer(json!({ "sub": "boss", "exp": exp, claim: ["admin"] }));
    assert_eq!(admin_read(&app, &ours).await, None);
    // The service's own issuer (`cartql token`) writes the configured claim.
    assert_eq!(admin_read(&app, &Who::Admin).await, None);
}

#[tokio::test]
async fn a_nested_roles_claim_is_read_by_its_path() {
    let app = TestApp::spawn_with(&[("CARTQL_JWT_ROLES_CLAIM", "realm_access.roles")]).await;
    let exp = chrono::Utc::now().timestamp() + 600;
    let nested = bearer(json!({ "sub": "kc", "exp": exp, "realm_access": { "roles": ["admin"] } }));
    assert_eq!(admin_read(&app, &nested).await, None);
    let flat = bearer(
        json!({ "sub": "kc", "exp": exp, "roles": ["admin", "checkout"], "realm_access": {} }),
    );
    assert_eq!(admin_read(&app, &flat).await.as_deref(), Some("FORBIDDEN"));
    assert_eq!(admin_read(&app, &Who::Admin).await, None);
    // The order system's role comes from the same place.
    let order_system =
        bearer(json!({ "sub": "oms", "exp": exp, "realm_access": { "roles": ["checkout"] } }));
    let (_, body) = app
        .post(
            &order_system,
            "mutation { completeCheckout(checkoutId: \"gid://cartql/Checkout/none\", orderReference: \"R1\") { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert!(
        body["errors"].is_null(),
        "an order system may complete: {body}"
    );
    let (_, body) = app
        .post(
            &flat,
            "mutation { completeCheckout(checkoutId: \"gid://cartql/Checkout/none\", orderReference: \"R1\") { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(top_level_code(&body), "FORBIDDEN");
}

#[test]
fn cartql_token_signs_with_the_configured_claim() {
    let dir = std::env::temp_dir().join(format!("cartql-roles-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let output = cartql(&dir)
        .env("CARTQL_JWT_SECRET", SECRET)
        .env("CARTQL_JWT_ROLES_CLAIM", "realm_access.roles")
        .args(["token", "--user", "ops", "--admin"])
        .output()
        .expect("run cartql token");
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout).expect("utf-8");
    let payload = token.trim().split('.').nth(1).expect("a JWT");
    use base64::Engine;
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON claims");
    assert_eq!(payload["realm_access"]["roles"], json!(["admin"]));
    assert!(payload.get("roles").is_none(), "{payload}");
}
