//! The list of settings `cartql --help` prints. A test holds it to the variables `Config`
//! reads and to the README's Settings table, so the three cannot drift apart.

/// Every setting: its variable, its default (dev / production where they differ) and what it
/// does. `cartql --help` prints it; a test holds it to what `Config` reads and to the README.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    ("CARTQL_BIND", "127.0.0.1:8080", "Listen address."),
    (
        "DATABASE_URL",
        "sqlite://cartql.db?mode=rwc",
        "sqlite://…, postgres://… or mysql://….",
    ),
    (
        "CARTQL_DB_MAX_CONNECTIONS",
        "10",
        "Pool size (acquire timeout 3 s).",
    ),
    (
        "CARTQL_JWT_SECRET",
        "—",
        "HS256 secret for user tokens (≥ 32 characters).",
    ),
    (
        "CARTQL_JWT_PUBLIC_KEY_FILE",
        "—",
        "PEM public key instead: RSA → RS256, EC P-256 → ES256.",
    ),
    (
        "CARTQL_JWT_ISSUER",
        "—",
        "When set, tokens must carry this iss.",
    ),
    (
        "CARTQL_JWT_AUDIENCE",
        "—",
        "When set, tokens must carry this aud.",
    ),
    (
        "CARTQL_GUEST_TOKEN_SECRET",
        "derived",
        "Signs guest cart tokens. Defaults to a key derived from CARTQL_JWT_SECRET (or dev mode's secret); required in production with a public JWT key. Changing it invalidates open guest tokens.",
    ),
    (
        "CARTQL_DEV_SECRET_FILE",
        ".cartql-dev-secret",
        "Where dev mode keeps its generated secret.",
    ),
    (
        "CARTQL_API_KEYS",
        "—",
        "Comma-separated client keys; when set, every request needs X-API-Key.",
    ),
    (
        "CARTQL_TAX_RATE",
        "0.10",
        "Estimated tax as a fraction of the subtotal (0–1, ≤ 6 decimals).",
    ),
    (
        "CARTQL_CURRENCY",
        "USD",
        "Currency of new carts and of products given without one.",
    ),
    (
        "CARTQL_GUEST_CART_TTL",
        "30d",
        "Guest carts expire after this long without a change (30d, 12h, 45m, 3600s).",
    ),
    (
        "CARTQL_USER_CART_TTL",
        "90d",
        "Users' carts expire after this long without a change.",
    ),
    (
        "CARTQL_EMPTY_CART_TTL",
        "1d",
        "Either kind expires after this long while it has no lines.",
    ),
    (
        "CARTQL_SWEEP_INTERVAL",
        "5m",
        "How often the background sweeper closes expired carts.",
    ),
    (
        "CARTQL_RETENTION",
        "30d",
        "How long soft-deleted and expired rows stay before cartql purge removes them.",
    ),
    ("CARTQL_MAX_LINES", "250", "Lines per cart."),
    ("CARTQL_MAX_LINE_QUANTITY", "999", "Quantity per line."),
    ("CARTQL_MAX_ATTRIBUTES", "20", "Attributes per line."),
    (
        "CARTQL_DEMO_CATALOG",
        "true",
        "Load the demo catalog when the catalog is empty.",
    ),
    (
        "CARTQL_ENV",
        "development",
        "production requires a JWT key, turns off GraphiQL, introspection and \"did you mean\" suggestions, and tightens the defaults marked dev/prod.",
    ),
    (
        "CARTQL_CORS_ORIGINS",
        "—",
        "Comma-separated browser origins allowed to call (e.g. https://shop.example); without it no CORS headers are sent.",
    ),
    (
        "CARTQL_MAX_IN_FLIGHT",
        "512 / 256",
        "Requests handled at once; beyond it requests are shed at once with 503 and Retry-After: 1.",
    ),
    (
        "CARTQL_REQUEST_TIMEOUT",
        "10s",
        "Longest a GraphQL request may take (503 after). Health probes get 1 s.",
    ),
    (
        "CARTQL_RATE_MUTATIONS",
        "600 / 120",
        "Mutations per minute per caller (user, guest token, or client address when anonymous); 429 with Retry-After beyond.",
    ),
    (
        "CARTQL_RATE_NEW_CARTS",
        "120 / 20",
        "Guest carts opened per minute per client address.",
    ),
    (
        "CARTQL_MAX_SELECTIONS",
        "5000 / 2000",
        "Fields a document may select once its fragments are expanded.",
    ),
    (
        "CARTQL_SHUTDOWN_GRACE",
        "0 / 5s",
        "After SIGTERM, how long /readyz answers 503 while requests are still served (so a load balancer stops routing first).",
    ),
    (
        "CARTQL_DRAIN_TIMEOUT",
        "20s",
        "Then, how long in-flight requests get to finish before the process exits.",
    ),
    (
        "CARTQL_IDEMPOTENCY_TTL",
        "24h",
        "How long an Idempotency-Key and its stored reply are kept.",
    ),
    (
        "CARTQL_LOG",
        "info",
        "Log filter (tracing syntax, e.g. cartql=debug).",
    ),
    (
        "CARTQL_LOG_FORMAT",
        "text / json",
        "json: one JSON object per line, with the request's span (its x-request-id) on every event.",
    ),
    (
        "CARTQL_METRICS",
        "true",
        "Serve Prometheus metrics on GET /metrics (see Observability).",
    ),
    (
        "CARTQL_METRICS_TOKEN",
        "—",
        "When set, /metrics requires Authorization: Bearer <token>.",
    ),
    (
        "CARTQL_PERSISTED_DOCUMENTS",
        "—",
        "A manifest ({\"<sha256>\": \"<document>\"}, as graphql-codegen's client preset writes it): only its documents run (see Persisted queries).",
    ),
    (
        "CARTQL_TRUSTED_PROXIES",
        "—",
        "Comma-separated reverse-proxy addresses whose X-Forwarded-For names the client (for the per-address rate limits).",
    ),
    (
        "CARTQL_MAX_SUBSCRIBERS",
        "4096",
        "WebSocket connections (cartUpdated) open at once; more are refused with 503 and Retry-After: 5 before the upgrade.",
    ),
    (
        "CARTQL_FEDERATION",
        "false",
        "Serve as an Apollo Federation v2 subgraph (see Apollo Federation).",
    ),
    (
        "CARTQL_RESOLVER_SPANS",
        "false",
        "A tracing span per resolved field, for an OpenTelemetry exporter (costs a span per field).",
    ),
];

/// The settings as help text: one entry per variable, its default, and what it does.
pub fn help_text() -> String {
    let mut text = String::from(
        "Settings (environment variables, also read from ./.env; \"dev / prod\" defaults differ by CARTQL_ENV):\n",
    );
    for (name, default, meaning) in SETTINGS {
        text.push_str(&format!(
            "\n  {name} (default: {default})\n      {meaning}\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

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
        let listed: BTreeSet<String> = SETTINGS
            .iter()
            .map(|(name, _, _)| (*name).to_owned())
            .filter(|name| name.starts_with("CARTQL_"))
            .collect();
        let mut read = variables(include_str!("config.rs"));
        read.extend(variables(include_str!("main.rs")));
        assert_eq!(listed, read, "settings read vs listed");

        let readme = include_str!("../README.md");
        let table = &readme[readme.find("## Settings").expect("a Settings section")..];
        let table = &table[..table.find("\n## ").unwrap_or(table.len())];
        assert_eq!(
            listed,
            variables(table),
            "settings listed vs the README's table"
        );
    }
}
