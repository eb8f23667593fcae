//! Every setting, read from the environment (and a `.env` file, loaded by `main`), with the
//! defaults a newcomer needs. Secrets are wrapped so that `Debug` never prints them.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};

use crate::domain::{Currency, Limits, TaxRate};

/// A secret string whose `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

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
    /// `CARTQL_GUEST_CART_TTL`: a guest cart expires after this long without a change.
    pub guest_cart_ttl: Duration,
    /// `CARTQL_USER_CART_TTL`: a user's cart expires after this long without a change.
    pub user_cart_ttl: Duration,
    /// `CARTQL_EMPTY_CART_TTL`: an empty cart (either kind) expires after this long instead.
    pub empty_cart_ttl: Duration,
    /// `CARTQL_SWEEP_INTERVAL`: how often the background sweeper closes expired carts.
    pub sweep_interval: Duration,
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
    /// `CARTQL_PERSISTED_DOCUMENTS`: a manifest of the only documents the server runs.
    pub persisted_documents: Option<PathBuf>,
    /// `CARTQL_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `CARTQL_MAX_SUBSCRIBERS`: WebSocket connections open at once.
    pub max_subscribers: usize,
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

    /// Reads settings through `lookup`, so tests can pass their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let parsed = |key: &str, default: &str| get(key).unwrap_or_else(|| default.to_owned());
        let number = |key: &str, default: u32| -> anyhow::Result<u32> {
            parsed(key, &default.to_string())
                .parse()
                .with_context(|| format!("{key} must be a whole number"))
        };

        let defaults = Limits::default();
        let limits = Limits {
            max_lines: number("CARTQL_MAX_LINES", defaults.max_lines)?,
            max_line_quantity: number("CARTQL_MAX_LINE_QUANTITY", defaults.max_line_quantity)?,
            max_attributes: number("CARTQL_MAX_ATTRIBUTES", defaults.max_attributes as u32)?
                as usize,
        };
        if limits.max_lines == 0
            || limits.max_line_quantity == 0
            || limits.max_line_quantity > 1_000_000
        {
            bail!(
                "CARTQL_MAX_LINES must be ≥ 1 and CARTQL_MAX_LINE_QUANTITY between 1 and 1000000"
            );
        }

        let env = get("CARTQL_ENV");
        let production = is_production(env.as_deref())?;
        // Production defaults are tighter; each can still be set explicitly.
        let pick = |dev: u32, prod: u32| if production { prod } else { dev };

        let tax = parsed("CARTQL_TAX_RATE", "0.10");
        let currency = parsed("CARTQL_CURRENCY", "USD");
        Ok(Self {
            bind: parsed("CARTQL_BIND", "127.0.0.1:8080")
                .parse()
                .context("CARTQL_BIND must be an address such as 127.0.0.1:8080")?,
            database_url: parsed("DATABASE_URL", "sqlite://cartql.db?mode=rwc"),
            db_max_connections: number("CARTQL_DB_MAX_CONNECTIONS", 10)?.max(1),
            jwt_secret: get("CARTQL_JWT_SECRET").map(Secret::new),
            jwt_public_key_file: get("CARTQL_JWT_PUBLIC_KEY_FILE").map(PathBuf::from),
            jwt_issuer: get("CARTQL_JWT_ISSUER"),
            jwt_audience: get("CARTQL_JWT_AUDIENCE"),
            guest_token_secret: get("CARTQL_GUEST_TOKEN_SECRET").map(Secret::new),
            dev_secret_file: PathBuf::from(parsed("CARTQL_DEV_SECRET_FILE", ".cartql-dev-secret")),
            api_keys: get("CARTQL_API_KEYS")
                .map(|keys| {
                    keys.split(',')
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(Secret::new)
                        .collect()
                })
                .unwrap_or_default(),
            tax_rate: TaxRate::parse(&tax).with_context(|| {
                format!("CARTQL_TAX_RATE must be a decimal between 0 and 1, got {tax:?}")
            })?,
            currency: Currency::parse(&currency).with_context(|| {
                format!("CARTQL_CURRENCY must be a three-letter code, got {currency:?}")
            })?,
            guest_cart_ttl: parse_duration(&parsed("CARTQL_GUEST_CART_TTL", "30d"))
                .context("CARTQL_GUEST_CART_TTL must look like 30d, 12h, 45m or 3600s")?,
            user_cart_ttl: parse_duration(&parsed("CARTQL_USER_CART_TTL", "90d"))
                .context("CARTQL_USER_CART_TTL must look like 90d, 12h, 45m or 3600s")?,
            empty_cart_ttl: parse_duration(&parsed("CARTQL_EMPTY_CART_TTL", "1d"))
                .context("CARTQL_EMPTY_CART_TTL must look like 1d, 12h, 45m or 3600s")?,
            sweep_interval: parse_duration(&parsed("CARTQL_SWEEP_INTERVAL", "5m"))
                .context("CARTQL_SWEEP_INTERVAL must look like 5m or 300s")?,
            retention: parse_duration(&parsed("CARTQL_RETENTION", "30d"))
                .context("CARTQL_RETENTION must look like 30d, 12h, 45m or 3600s")?,
            limits,
            demo_catalog: parse_bool(&parsed("CARTQL_DEMO_CATALOG", "true"))
                .context("CARTQL_DEMO_CATALOG must be true or false")?,
            production,
            environment_chosen: env.is_some(),
            cors_origins: get("CARTQL_CORS_ORIGINS")
                .map(|origins| {
                    origins
                        .split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            max_in_flight: number("CARTQL_MAX_IN_FLIGHT", pick(512, 256))?.max(1) as usize,
            request_timeout: parse_duration(&parsed("CARTQL_REQUEST_TIMEOUT", "10s"))
                .context("CARTQL_REQUEST_TIMEOUT must look like 10s")?,
            rate_mutations: number("CARTQL_RATE_MUTATIONS", pick(600, 120))?.max(1),
            rate_new_carts: number("CARTQL_RATE_NEW_CARTS", pick(120, 20))?.max(1),
            max_selections: u64::from(number("CARTQL_MAX_SELECTIONS", pick(5_000, 2_000))?.max(10)),
            shutdown_grace: match get("CARTQL_SHUTDOWN_GRACE") {
                Some(raw) if raw == "0" => Duration::ZERO,
                Some(raw) => {
                    parse_duration(&raw).context("CARTQL_SHUTDOWN_GRACE must look like 5s")?
                }
                None => Duration::from_secs(if production { 5 } else { 0 }),
            },
            drain_timeout: parse_duration(&parsed("CARTQL_DRAIN_TIMEOUT", "20s"))
                .context("CARTQL_DRAIN_TIMEOUT must look like 20s")?,
            idempotency_ttl: parse_duration(&parsed("CARTQL_IDEMPOTENCY_TTL", "24h"))
                .context("CARTQL_IDEMPOTENCY_TTL must look like 24h")?,
            metrics: parse_bool(&parsed("CARTQL_METRICS", "true"))
                .context("CARTQL_METRICS must be true or false")?,
            metrics_token: get("CARTQL_METRICS_TOKEN").map(Secret::new),
            persisted_documents: get("CARTQL_PERSISTED_DOCUMENTS").map(PathBuf::from),
            trusted_proxies: get("CARTQL_TRUSTED_PROXIES")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| p.parse())
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()
                .context("CARTQL_TRUSTED_PROXIES must list IP addresses, e.g. 10.0.0.1,10.0.0.2")?
                .unwrap_or_default(),
            max_subscribers: number("CARTQL_MAX_SUBSCRIBERS", 4096)?.max(1) as usize,
            federation: parse_bool(&parsed("CARTQL_FEDERATION", "false"))
                .context("CARTQL_FEDERATION must be true or false")?,
            resolver_spans: parse_bool(&parsed("CARTQL_RESOLVER_SPANS", "false"))
                .context("CARTQL_RESOLVER_SPANS must be true or false")?,
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

/// `30d`, `12h`, `45m`, `10s` or a plain number of seconds.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (number, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => raw.split_at(at),
        None => (raw, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3_600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
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
