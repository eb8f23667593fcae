//! `build_app`: the one way `main` and the tests assemble the service.

use std::{path::Path, time::Duration};

use anyhow::Context;
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{Request, StatusCode},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sea_orm::DatabaseConnection;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    auth::{Authenticator, JwtIssuer, JwtVerifier},
    config::Config,
    db,
    graphql::{self, CartSchema, context::ServiceState, handler},
    service::{CartSettings, catalog, seed},
};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: CartSchema,
    pub auth: Authenticator,
}

/// The assembled service.
pub struct App {
    pub router: Router,
    pub state: AppState,
    /// Signs user tokens when the key is an HS256 secret (always in dev mode).
    pub issuer: Option<JwtIssuer>,
}

/// Connects, migrates, loads the demo catalog if asked and the catalog is empty, and builds
/// the router.
pub async fn build_app(config: &Config) -> anyhow::Result<App> {
    let db = db::connect(&config.database_url, config.db_max_connections)
        .await
        .context("cannot connect to the database")?;
    build_app_on(config, db).await
}

/// [`build_app`] over an existing pool (tests use this to count statements).
pub async fn build_app_on(config: &Config, db: DatabaseConnection) -> anyhow::Result<App> {
    db::migrate(&db)
        .await
        .context("cannot migrate the database")?;
    if config.demo_catalog && catalog::is_empty(&db).await? {
        let count = seed::import(&db, seed::demo_catalog(), config.currency).await?;
        tracing::info!(count, "loaded the demo catalog into an empty database");
    }

    let (verifier, issuer) = jwt_keys(config)?;
    let settings = CartSettings {
        limits: config.limits,
        currency: config.currency,
        tax_rate: config.tax_rate,
        guest_cart_ttl: config.guest_cart_ttl,
    };
    let schema = graphql::schema_builder()
        .data(ServiceState {
            db: db.clone(),
            settings,
        })
        .finish();
    let state = AppState {
        db,
        schema,
        auth: Authenticator::new(verifier, config.api_keys.clone()),
    };
    Ok(App {
        router: router(state.clone()),
        state,
        issuer,
    })
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(handler::graphiql).post(handler::graphql))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .layer(PropagateRequestIdLayer::x_request_id())
        // The span names the request by id, method and path only: headers (and so tokens)
        // are never logged.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// `GET /healthz`: the process is up. Never touches the database.
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers within 500 ms.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(Duration::from_millis(500), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// The verifier for user tokens, and an issuer when the key is a shared secret.
pub fn jwt_keys(config: &Config) -> anyhow::Result<(JwtVerifier, Option<JwtIssuer>)> {
    if let Some(secret) = &config.jwt_secret {
        if secret.expose().len() < 32 {
            anyhow::bail!("CARTQL_JWT_SECRET must be at least 32 characters");
        }
        let bytes = secret.expose().as_bytes();
        return Ok((
            JwtVerifier::hs256(bytes, config),
            Some(JwtIssuer::hs256(bytes, config)),
        ));
    }
    if let Some(path) = &config.jwt_public_key_file {
        return Ok((JwtVerifier::from_public_key_file(path, config)?, None));
    }
    let secret = dev_secret(&config.dev_secret_file)?;
    Ok((
        JwtVerifier::hs256(secret.as_bytes(), config),
        Some(JwtIssuer::hs256(secret.as_bytes(), config)),
    ))
}

/// Dev mode's HS256 secret: generated once and kept in a local file, so printed tokens keep
/// working across restarts and `cartql token` can sign with the same key.
fn dev_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    std::fs::write(path, &secret)
        .with_context(|| format!("cannot write the dev secret to {}", path.display()))?;
    restrict_permissions(path);
    Ok(secret)
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}
