//! The service's configuration, read from the environment (and a `.env` file, loaded by
//! `main`) through the declarations in [`settings`](crate::settings), which hold every
//! default. Secrets are wrapped so that `Debug` never prints them.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};

use crate::{
    auth::roles_claim::RolesClaim,
    domain::{Currency, Limits, Locale, TaxRate},
    settings,
};

mod amplification;
mod env;
mod events;
mod holds;
mod production;
mod secret;
mod shared_limits;

pub use amplification::AmplificationConfig;
use env::Env;
pub use env::parse_duration;
pub use events::{EventsConfig, NatsConfig, WebhookConfig};
pub use secret::Secret;
pub use shared_limits::RedisConfig;

/// The service's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `CARTQL_BIND`: address the HTTP server listens on.
    pub bind: SocketAddr,
    /// `DATABASE_URL`: `sqlite://…`, `postgres://…` or `mysql://…`.
    pub database_url: String,
    /// `CARTQL_DB_MAX_CONNECTIONS`: pool size.
    pub db_max_connections: u32,
    /// `CARTQL_JWT_SECRET`: HS256 secret for user tokens.
    pub jwt_secret: Option<Secret>,
    /// `CARTQL_JWT_PUBLIC_KEY_FILE`: PEM public key (RSA → RS256, EC P-256 → ES256).
    pub jwt_public_key_file: Option<PathBuf>,
    /// `CARTQL_JWT_ISSUER`: required `iss` when set.
    pub jwt_issuer: Option<String>,
    /// `CARTQL_JWT_AUDIENCE`: required `aud` when set.
    pub jwt_audience: Option<String>,
    /// `CARTQL_JWT_AUDIENCE_OPTIONAL`: production may start without an audience.
    pub jwt_audience_optional: bool,
    /// `CARTQL_JWT_ROLES_CLAIM`: where a user token carries its roles.
    pub jwt_roles_claim: RolesClaim,
    /// `CARTQL_GUEST_TOKEN_SECRET`: signs guest cart tokens (defaults to a key derived from
    /// `CARTQL_JWT_SECRET`, or from dev mode's secret).
    pub guest_token_secret: Option<Secret>,
    /// `CARTQL_DEV_SECRET_FILE`: where dev mode keeps its generated HS256 secret.
    pub dev_secret_file: PathBuf,
    /// `CARTQL_API_KEYS`: comma-separated client keys; when set, `X-API-Key` is required.
    pub api_keys: Vec<Secret>,
    /// `CARTQL_TAX_RATE`: estimated tax as a decimal fraction of the subtotal.
    pub tax_rate: TaxRate,
    /// `CARTQL_CURRENCY`: the currency of new carts.
    pub currency: Currency,
    /// `CARTQL_LOCALE`: `Money.formatted`'s locale when a query gives none.
    pub locale: Locale,
    /// `CARTQL_GUEST_CART_TTL`: a guest cart expires after this long without a change.
    pub guest_cart_ttl: Duration,
    /// `CARTQL_USER_CART_TTL`: a user's cart expires after this long without a change.
    pub user_cart_ttl: Duration,
    /// `CARTQL_EMPTY_CART_TTL`: an empty cart (either kind) expires after this long instead.
    pub empty_cart_ttl: Duration,
    /// `CARTQL_SWEEP_INTERVAL`: how often the background sweeper closes expired carts.
    pub sweep_interval: Duration,
    /// `CARTQL_CHECKOUT_HOLD`: how long a checkout holds its stock.
    pub checkout_hold: Duration,
    /// `CARTQL_REDIS_URL` and its key prefix: rate limits shared by every instance.
    pub redis: Option<RedisConfig>,
    /// The hold caps (`CARTQL_HOLD_*`) and `CARTQL_CHECKOUT_PAYMENT_WINDOW`.
    pub holds: crate::service::cart::HoldRules,
    /// `CARTQL_CHECKOUT_SWEEP_INTERVAL`: how often expired holds are released.
    pub checkout_sweep_interval: Duration,
    /// `CARTQL_HANDOFF_SECRET`: signs checkout handoff tokens (derived when unset).
    pub handoff_secret: Option<Secret>,
    /// Events out: sinks and retries (`CARTQL_NATS_*`, `CARTQL_WEBHOOK_*`, `CARTQL_EVENTS_*`).
    pub events: EventsConfig,
    /// `CARTQL_ONE_STATEMENT_ADD`: PostgreSQL's one-statement add.
    pub one_statement_add: bool,
    /// `CARTQL_GROUP_COMMIT`: SQLite's group commit for cart mutations.
    pub group_commit: bool,
    /// `CARTQL_COMPILED_VIEWS`: the compiled path for cart views.
    pub compiled_views: bool,
    /// `CARTQL_RETENTION`: how long soft-deleted and expired rows are kept before `cartql purge`.
    pub retention: Duration,
    /// `CARTQL_MAX_LINES`, `CARTQL_MAX_LINE_QUANTITY`, `CARTQL_MAX_ATTRIBUTES`.
    pub limits: Limits,
    /// `CARTQL_DEMO_CATALOG`: load the demo catalog when the catalog is empty.
    pub demo_catalog: bool,
    /// `CARTQL_ENV=production`: a JWT key is required, GraphiQL, introspection and
    /// suggestions are off, and the limits below default tighter.
    pub production: bool,
    /// `CARTQL_ENV` was set (to either value): dev mode on a public address is then a choice.
    pub environment_chosen: bool,
    /// `CARTQL_CORS_ORIGINS`: comma-separated origins allowed to call from a browser.
    pub cors_origins: Vec<String>,
    /// `CARTQL_MAX_IN_FLIGHT`: requests handled at once; more are shed with 503.
    pub max_in_flight: usize,
    /// `CARTQL_REQUEST_TIMEOUT`: how long a GraphQL request may take.
    pub request_timeout: Duration,
    /// `CARTQL_RATE_MUTATIONS`: mutations per minute per caller.
    pub rate_mutations: u32,
    /// `CARTQL_RATE_NEW_CARTS`: guest carts opened per minute per client address.
    pub rate_new_carts: u32,
    /// `CARTQL_RATE_DISCOUNT_CODES`: unknown discount codes per caller in 10 minutes.
    pub rate_discount_codes: u32,
    /// `CARTQL_MAX_SELECTIONS`: fields a query may select once its fragments are expanded.
    pub max_selections: u64,
    /// `CARTQL_SHUTDOWN_GRACE`: after SIGTERM, how long `/readyz` answers 503 while requests
    /// are still served, so a load balancer can stop sending traffic first.
    pub shutdown_grace: Duration,
    /// `CARTQL_DRAIN_TIMEOUT`: how long in-flight requests may take to finish after that.
    pub drain_timeout: Duration,
    /// `CARTQL_IDEMPOTENCY_TTL`: how long an `Idempotency-Key` and its reply are kept.
    pub idempotency_ttl: Duration,
    /// `CARTQL_METRICS`: serve Prometheus metrics on `GET /metrics`.
    pub metrics: bool,
    /// `CARTQL_METRICS_TOKEN`: when set, `/metrics` requires `Authorization: Bearer <it>`.
    pub metrics_token: Option<Secret>,
    /// `CARTQL_METRICS_OPERATIONS`: operation names that label metrics by name.
    pub metrics_operations: Vec<String>,
    /// `CARTQL_PERSISTED_DOCUMENTS`: a manifest of the only documents the server runs.
    pub persisted_documents: Option<PathBuf>,
    /// `CARTQL_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `CARTQL_MAX_SUBSCRIBERS`: WebSocket connections open at once.
    pub max_subscribers: usize,
    /// `CARTQL_MAX_NODES`, `CARTQL_WS_*`: per request, per principal and per address.
    pub amplification: AmplificationConfig,
    /// `CARTQL_FEDERATION`: serve as an Apollo Federation v2 subgraph.
    pub federation: bool,
    /// `CARTQL_RESOLVER_SPANS`: a tracing span per resolved field (for an OpenTelemetry
    /// exporter; costs a span per field).
    pub resolver_spans: bool,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests can pass their own. Every value is read
    /// through its declaration in [`settings`], which holds its default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut env = Env {
            lookup,
            production: false,
        };
        let chosen = env.get(&settings::ENV);
        env.production = is_production(chosen.as_deref())?;

        let limits = Limits {
            max_lines: env.number(&settings::MAX_LINES)?,
            max_line_quantity: env.number(&settings::MAX_LINE_QUANTITY)?,
            max_attributes: env.number(&settings::MAX_ATTRIBUTES)? as usize,
        };
        if limits.max_lines == 0
            || limits.max_line_quantity == 0
            || limits.max_line_quantity > 1_000_000
        {
            bail!(
                "{} must be ≥ 1 and {} between 1 and 1000000",
                settings::MAX_LINES.name,
                settings::MAX_LINE_QUANTITY.name
            );
        }

        let tax = env.value(&settings::TAX_RATE);
        let currency = env.value(&settings::CURRENCY);
        let locale = env.value(&settings::LOCALE);
        let bind = env.value(&settings::BIND);
        Ok(Self {
            bind: bind.parse().with_context(|| {
                format!(
                    "{} must be an address such as 127.0.0.1:8080, got {bind:?}",
                    settings::BIND.name
                )
            })?,
            database_url: env.value(&settings::DATABASE_URL),
            db_max_connections: env.number(&settings::DB_MAX_CONNECTIONS)?.max(1),
            jwt_secret: env.get(&settings::JWT_SECRET).map(Secret::new),
            jwt_public_key_file: env.get(&settings::JWT_PUBLIC_KEY_FILE).map(PathBuf::from),
            jwt_issuer: env.get(&settings::JWT_ISSUER),
            jwt_audience: env.get(&settings::JWT_AUDIENCE),
            jwt_audience_optional: env.flag(&settings::JWT_AUDIENCE_OPTIONAL)?,
            jwt_roles_claim: RolesClaim::parse(&env.value(&settings::JWT_ROLES_CLAIM))?,
            guest_token_secret: env.get(&settings::GUEST_TOKEN_SECRET).map(Secret::new),
            dev_secret_file: PathBuf::from(env.value(&settings::DEV_SECRET_FILE)),
            api_keys: env
                .list(&settings::API_KEYS)
                .into_iter()
                .map(Secret::new)
                .collect(),
            tax_rate: TaxRate::parse(&tax).with_context(|| {
                format!(
                    "{} must be a decimal between 0 and 1, got {tax:?}",
                    settings::TAX_RATE.name
                )
            })?,
            currency: Currency::parse(&currency).with_context(|| {
                format!(
                    "{} must be a three-letter code, got {currency:?}",
                    settings::CURRENCY.name
                )
            })?,
            locale: Locale::parse(&locale).with_context(|| {
                format!(
                    "{} must be a BCP 47 locale tag such as en-US, got {locale:?}",
                    settings::LOCALE.name
                )
            })?,
            guest_cart_ttl: env.duration(&settings::GUEST_CART_TTL)?,
            user_cart_ttl: env.duration(&settings::USER_CART_TTL)?,
            empty_cart_ttl: env.duration(&settings::EMPTY_CART_TTL)?,
            sweep_interval: env.duration(&settings::SWEEP_INTERVAL)?,
            checkout_hold: env.duration(&settings::CHECKOUT_HOLD)?,
            holds: holds::read(&env)?,
            redis: shared_limits::read(&env),
            checkout_sweep_interval: env.duration(&settings::CHECKOUT_SWEEP_INTERVAL)?,
            handoff_secret: env.get(&settings::HANDOFF_SECRET).map(Secret::new),
            events: events::read(&env)?,
            one_statement_add: env.flag(&settings::ONE_STATEMENT_ADD)?,
            group_commit: env.flag(&settings::GROUP_COMMIT)?,
            compiled_views: env.flag(&settings::COMPILED_VIEWS)?,
            retention: env.duration(&settings::RETENTION)?,
            limits,
            demo_catalog: env.flag(&settings::DEMO_CATALOG)?,
            production: env.production,
            environment_chosen: chosen.is_some(),
            cors_origins: env.list(&settings::CORS_ORIGINS),
            max_in_flight: env.number(&settings::MAX_IN_FLIGHT)?.max(1) as usize,
            request_timeout: env.duration(&settings::REQUEST_TIMEOUT)?,
            rate_mutations: env.number(&settings::RATE_MUTATIONS)?.max(1),
            rate_new_carts: env.number(&settings::RATE_NEW_CARTS)?.max(1),
            rate_discount_codes: env.number(&settings::RATE_DISCOUNT_CODES)?.max(1),
            max_selections: u64::from(env.number(&settings::MAX_SELECTIONS)?.max(10)),
            shutdown_grace: match env.value(&settings::SHUTDOWN_GRACE).as_str() {
                "0" => Duration::ZERO,
                _ => env.duration(&settings::SHUTDOWN_GRACE)?,
            },
            drain_timeout: env.duration(&settings::DRAIN_TIMEOUT)?,
            idempotency_ttl: env.duration(&settings::IDEMPOTENCY_TTL)?,
            metrics: env.flag(&settings::METRICS)?,
            metrics_token: env.get(&settings::METRICS_TOKEN).map(Secret::new),
            metrics_operations: env.list(&settings::METRICS_OPERATIONS),
            persisted_documents: env.get(&settings::PERSISTED_DOCUMENTS).map(PathBuf::from),
            trusted_proxies: env
                .list(&settings::TRUSTED_PROXIES)
                .iter()
                .map(|p| p.parse())
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| {
                    format!(
                        "{} must list IP addresses, e.g. 10.0.0.1,10.0.0.2",
                        settings::TRUSTED_PROXIES.name
                    )
                })?,
            max_subscribers: env.number(&settings::MAX_SUBSCRIBERS)?.max(1) as usize,
            amplification: amplification::read(&env)?,
            federation: env.flag(&settings::FEDERATION)?,
            resolver_spans: env.flag(&settings::RESOLVER_SPANS)?,
        })
    }

    /// True when no JWT key is configured: the service generates one and prints a token.
    pub fn dev_mode(&self) -> bool {
        self.jwt_secret.is_none() && self.jwt_public_key_file.is_none()
    }

    /// Dev mode hands a 30-day user token to every GraphiQL visitor and prints an admin
    /// token, so by default it only listens on a loopback address; `CARTQL_ENV=development`
    /// makes another address a deliberate choice.
    pub fn check_dev_bind(&self) -> anyhow::Result<()> {
        if self.dev_mode() && !self.environment_chosen && !self.bind.ip().is_loopback() {
            bail!(
                "dev mode (no CARTQL_JWT_SECRET or CARTQL_JWT_PUBLIC_KEY_FILE) gives every \
                 GraphiQL visitor a user token, so it only listens on a loopback address, not \
                 {}: configure a JWT key and CARTQL_ENV=production, or set \
                 CARTQL_ENV=development to serve dev mode there on purpose",
                self.bind
            );
        }
        Ok(())
    }
}

/// Reads `CARTQL_ENV` (unset means development). The one reading of it: the log format in
/// `main` and every production default follow the same answer.
pub fn is_production(raw: Option<&str>) -> anyhow::Result<bool> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("development" | "dev") => Ok(false),
        Some("production" | "prod") => Ok(true),
        Some(other) => bail!("CARTQL_ENV must be development or production, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_environment() {
        let config = Config::from_lookup(|_| None).expect("defaults are valid");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.guest_cart_ttl, Duration::from_secs(30 * 86_400));
        assert!(config.dev_mode());
    }

    #[test]
    fn secrets_never_print() {
        let config =
            Config::from_lookup(|k| (k == "CARTQL_JWT_SECRET").then(|| "hunter2".to_owned()))
                .expect("valid");
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let err = Config::from_lookup(|k| (k == "CARTQL_TAX_RATE").then(|| "ten".to_owned()))
            .expect_err("rejected");
        assert!(err.to_string().contains("CARTQL_TAX_RATE"));
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("12x"), None);
    }
}
