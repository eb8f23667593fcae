//! Credentials: every bad token is UNAUTHENTICATED (HTTP 401, with a `WWW-Authenticate`
//! challenge), never a guest, never a 500.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{SECRET, TestApp, Who, top_level_code};

fn sign(claims: Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn bearer(token: &str) -> Who {
    Who::Headers(vec![("authorization".into(), format!("Bearer {token}"))])
}

/// The challenge of a 401 (RFC 6750 §3): `invalid_token` when a Bearer token was refused;
/// otherwise (a refused `X-Cart-Token`) the realm alone, as no Bearer token was sent.
fn challenge_for(who: &Who) -> &'static str {
    match who {
        Who::Headers(headers) if headers.iter().any(|(name, _)| name == "authorization") => {
            r#"Bearer realm="cartql", error="invalid_token""#
        }
        _ => r#"Bearer realm="cartql""#,
    }
}

async fn assert_unauthenticated(app: &TestApp, who: &Who) {
    let before = app.snapshot().await;
    let body = json!({
        "query": "mutation { addToCart(input: { product: { sku: \"TEE\" } }) { cart { id } } }",
    });
    let request = app.request(
        who,
        "POST",
        "/graphql",
        "application/json",
        body.to_string().into(),
    );
    let (status, headers, bytes) = app.send_raw(request).await;
    let body: Value = serde_json::from_slice(&bytes).expect("a JSON body");
    assert_eq!(status, 401, "{who:?}: {body}");
    assert_eq!(top_level_code(&body), "UNAUTHENTICATED", "{body}");
    assert!(body.get("data").is_none());
    assert_eq!(
        headers
            .get("www-authenticate")
            .map(|v| v.to_str().expect("text")),
        Some(challenge_for(who)),
        "{who:?}"
    );
    assert_eq!(
        app.snapshot().await,
        before,
        "a rejected credential changed something"
    );
}

#[tokio::test]
async fn bad_user_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let none_claims = URL_SAFE_NO_PAD.encode(json!({ "sub": "eve", "exp": now + 600 }).to_string());
    let cases = [
        sign(json!({ "sub": "eve", "exp": now - 3_600 }), SECRET),
        sign(
            json!({ "sub": "eve", "exp": now + 600 }),
            "another-secret-that-is-long-enough-to-sign",
        ),
        sign(json!({ "sub": "eve" }), SECRET),
        sign(json!({ "exp": now + 600 }), SECRET),
        sign(
            json!({ "sub": "eve", "exp": (now + 600).to_string() }),
            SECRET,
        ),
        sign(
            json!({ "sub": "eve", "exp": now + 600, "nbf": now + 3_600 }),
            SECRET,
        ),
        format!("{none_header}.{none_claims}."),
        "not-a-token".to_owned(),
        format!("{}.{}.sig", "a".repeat(3_000), "b".repeat(3_000)),
    ];
    for token in &cases {
        assert_unauthenticated(&app, &bearer(token)).await;
    }
    assert_unauthenticated(
        &app,
        &Who::Headers(vec![("authorization".into(), "Basic dXNlcjpwYXNz".into())]),
    )
    .await;
    // A malformed guest token is refused too, rather than ignored.
    assert_unauthenticated(
        &app,
        &Who::Headers(vec![("x-cart-token".into(), "guest_1234".into())]),
    )
    .await;
}

#[tokio::test]
async fn issuer_and_audience_are_checked_when_configured() {
    let app = TestApp::spawn_with(&[
        ("CARTQL_JWT_ISSUER", "https://id.example"),
        ("CARTQL_JWT_AUDIENCE", "cartql"),
    ])
    .await;
    let exp = chrono::Utc::now().timestamp() + 600;
    let good = sign(
        json!({ "sub": "ivy", "exp": exp, "iss": "https://id.example", "aud": "cartql" }),
        SECRET,
    );
    let (status, body) = app.post(&bearer(&good), "{ cart { id } }", json!({})).await;
    assert_eq!(status, 200, "{body}");
    for claims in [
        json!({ "sub": "ivy", "exp": exp, "iss": "https://evil.example", "aud": "cartql" }),
        json!({ "sub": "ivy", "exp": exp, "iss": "https://id.example", "aud": "other" }),
        json!({ "sub": "ivy", "exp": exp, "aud": "cartql" }),
        // No audience at all: not issued for cartql.
        json!({ "sub": "ivy", "exp": exp, "iss": "https://id.example" }),
        json!({ "sub": "ivy", "exp": exp, "iss": "https://id.example", "aud": ["a", "b"] }),
    ] {
        assert_unauthenticated(&app, &bearer(&sign(claims, SECRET))).await;
    }
}

#[tokio::test]
async fn tokens_shaped_like_identity_providers_tokens_are_accepted() {
    let app = TestApp::spawn_with(&[
        ("CARTQL_JWT_ISSUER", "https://id.example/realms/shop"),
        ("CARTQL_JWT_AUDIENCE", "cartql"),
    ])
    .await;
    let now = chrono::Utc::now().timestamp();
    let iss = "https://id.example/realms/shop";
    for claims in [
        // Auth0: `aud` is an array naming the API and the userinfo endpoint, plus `azp`,
        // `scope` and namespaced custom claims.
        json!({
            "iss": iss, "sub": "auth0|64f1c0", "aud": ["cartql", "https://id.example/userinfo"],
            "iat": now, "exp": now + 600, "azp": "spa-client", "scope": "openid profile",
            "https://shop.example/roles": ["buyer"]
        }),
        // Keycloak: array `aud`, roles under `realm_access`, a session id, `typ`.
        json!({
            "exp": now + 600, "iat": now, "auth_time": now, "jti": "6c1d", "iss": iss,
            "aud": ["account", "cartql"], "sub": "f3a4-11", "typ": "Bearer", "azp": "web",
            "realm_access": { "roles": ["offline_access"] }, "email_verified": true
        }),
        // Times as decimal numbers, as some issuers write them.
        json!({ "iss": iss, "sub": "dec", "aud": "cartql", "iat": now as f64 + 0.25,
                "nbf": now as f64 - 1.5, "exp": now as f64 + 600.5 }),
    ] {
        let (status, body) = app
            .post(
                &bearer(&sign(claims.clone(), SECRET)),
                "{ cart { id } }",
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{claims}: {body}");
        assert!(body.get("errors").is_none(), "{claims}: {body}");
    }
}

#[tokio::test]
async fn a_user_token_wins_over_a_guest_token() {
    let app = TestApp::spawn().await;
    let guest = app.new_guest().await;
    let Who::Guest(token) = &guest else {
        unreachable!()
    };
    app.add(&guest, "TEE", 1).await;
    let both = Who::Headers(vec![
        (
            "authorization".into(),
            format!("Bearer {}", app.token("jane", false)),
        ),
        ("x-cart-token".into(), token.clone()),
    ]);
    let added = app
        .gql(
            &both,
            crate::helpers::ADD,
            json!({ "input": { "product": { "sku": "CAP" } } }),
        )
        .await;
    assert!(added["addToCart"]["cart"]["token"].is_null());
    assert_eq!(
        added["addToCart"]["cart"]["itemCount"], 1,
        "the user's own cart, not the guest's"
    );
}

#[tokio::test]
async fn api_keys_are_required_when_configured() {
    let app = TestApp::spawn_with(&[("CARTQL_API_KEYS", "key-one, key-two")]).await;
    let q = "{ products(first: 1) { edges { node { sku } } } }";
    let (status, body) = app.post(&Who::Anonymous, q, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(top_level_code(&body), "UNAUTHENTICATED");
    let wrong = Who::Headers(vec![("x-api-key".into(), "key-three".into())]);
    assert_eq!(app.post(&wrong, q, json!({})).await.0, 401);
    // Every 401 names a scheme; a key header has none registered, and a Bearer challenge
    // would send the client after a user token that cannot help.
    for who in [Who::Anonymous, wrong] {
        let body = json!({ "query": q }).to_string();
        let request = app.request(&who, "POST", "/graphql", "application/json", body.into());
        let (status, headers, _) = app.send_raw(request).await;
        assert_eq!(status, 401);
        assert_eq!(
            headers["www-authenticate"],
            r#"ApiKey realm="cartql", header="X-API-Key""#
        );
    }
    let right = Who::Headers(vec![("x-api-key".into(), "key-two".into())]);
    assert_eq!(app.post(&right, q, json!({})).await.0, 200);
}

#[tokio::test]
async fn admin_operations_need_the_admin_role() {
    let app = TestApp::spawn().await;
    let q = r#"mutation { upsertProducts(products: [{ sku: "NEW-1", name: "New", price: "1.00", stock: 1 }]) { products { sku } } }"#;
    let (_, anonymous) = app.post(&Who::Anonymous, q, json!({})).await;
    assert_eq!(top_level_code(&anonymous), "UNAUTHENTICATED");
    let (_, user) = app.post(&Who::User("notadmin".into()), q, json!({})).await;
    assert_eq!(top_level_code(&user), "FORBIDDEN");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM products WHERE sku = 'NEW-1'")
            .await,
        0
    );
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn public_keys_verify_rs256_and_es256_and_nothing_else() {
    let exp = chrono::Utc::now().timestamp() + 600;
    let claims = json!({ "sub": "kim", "exp": exp });
    for (public, private, algorithm, other_private, other_algorithm) in [
        (
            "rs256-public.pem",
            "rs256-private.pem",
            Algorithm::RS256,
            "es256-private.pem",
            Algorithm::ES256,
        ),
        (
            "es256-public.pem",
            "es256-private.pem",
            Algorithm::ES256,
            "rs256-private.pem",
            Algorithm::RS256,
        ),
    ] {
        let app = TestApp::spawn_with(&[
            ("CARTQL_JWT_SECRET", ""),
            (
                "CARTQL_GUEST_TOKEN_SECRET",
                "a-guest-token-secret-for-this-test",
            ),
            ("CARTQL_JWT_PUBLIC_KEY_FILE", &fixture(public)),
        ])
        .await;
        let pem = std::fs::read(fixture(private)).expect("fixture key");
        let key = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
            _ => EncodingKey::from_ec_pem(&pem),
        }
        .expect("a private key");
        let good = encode(&Header::new(algorithm), &claims, &key).expect("sign");
        let (status, body) = app.post(&bearer(&good), "{ cart { id } }", json!({})).await;
        assert_eq!(status, 200, "{body}");

        let other_pem = std::fs::read(fixture(other_private)).expect("fixture key");
        let other_key = match other_algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&other_pem),
            _ => EncodingKey::from_ec_pem(&other_pem),
        }
        .expect("a private key");
        let wrong_algorithm =
            encode(&Header::new(other_algorithm), &claims, &other_key).expect("sign");
        assert_unauthenticated(&app, &bearer(&wrong_algorithm)).await;
        // The public key used as an HMAC secret: the classic algorithm-confusion forgery.
        let public_pem = std::fs::read(fixture(public)).expect("fixture key");
        let confused = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&public_pem),
        )
        .expect("sign");
        assert_unauthenticated(&app, &bearer(&confused)).await;
    }
}

#[tokio::test]
async fn forged_and_foreign_guest_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let real = app.new_guest().await;
    let Who::Guest(token) = &real else {
        unreachable!()
    };
    // One character of the random part changed: the signature no longer matches.
    let mut forged: Vec<char> = token.chars().collect();
    forged[8] = if forged[8] == 'x' { 'y' } else { 'x' };
    let forged: String = forged.into_iter().collect();
    // A well-formed token signed by another deployment's key.
    let foreign =
        cartql::auth::GuestToken::generate(&cartql::auth::GuestKey::derive(b"someone else's key"));
    for bad in [forged, foreign.expose().to_owned()] {
        assert_unauthenticated(&app, &Who::Headers(vec![("x-cart-token".into(), bad)])).await;
    }
    // The real one still works.
    assert_eq!(app.add(&real, "TEE", 1).await["item"]["quantity"], 1);
}
