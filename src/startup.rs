//! `build_app`: the one way `main` and the tests assemble the service.

use std::{
    path::Path,
    sync::{Arc, atomic::AtomicBool},
};

use anyhow::Context;
use async_graphql::{ObjectType, Schema, SchemaBuilder};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sea_orm::DatabaseConnection;

use crate::{
    auth::{Authenticator, GuestKey, HandoffKey, JwtIssuer, JwtVerifier},
    config::Config,
    db,
    events::EventsOut,
    graphql::{
        self, MutationRoot, ServiceSchema, SubscriptionRoot, compiled::CompiledViews,
        context::ServiceState, documents::DocumentCache, expansion::DocumentLimits, introspection,
        persisted::PersistedQueries,
    },
    http::{self, graphiql::GraphiqlPage},
    limits::Limits,
    live::LiveCarts,
    service::{CartSettings, cart, idempotency::IdempotencySeal, promotions::CodeAttempts},
    state::AppState,
};

/// GraphQL nesting allowed (a full cart view with product, shop and media needs 7).
const MAX_DEPTH: usize = 10;
/// Parser recursion allowed for nested values and lists.
const MAX_RECURSIVE_DEPTH: usize = 16;
/// Directives allowed on one field.
const MAX_FIELD_DIRECTIVES: usize = 4;
/// async-graphql complexity allowed: list fields cost their page size times their children,
/// so this admits a complete view of a full cart (250 lines × about 40 fields, as the
/// storefront operations in `examples/` ask) and not much more.
const MAX_COMPLEXITY: usize = 20_000;
/// Directives a whole document may use once its fragments are expanded.
const MAX_DOCUMENT_DIRECTIVES: u64 = 50;

/// The assembled service.
pub struct App {
    pub router: axum::Router,
    pub state: AppState,
    /// Signs user tokens when the key is an HS256 secret (always in dev mode).
    pub issuer: Option<JwtIssuer>,
}

/// Connects, migrates, loads the demo catalog if asked and the catalog is empty (both under
/// the database's start-up lock, see [`crate::prepare`]), and builds the router.
pub async fn build_app(config: &Config) -> anyhow::Result<App> {
    let db = db::connect(&config.database_url, config.db_max_connections)
        .await
        .context("cannot connect to the database")?;
    build_app_on(config, db).await
}

/// [`build_app`] over an existing pool (tests use this to count statements).
pub async fn build_app_on(config: &Config, db: DatabaseConnection) -> anyhow::Result<App> {
    config.check_production()?;
    crate::prepare::prepare_database(&db, config).await?;

    let (verifier, issuer) = jwt_keys(config)?;
    let guest_key = guest_key(config)?;
    let settings = CartSettings {
        limits: config.limits,
        currency: config.currency,
        tax_rate: config.tax_rate,
        guest_cart_ttl: config.guest_cart_ttl,
        user_cart_ttl: config.user_cart_ttl,
        empty_cart_ttl: config.empty_cart_ttl,
        guest_key,
        checkout_hold: config.checkout_hold,
        holds: config.holds,
        outbox: outbox(config),
        one_statement_add: config.one_statement_add,
    };
    let events = EventsOut::connect(&config.events)
        .await
        .context("cannot set up events out")?;
    let live_relay = events.nats.clone().zip(
        config
            .events
            .nats
            .as_ref()
            .map(|nats| format!("{}-live", nats.subject_prefix)),
    );
    // SQLite takes one writer at a time; its cart mutations commit in groups.
    let group_commit = (config.group_commit
        && db.get_database_backend() == sea_orm::DbBackend::Sqlite)
        .then(|| db::GroupCommit::new(db.clone()));
    let limits = match &config.redis {
        Some(redis) => Limits::shared(redis.url.expose(), &redis.prefix)
            .context("cannot set up the rate limits in Redis")?,
        None => Limits::local(),
    };
    let service = ServiceState {
        db: db.clone(),
        group_commit: group_commit.clone(),
        settings,
        live: LiveCarts::start(&db, live_relay),
        code_attempts: CodeAttempts::new(limits.clone(), config.rate_discount_codes),
        handoff: handoff_key(config, &guest_key),
        locale: config.locale.clone(),
    };
    let live = service.live.clone();
    events.start(&db, &config.events, || live.subscribe());
    let state = AppState {
        schema: schema(config, service.clone(), Depth::Operations),
        // Production has introspection off, so it needs no deeper twin.
        introspection_schema: (!config.production)
            .then(|| schema(config, service, Depth::Introspection)),
        db,
        auth: Authenticator::new(verifier, config.api_keys.clone(), guest_key),
        document_limits: DocumentLimits {
            max_selections: config.max_selections,
            max_directives: MAX_DOCUMENT_DIRECTIVES,
        },
        draining: Arc::new(AtomicBool::new(false)),
        idempotency_ttl: config.idempotency_ttl,
        idempotency_seal: IdempotencySeal::new(&guest_key),
        db_health: Arc::new(db::DbHealth::default()),
        documents: Arc::new(DocumentCache::default()),
        group_commit,
        // Resolver spans trace async-graphql's execution, which the compiled path skips.
        compiled_views: (config.compiled_views && !config.resolver_spans).then(|| CompiledViews {
            settings,
            locale: config.locale.clone(),
        }),
        persisted: Arc::new(PersistedQueries::new(
            config.persisted_documents.as_deref(),
        )?),
        limits,
    };
    let graphiql = (!config.production).then(|| graphiql_page(issuer.as_ref(), config));
    // Install the recorder before the first request records anything.
    crate::metrics::handle();
    cart::spawn_sweeper(state.db.clone(), config.sweep_interval, outbox(config));
    cart::spawn_checkout_sweeper(
        state.db.clone(),
        config.checkout_sweep_interval,
        outbox(config),
    );
    db::watch(state.db.clone(), state.db_health.clone());
    Ok(App {
        router: http::router(state.clone(), config, graphiql),
        state,
        issuer,
    })
}

/// Whether changes queue their events: while any sink is configured.
pub fn outbox(config: &Config) -> cart::Outbox {
    match config.events.any_sink() {
        true => cart::Outbox::On,
        false => cart::Outbox::Off,
    }
}

/// How deep operations may go: the cart limits, or the deeper ones introspection needs.
#[derive(Clone, Copy)]
enum Depth {
    Operations,
    Introspection,
}

/// The executable schema (the federation subgraph with `CARTQL_FEDERATION`) with its limits;
/// production also hides the schema from strangers.
fn schema(config: &Config, service: ServiceState, depth: Depth) -> ServiceSchema {
    match config.federation {
        true => ServiceSchema::Federated(configured(
            graphql::federated_schema_builder(),
            config,
            service,
            depth,
        )),
        false => ServiceSchema::Plain(configured(
            graphql::schema_builder(),
            config,
            service,
            depth,
        )),
    }
}

fn configured<Q: ObjectType + 'static>(
    builder: SchemaBuilder<Q, MutationRoot, SubscriptionRoot>,
    config: &Config,
    service: ServiceState,
    depth: Depth,
) -> Schema<Q, MutationRoot, SubscriptionRoot> {
    let (max_depth, max_recursive_depth) = match depth {
        Depth::Operations => (MAX_DEPTH, MAX_RECURSIVE_DEPTH),
        Depth::Introspection => (introspection::MAX_DEPTH, introspection::MAX_RECURSIVE_DEPTH),
    };
    let mut builder = builder
        .data(service)
        .limit_depth(max_depth)
        .limit_recursive_depth(max_recursive_depth)
        .limit_directives(MAX_FIELD_DIRECTIVES)
        .limit_complexity(MAX_COMPLEXITY);
    // With `CARTQL_RESOLVER_SPANS`, a tracing span per resolved field, which an
    // OpenTelemetry layer on the subscriber can export.
    if config.resolver_spans {
        builder = builder.extension(graphql::spans::ResolverSpans);
    }
    if config.production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Depth::Introspection = depth {
        builder = builder.extension(introspection::SchemaDescription);
    }
    builder.finish()
}

/// The verifier for user tokens, and an issuer when the key is a shared secret.
/// The GraphiQL page. In dev mode its Headers tab opens with a token for `dev-user` (the
/// one the startup banner also prints); otherwise it opens empty, as a guest.
fn graphiql_page(issuer: Option<&JwtIssuer>, config: &Config) -> GraphiqlPage {
    let headers = issuer
        .filter(|_| config.dev_mode())
        .and_then(|issuer| issuer.issue("dev-user", &[], DEV_TOKEN_TTL_SECS).ok())
        .map(|token| serde_json::json!({ "Authorization": format!("Bearer {token}") }).to_string());
    GraphiqlPage::new("/graphql", headers)
}

/// How long the dev tokens of the banner and GraphiQL last: 30 days.
pub const DEV_TOKEN_TTL_SECS: i64 = 30 * 86_400;

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

/// The key guest cart tokens are signed with: from `CARTQL_GUEST_TOKEN_SECRET`, else derived
/// from `CARTQL_JWT_SECRET`, else (outside production) from dev mode's secret. Changing it
/// invalidates every open guest token.
/// The handoff signing key: `CARTQL_HANDOFF_SECRET`, else derived from the guest-token key.
fn handoff_key(config: &Config, guest_key: &GuestKey) -> HandoffKey {
    match &config.handoff_secret {
        Some(secret) => HandoffKey::new(secret.expose().as_bytes()),
        None => HandoffKey::new(&guest_key.subkey(b"cartql checkout handoff v1")),
    }
}

fn guest_key(config: &Config) -> anyhow::Result<GuestKey> {
    if let Some(secret) = config
        .guest_token_secret
        .as_ref()
        .or(config.jwt_secret.as_ref())
    {
        return Ok(GuestKey::derive(secret.expose().as_bytes()));
    }
    if config.production {
        anyhow::bail!(
            "CARTQL_ENV=production with a public JWT key needs CARTQL_GUEST_TOKEN_SECRET"
        );
    }
    Ok(GuestKey::derive(
        dev_secret(&config.dev_secret_file)?.as_bytes(),
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
