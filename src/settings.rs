//! Every setting, declared once: its variable, its default (per environment where they
//! differ) and what it does. `Config` reads the environment through these declarations,
//! `cartql --help` prints them, and a test holds them to what `Config` reads and to the
//! README's Settings table, so none can drift from another.

/// One environment variable cartql reads.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub name: &'static str,
    pub default: Fallback,
    /// What it does, as `--help` prints it.
    pub meaning: &'static str,
}

/// What a setting is when the environment leaves it unset.
#[derive(Clone, Copy, Debug)]
pub enum Fallback {
    /// Nothing: the feature it configures is off.
    Unset,
    /// Computed from other settings (see the setting's meaning).
    Derived,
    /// This value in every environment.
    Value(&'static str),
    /// One value in development, a tighter one in production (`CARTQL_ENV`).
    ByEnv {
        dev: &'static str,
        prod: &'static str,
    },
}

impl Fallback {
    /// The value used when the variable is unset, if there is one.
    pub fn value(self, production: bool) -> Option<&'static str> {
        match self {
            Self::Unset | Self::Derived => None,
            Self::Value(value) => Some(value),
            Self::ByEnv { dev, prod } => Some(if production { prod } else { dev }),
        }
    }

    fn shown(self) -> String {
        match self {
            Self::Unset => "—".into(),
            Self::Derived => "derived".into(),
            Self::Value(value) => value.into(),
            Self::ByEnv { dev, prod } => format!("{dev} / {prod}"),
        }
    }
}

pub const BIND: Setting = Setting {
    name: "CARTQL_BIND",
    default: Fallback::Value("127.0.0.1:8080"),
    meaning: "Listen address.",
};

pub const DATABASE_URL: Setting = Setting {
    name: "DATABASE_URL",
    default: Fallback::Value("sqlite://cartql.db?mode=rwc"),
    meaning: "sqlite://…, postgres://… or mysql://….",
};

pub const DB_MAX_CONNECTIONS: Setting = Setting {
    name: "CARTQL_DB_MAX_CONNECTIONS",
    default: Fallback::Value("10"),
    meaning: "Pool size (acquire timeout 3 s).",
};

pub const JWT_SECRET: Setting = Setting {
    name: "CARTQL_JWT_SECRET",
    default: Fallback::Unset,
    meaning: "HS256 secret for user tokens (≥ 32 characters).",
};

pub const JWT_PUBLIC_KEY_FILE: Setting = Setting {
    name: "CARTQL_JWT_PUBLIC_KEY_FILE",
    default: Fallback::Unset,
    meaning: "PEM public key instead: RSA → RS256, EC P-256 → ES256.",
};

pub const JWT_ISSUER: Setting = Setting {
    name: "CARTQL_JWT_ISSUER",
    default: Fallback::Unset,
    meaning: "When set, tokens must carry this iss.",
};

pub const JWT_AUDIENCE: Setting = Setting {
    name: "CARTQL_JWT_AUDIENCE",
    default: Fallback::Unset,
    meaning: "When set, tokens must carry this aud.",
};

pub const GUEST_TOKEN_SECRET: Setting = Setting {
    name: "CARTQL_GUEST_TOKEN_SECRET",
    default: Fallback::Derived,
    meaning: "Signs guest cart tokens. Defaults to a key derived from CARTQL_JWT_SECRET (or dev mode's secret); required in production with a public JWT key. Changing it invalidates open guest tokens.",
};

pub const DEV_SECRET_FILE: Setting = Setting {
    name: "CARTQL_DEV_SECRET_FILE",
    default: Fallback::Value(".cartql-dev-secret"),
    meaning: "Where dev mode keeps its generated secret.",
};

pub const API_KEYS: Setting = Setting {
    name: "CARTQL_API_KEYS",
    default: Fallback::Unset,
    meaning: "Comma-separated client keys; when set, every request needs X-API-Key.",
};

pub const TAX_RATE: Setting = Setting {
    name: "CARTQL_TAX_RATE",
    default: Fallback::Value("0.10"),
    meaning: "Estimated tax as a fraction of the subtotal (0–1, ≤ 6 decimals).",
};

pub const CURRENCY: Setting = Setting {
    name: "CARTQL_CURRENCY",
    default: Fallback::Value("USD"),
    meaning: "Currency of new carts and of products given without one.",
};

pub const GUEST_CART_TTL: Setting = Setting {
    name: "CARTQL_GUEST_CART_TTL",
    default: Fallback::Value("30d"),
    meaning: "Guest carts expire after this long without a change (30d, 12h, 45m, 3600s).",
};

pub const USER_CART_TTL: Setting = Setting {
    name: "CARTQL_USER_CART_TTL",
    default: Fallback::Value("90d"),
    meaning: "Users' carts expire after this long without a change.",
};

pub const EMPTY_CART_TTL: Setting = Setting {
    name: "CARTQL_EMPTY_CART_TTL",
    default: Fallback::Value("1d"),
    meaning: "Either kind expires after this long while it has no lines.",
};

pub const SWEEP_INTERVAL: Setting = Setting {
    name: "CARTQL_SWEEP_INTERVAL",
    default: Fallback::Value("5m"),
    meaning: "How often the background sweeper closes expired carts.",
};

pub const RETENTION: Setting = Setting {
    name: "CARTQL_RETENTION",
    default: Fallback::Value("30d"),
    meaning: "How long soft-deleted and expired rows stay before cartql purge removes them.",
};

pub const MAX_LINES: Setting = Setting {
    name: "CARTQL_MAX_LINES",
    default: Fallback::Value("250"),
    meaning: "Lines per cart.",
};

pub const MAX_LINE_QUANTITY: Setting = Setting {
    name: "CARTQL_MAX_LINE_QUANTITY",
    default: Fallback::Value("999"),
    meaning: "Quantity per line.",
};

pub const MAX_ATTRIBUTES: Setting = Setting {
    name: "CARTQL_MAX_ATTRIBUTES",
    default: Fallback::Value("20"),
    meaning: "Attributes per line.",
};

pub const DEMO_CATALOG: Setting = Setting {
    name: "CARTQL_DEMO_CATALOG",
    default: Fallback::Value("true"),
    meaning: "Load the demo catalog when the catalog is empty.",
};

pub const ENV: Setting = Setting {
    name: "CARTQL_ENV",
    default: Fallback::Value("development"),
    meaning: "production requires a JWT key, turns off GraphiQL, introspection and \"did you mean\" suggestions, and tightens the defaults marked dev/prod.",
};

pub const CORS_ORIGINS: Setting = Setting {
    name: "CARTQL_CORS_ORIGINS",
    default: Fallback::Unset,
    meaning: "Comma-separated browser origins allowed to call (e.g. https://shop.example); without it no CORS headers are sent.",
};

pub const MAX_IN_FLIGHT: Setting = Setting {
    name: "CARTQL_MAX_IN_FLIGHT",
    default: Fallback::ByEnv {
        dev: "512",
        prod: "256",
    },
    meaning: "Requests handled at once; beyond it requests are shed at once with 503 and Retry-After: 1.",
};

pub const REQUEST_TIMEOUT: Setting = Setting {
    name: "CARTQL_REQUEST_TIMEOUT",
    default: Fallback::Value("10s"),
    meaning: "Longest a GraphQL request may take (503 after). Health probes get 1 s.",
};

pub const RATE_MUTATIONS: Setting = Setting {
    name: "CARTQL_RATE_MUTATIONS",
    default: Fallback::ByEnv {
        dev: "600",
        prod: "120",
    },
    meaning: "Mutations per minute per caller (user, guest token, or client address when anonymous); 429 with Retry-After beyond.",
};

pub const RATE_NEW_CARTS: Setting = Setting {
    name: "CARTQL_RATE_NEW_CARTS",
    default: Fallback::ByEnv {
        dev: "120",
        prod: "20",
    },
    meaning: "Guest carts opened per minute per client address.",
};

pub const MAX_SELECTIONS: Setting = Setting {
    name: "CARTQL_MAX_SELECTIONS",
    default: Fallback::ByEnv {
        dev: "5000",
        prod: "2000",
    },
    meaning: "Fields a document may select once its fragments are expanded.",
};

pub const SHUTDOWN_GRACE: Setting = Setting {
    name: "CARTQL_SHUTDOWN_GRACE",
    default: Fallback::ByEnv {
        dev: "0",
        prod: "5s",
    },
    meaning: "After SIGTERM, how long /readyz answers 503 while requests are still served (so a load balancer stops routing first).",
};

pub const DRAIN_TIMEOUT: Setting = Setting {
    name: "CARTQL_DRAIN_TIMEOUT",
    default: Fallback::Value("20s"),
    meaning: "Then, how long in-flight requests get to finish before the process exits.",
};

pub const IDEMPOTENCY_TTL: Setting = Setting {
    name: "CARTQL_IDEMPOTENCY_TTL",
    default: Fallback::Value("24h"),
    meaning: "How long an Idempotency-Key and its stored reply are kept.",
};

pub const LOG: Setting = Setting {
    name: "CARTQL_LOG",
    default: Fallback::Value("info"),
    meaning: "Log filter (tracing syntax, e.g. cartql=debug).",
};

pub const LOG_FORMAT: Setting = Setting {
    name: "CARTQL_LOG_FORMAT",
    default: Fallback::ByEnv {
        dev: "text",
        prod: "json",
    },
    meaning: "json: one JSON object per line, with the request's span (its x-request-id) on every event.",
};

pub const METRICS: Setting = Setting {
    name: "CARTQL_METRICS",
    default: Fallback::Value("true"),
    meaning: "Serve Prometheus metrics on GET /metrics (see Observability).",
};

pub const METRICS_TOKEN: Setting = Setting {
    name: "CARTQL_METRICS_TOKEN",
    default: Fallback::Unset,
    meaning: "When set, /metrics requires Authorization: Bearer <token>.",
};

pub const PERSISTED_DOCUMENTS: Setting = Setting {
    name: "CARTQL_PERSISTED_DOCUMENTS",
    default: Fallback::Unset,
    meaning: "A manifest ({\"<sha256>\": \"<document>\"}, as graphql-codegen's client preset writes it): only its documents run (see Persisted queries).",
};

pub const TRUSTED_PROXIES: Setting = Setting {
    name: "CARTQL_TRUSTED_PROXIES",
    default: Fallback::Unset,
    meaning: "Comma-separated reverse-proxy addresses whose X-Forwarded-For names the client (for the per-address rate limits).",
};

pub const MAX_SUBSCRIBERS: Setting = Setting {
    name: "CARTQL_MAX_SUBSCRIBERS",
    default: Fallback::Value("4096"),
    meaning: "WebSocket connections (cartUpdated) open at once; more are refused with 503 and Retry-After: 5 before the upgrade.",
};

pub const FEDERATION: Setting = Setting {
    name: "CARTQL_FEDERATION",
    default: Fallback::Value("false"),
    meaning: "Serve as an Apollo Federation v2 subgraph (see Apollo Federation).",
};

pub const RESOLVER_SPANS: Setting = Setting {
    name: "CARTQL_RESOLVER_SPANS",
    default: Fallback::Value("false"),
    meaning: "A tracing span per resolved field, for an OpenTelemetry exporter (costs a span per field).",
};

/// Every setting, in the order `--help` and the README list them.
pub const SETTINGS: &[Setting] = &[
    BIND,
    DATABASE_URL,
    DB_MAX_CONNECTIONS,
    JWT_SECRET,
    JWT_PUBLIC_KEY_FILE,
    JWT_ISSUER,
    JWT_AUDIENCE,
    GUEST_TOKEN_SECRET,
    DEV_SECRET_FILE,
    API_KEYS,
    TAX_RATE,
    CURRENCY,
    GUEST_CART_TTL,
    USER_CART_TTL,
    EMPTY_CART_TTL,
    SWEEP_INTERVAL,
    RETENTION,
    MAX_LINES,
    MAX_LINE_QUANTITY,
    MAX_ATTRIBUTES,
    DEMO_CATALOG,
    ENV,
    CORS_ORIGINS,
    MAX_IN_FLIGHT,
    REQUEST_TIMEOUT,
    RATE_MUTATIONS,
    RATE_NEW_CARTS,
    MAX_SELECTIONS,
    SHUTDOWN_GRACE,
    DRAIN_TIMEOUT,
    IDEMPOTENCY_TTL,
    LOG,
    LOG_FORMAT,
    METRICS,
    METRICS_TOKEN,
    PERSISTED_DOCUMENTS,
    TRUSTED_PROXIES,
    MAX_SUBSCRIBERS,
    FEDERATION,
    RESOLVER_SPANS,
];

/// The settings as help text: one entry per variable, its default, and what it does.
pub fn help_text() -> String {
    let mut text = String::from(
        "Settings (environment variables, also read from ./.env; \"dev / prod\" defaults differ by CARTQL_ENV):\n",
    );
    for setting in SETTINGS {
        text.push_str(&format!(
            "\n  {} (default: {})\n      {}\n",
            setting.name,
            setting.default.shown(),
            setting.meaning
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::{cell::RefCell, collections::BTreeSet};

    use super::*;
    use crate::config::Config;

    /// The `CARTQL_…` names in `text`.
    fn variables(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(at) = rest.find("CARTQL_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            found.insert(name);
        }
        found
    }

    #[test]
    fn every_setting_read_is_listed_and_documented() {
        let asked = RefCell::new(BTreeSet::new());
        Config::from_lookup(|name| {
            asked.borrow_mut().insert(name.to_owned());
            None
        })
        .expect("the defaults are valid");
        let mut read = asked.into_inner();
        // `main` reads these before the configuration, to set up logging.
        read.extend([LOG.name.to_owned(), LOG_FORMAT.name.to_owned()]);
        let listed: BTreeSet<String> = SETTINGS.iter().map(|s| s.name.to_owned()).collect();
        assert_eq!(listed, read, "settings read vs listed");

        let readme = include_str!("../README.md");
        let table = &readme[readme.find("## Settings").expect("a Settings section")..];
        let table = &table[..table.find("\n## ").unwrap_or(table.len())];
        let cartql_only: BTreeSet<String> = listed
            .into_iter()
            .filter(|n| n.starts_with("CARTQL_"))
            .collect();
        assert_eq!(
            cartql_only,
            variables(table),
            "settings listed vs the README's table"
        );
    }

    #[test]
    fn production_defaults_are_valid_too() {
        let config = Config::from_lookup(|name| (name == ENV.name).then(|| "production".into()))
            .expect("the production defaults are valid");
        assert!(config.production);
        assert_eq!(config.max_in_flight, 256);
        assert_eq!(config.shutdown_grace, std::time::Duration::from_secs(5));
    }
}
