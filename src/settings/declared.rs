//! The declarations, one per setting, in the order `--help` and the README list them.

use super::{
    Fallback::{ByEnv, Derived, Unset, Value},
    Setting, setting,
};

pub const BIND: Setting = setting("CARTQL_BIND", Value("127.0.0.1:8080"), "Listen address.");

pub const DATABASE_URL: Setting = setting(
    "DATABASE_URL",
    Value("sqlite://cartql.db?mode=rwc"),
    "sqlite://…, postgres://… or mysql://….",
);

pub const DB_MAX_CONNECTIONS: Setting = setting(
    "CARTQL_DB_MAX_CONNECTIONS",
    Value("10"),
    "Pool size (acquire timeout 3 s).",
);

pub const JWT_SECRET: Setting = setting(
    "CARTQL_JWT_SECRET",
    Unset,
    "HS256 secret for user tokens (≥ 32 characters).",
);

pub const JWT_PUBLIC_KEY_FILE: Setting = setting(
    "CARTQL_JWT_PUBLIC_KEY_FILE",
    Unset,
    "PEM public key instead: RSA → RS256, EC P-256 → ES256.",
);

pub const JWT_ISSUER: Setting = setting(
    "CARTQL_JWT_ISSUER",
    Unset,
    "When set, tokens must carry this iss.",
);

pub const JWT_AUDIENCE: Setting = setting(
    "CARTQL_JWT_AUDIENCE",
    Unset,
    "When set, tokens must carry this aud. Required in production unless CARTQL_JWT_AUDIENCE_OPTIONAL=true.",
);

pub const GUEST_TOKEN_SECRET: Setting = setting(
    "CARTQL_GUEST_TOKEN_SECRET",
    Derived,
    "Signs guest cart tokens. Defaults to a key derived from CARTQL_JWT_SECRET (or dev mode's secret); required in production with a public JWT key, and at least 32 bytes there. Changing it invalidates open guest tokens.",
);

pub const DEV_SECRET_FILE: Setting = setting(
    "CARTQL_DEV_SECRET_FILE",
    Value(".cartql-dev-secret"),
    "Where dev mode keeps its generated secret.",
);

pub const API_KEYS: Setting = setting(
    "CARTQL_API_KEYS",
    Unset,
    "Comma-separated client keys; when set, every request needs X-API-Key.",
);

pub const TAX_RATE: Setting = setting(
    "CARTQL_TAX_RATE",
    Value("0.10"),
    "Estimated tax as a fraction of the subtotal (0–1, ≤ 6 decimals).",
);

pub const CURRENCY: Setting = setting(
    "CARTQL_CURRENCY",
    Value("USD"),
    "Currency of new carts and of products given without one.",
);

pub const LOCALE: Setting = setting(
    "CARTQL_LOCALE",
    Value("en-US"),
    "Locale (BCP 47) of Money.formatted when a query gives none.",
);

pub const GUEST_CART_TTL: Setting = setting(
    "CARTQL_GUEST_CART_TTL",
    Value("30d"),
    "Guest carts expire after this long without a change (30d, 12h, 45m, 3600s).",
);

pub const USER_CART_TTL: Setting = setting(
    "CARTQL_USER_CART_TTL",
    Value("90d"),
    "Users' carts expire after this long without a change.",
);

pub const EMPTY_CART_TTL: Setting = setting(
    "CARTQL_EMPTY_CART_TTL",
    Value("1d"),
    "Either kind expires after this long while it has no lines.",
);

pub const SWEEP_INTERVAL: Setting = setting(
    "CARTQL_SWEEP_INTERVAL",
    Value("5m"),
    "How often the background sweeper closes expired carts.",
);

pub const CHECKOUT_HOLD: Setting = setting(
    "CARTQL_CHECKOUT_HOLD",
    Value("15m"),
    "How long beginCheckout holds a cart's stock (and promotion uses) for the order system; then the hold is released and the cart reopens.",
);

pub const CHECKOUT_SWEEP_INTERVAL: Setting = setting(
    "CARTQL_CHECKOUT_SWEEP_INTERVAL",
    Value("15s"),
    "How often expired checkout holds are released.",
);

pub const HANDOFF_SECRET: Setting = setting(
    "CARTQL_HANDOFF_SECRET",
    Derived,
    "Signs checkout handoff tokens (HS256); share it with the order system that verifies them. Defaults to a key derived from the guest-token key, which no order system knows: set it when one verifies tokens. At least 32 bytes in production.",
);

pub const NATS_URL: Setting = setting(
    "CARTQL_NATS_URL",
    Unset,
    "NATS server for events out (JetStream), e.g. nats://127.0.0.1:4222. On SQLite and MySQL it also carries cartUpdated between instances.",
);

pub const NATS_SUBJECT_PREFIX: Setting = setting(
    "CARTQL_NATS_SUBJECT_PREFIX",
    Value("cartql.cart"),
    "Events are published on <prefix>.<kind>, e.g. cartql.cart.ADDED.",
);

pub const NATS_STREAM: Setting = setting(
    "CARTQL_NATS_STREAM",
    Value("CARTQL-EVENTS"),
    "The JetStream stream over <prefix>.>, created when missing.",
);

pub const WEBHOOK_URL: Setting = setting(
    "CARTQL_WEBHOOK_URL",
    Unset,
    "POSTs every event here as JSON, signed with CARTQL_WEBHOOK_SECRET.",
);

pub const WEBHOOK_SECRET: Setting = setting(
    "CARTQL_WEBHOOK_SECRET",
    Unset,
    "HMAC-SHA256 key of the X-Cartql-Signature header (≥ 32 characters); required with CARTQL_WEBHOOK_URL.",
);

pub const EVENTS_MAX_ATTEMPTS: Setting = setting(
    "CARTQL_EVENTS_MAX_ATTEMPTS",
    Value("10"),
    "Failed deliveries in a row after which a cart's events park for a sink until cartql events redrive.",
);

pub const EVENTS_RETRY_MIN: Setting = setting(
    "CARTQL_EVENTS_RETRY_MIN",
    Value("1s"),
    "Wait after a first failed delivery; it doubles with each failure in a row.",
);

pub const EVENTS_RETRY_MAX: Setting = setting(
    "CARTQL_EVENTS_RETRY_MAX",
    Value("5m"),
    "The longest wait between delivery attempts.",
);

pub const EVENTS_LEASE: Setting = setting(
    "CARTQL_EVENTS_LEASE",
    Value("30s"),
    "How long an instance holds a cart's deliveries to a sink; a third of it bounds each attempt. After a crash, that cart's events resume once it runs out.",
);

pub const EVENTS_POLL_INTERVAL: Setting = setting(
    "CARTQL_EVENTS_POLL_INTERVAL",
    Value("1s"),
    "How often an idle instance looks for events other instances committed (its own wake it at once).",
);

pub const ONE_STATEMENT_ADD: Setting = setting(
    "CARTQL_ONE_STATEMENT_ADD",
    Value("true"),
    "PostgreSQL: the common addToCart (open cart, no rule, nothing to cut) runs as one statement; false always runs the general transaction (same outcomes, more round trips).",
);

pub const GROUP_COMMIT: Setting = setting(
    "CARTQL_GROUP_COMMIT",
    Value("true"),
    "SQLite: concurrent cart mutations share one transaction, each in a savepoint of its own, and one COMMIT; false gives each its own transaction. Other databases always do.",
);

pub const COMPILED_VIEWS: Setting = setting(
    "CARTQL_COMPILED_VIEWS",
    Value("true"),
    "Cart views (cart, cartSummary) answered by a plan compiled once per document, the same answer async-graphql gives at a fraction of the CPU; false always runs async-graphql. Off while CARTQL_RESOLVER_SPANS is on.",
);

pub const RETENTION: Setting = setting(
    "CARTQL_RETENTION",
    Value("30d"),
    "How long soft-deleted and expired rows stay before cartql purge removes them.",
);

pub const MAX_LINES: Setting = setting("CARTQL_MAX_LINES", Value("250"), "Lines per cart.");

pub const MAX_LINE_QUANTITY: Setting = setting(
    "CARTQL_MAX_LINE_QUANTITY",
    Value("999"),
    "Quantity per line.",
);

pub const MAX_ATTRIBUTES: Setting =
    setting("CARTQL_MAX_ATTRIBUTES", Value("20"), "Attributes per line.");

pub const DEMO_CATALOG: Setting = setting(
    "CARTQL_DEMO_CATALOG",
    ByEnv {
        dev: "true",
        prod: "false",
    },
    "Load the demo catalog, promotions and rates when the catalog is empty (never into a production database unless set to true).",
);

pub const ENV: Setting = setting(
    "CARTQL_ENV",
    Value("development"),
    "production requires a JWT key and CARTQL_JWT_AUDIENCE, refuses secrets shorter than 32 bytes, turns off GraphiQL, introspection and \"did you mean\" suggestions, and tightens the defaults marked dev/prod.",
);

pub const CORS_ORIGINS: Setting = setting(
    "CARTQL_CORS_ORIGINS",
    Unset,
    "Comma-separated browser origins allowed to call (e.g. https://shop.example); without it no CORS headers are sent.",
);

pub const MAX_IN_FLIGHT: Setting = setting(
    "CARTQL_MAX_IN_FLIGHT",
    ByEnv {
        dev: "512",
        prod: "256",
    },
    "Requests handled at once; beyond it requests are shed at once with 503 and Retry-After: 1.",
);

pub const REQUEST_TIMEOUT: Setting = setting(
    "CARTQL_REQUEST_TIMEOUT",
    Value("10s"),
    "Longest a GraphQL request may take (503 after). Health probes get 1 s.",
);

pub const RATE_MUTATIONS: Setting = setting(
    "CARTQL_RATE_MUTATIONS",
    ByEnv {
        dev: "600",
        prod: "120",
    },
    "Mutations per minute per caller (user, guest token, or client address when anonymous); 429 with Retry-After beyond.",
);

pub const RATE_NEW_CARTS: Setting = setting(
    "CARTQL_RATE_NEW_CARTS",
    ByEnv {
        dev: "120",
        prod: "20",
    },
    "Guest carts opened per minute per client address.",
);

pub const RATE_DISCOUNT_CODES: Setting = setting(
    "CARTQL_RATE_DISCOUNT_CODES",
    Value("10"),
    "Unknown discount codes a caller, and separately a client address (IPv6: its /64), may enter in 10 minutes; beyond it every code it enters is refused with RATE_LIMITED until the window passes (no code enumeration).",
);

pub const MAX_SELECTIONS: Setting = setting(
    "CARTQL_MAX_SELECTIONS",
    ByEnv {
        dev: "5000",
        prod: "2000",
    },
    "Fields a document may select once its fragments are expanded.",
);

pub const SHUTDOWN_GRACE: Setting = setting(
    "CARTQL_SHUTDOWN_GRACE",
    ByEnv {
        dev: "0",
        prod: "5s",
    },
    "After SIGTERM, how long /readyz answers 503 while requests are still served (so a load balancer stops routing first).",
);

pub const DRAIN_TIMEOUT: Setting = setting(
    "CARTQL_DRAIN_TIMEOUT",
    Value("20s"),
    "Then, how long in-flight requests get to finish before the process exits.",
);

pub const IDEMPOTENCY_TTL: Setting = setting(
    "CARTQL_IDEMPOTENCY_TTL",
    Value("24h"),
    "How long an Idempotency-Key and its stored reply are kept.",
);

pub const LOG: Setting = setting(
    "CARTQL_LOG",
    Value("info"),
    "Log filter (tracing syntax, e.g. cartql=debug).",
);

pub const LOG_FORMAT: Setting = setting(
    "CARTQL_LOG_FORMAT",
    ByEnv {
        dev: "text",
        prod: "json",
    },
    "json: one JSON object per line, with the request's span (its x-request-id) on every event.",
);

pub const METRICS: Setting = setting(
    "CARTQL_METRICS",
    Value("true"),
    "Serve Prometheus metrics on GET /metrics (see Observability).",
);

pub const METRICS_TOKEN: Setting = setting(
    "CARTQL_METRICS_TOKEN",
    Unset,
    "When set, /metrics requires Authorization: Bearer <token>.",
);

pub const PERSISTED_DOCUMENTS: Setting = setting(
    "CARTQL_PERSISTED_DOCUMENTS",
    Unset,
    "A manifest ({\"<sha256>\": \"<document>\"}, as graphql-codegen's client preset writes it): only its documents run (see Persisted queries).",
);

pub const TRUSTED_PROXIES: Setting = setting(
    "CARTQL_TRUSTED_PROXIES",
    Unset,
    "Comma-separated reverse-proxy addresses whose X-Forwarded-For names the client (for the per-address rate limits).",
);

pub const MAX_SUBSCRIBERS: Setting = setting(
    "CARTQL_MAX_SUBSCRIBERS",
    Value("4096"),
    "WebSocket connections (cartUpdated) open at once; more are refused with 503 and Retry-After: 5 before the upgrade.",
);

pub const FEDERATION: Setting = setting(
    "CARTQL_FEDERATION",
    Value("false"),
    "Serve as an Apollo Federation v2 subgraph (see Apollo Federation).",
);

pub const RESOLVER_SPANS: Setting = setting(
    "CARTQL_RESOLVER_SPANS",
    Value("false"),
    "A tracing span per resolved field, for an OpenTelemetry exporter (costs a span per field).",
);
