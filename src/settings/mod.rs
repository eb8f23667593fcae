//! Every setting, declared once: its variable, its default (per environment where they
//! differ) and what it does. `Config` reads the environment through these declarations,
//! `cartql --help` prints them, and a test holds them to what `Config` reads and to the
//! README's Settings table, so none can drift from another.

mod amplification;
mod declared;
mod hardening;
mod holds;
mod shared_limits;

pub use amplification::*;
pub use declared::*;
pub use hardening::*;
pub use holds::*;
pub use shared_limits::*;

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

/// Declares a setting (a `const fn`, so the declarations stay constants).
pub(super) const fn setting(
    name: &'static str,
    default: Fallback,
    meaning: &'static str,
) -> Setting {
    Setting {
        name,
        default,
        meaning,
    }
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

/// Every setting, in the order `--help` and the README list them.
pub const SETTINGS: &[Setting] = &[
    BIND,
    DATABASE_URL,
    DB_MAX_CONNECTIONS,
    JWT_SECRET,
    JWT_PUBLIC_KEY_FILE,
    JWT_ISSUER,
    JWT_AUDIENCE,
    JWT_AUDIENCE_OPTIONAL,
    JWT_ROLES_CLAIM,
    GUEST_TOKEN_SECRET,
    DEV_SECRET_FILE,
    API_KEYS,
    TAX_RATE,
    CURRENCY,
    LOCALE,
    GUEST_CART_TTL,
    USER_CART_TTL,
    EMPTY_CART_TTL,
    SWEEP_INTERVAL,
    CHECKOUT_HOLD,
    CHECKOUT_SWEEP_INTERVAL,
    CHECKOUT_PAYMENT_WINDOW,
    HOLD_MAX_CHECKOUTS,
    HOLD_MAX_SHARE,
    HOLD_COOLDOWN,
    HANDOFF_SECRET,
    NATS_URL,
    NATS_SUBJECT_PREFIX,
    NATS_STREAM,
    WEBHOOK_URL,
    WEBHOOK_SECRET,
    EVENTS_MAX_ATTEMPTS,
    EVENTS_RETRY_MIN,
    EVENTS_RETRY_MAX,
    EVENTS_LEASE,
    EVENTS_POLL_INTERVAL,
    ONE_STATEMENT_ADD,
    GROUP_COMMIT,
    COMPILED_VIEWS,
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
    RATE_DISCOUNT_CODES,
    REDIS_URL,
    REDIS_PREFIX,
    MAX_SELECTIONS,
    SHUTDOWN_GRACE,
    DRAIN_TIMEOUT,
    IDEMPOTENCY_TTL,
    LOG,
    LOG_FORMAT,
    METRICS,
    METRICS_TOKEN,
    METRICS_OPERATIONS,
    PERSISTED_DOCUMENTS,
    TRUSTED_PROXIES,
    MAX_SUBSCRIBERS,
    WS_MAX_PER_PRINCIPAL,
    WS_MAX_PER_ADDRESS,
    WS_IDLE_TIMEOUT,
    MAX_NODES,
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

        let readme = include_str!("../../README.md");
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
