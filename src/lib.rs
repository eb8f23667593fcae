//! cartql: a GraphQL shopping-cart service.

/// Who is calling: JWT users, guest cart tokens, API keys.
pub mod auth;
/// The command line: serve, migrate, seed, token, schema, purge.
pub mod cli;
/// Every setting, from the environment.
pub mod config;
/// Connecting per backend, write transactions and their retries.
pub mod db;
/// Checked domain types: quantities, money, attributes, ids.
pub mod domain;
/// sea-orm entities, one per table.
pub mod entity;
/// The one error type and its codes.
pub mod error;
/// Events out: the outbox delivered to NATS JetStream and signed webhooks.
pub mod events;
/// Entry points of the coverage-guided fuzz targets (`fuzz/`).
pub mod fuzzing;
/// The GraphQL schema, document bounds and caches, loaders and types.
pub mod graphql;
/// The HTTP stack: routes, tower layers, and GraphQL over HTTP and WebSocket.
pub mod http;
/// Rate limits and miss counters: GCRA buckets per process, or shared by instances in Redis.
pub mod limits;
/// Live carts: change announcements for `cartUpdated`, across instances (PostgreSQL, NATS).
pub mod live;
/// Log output: text or JSON lines, colours only on a terminal.
pub mod logging;
/// Prometheus metrics: what is recorded and how `/metrics` renders it.
pub mod metrics;
/// Readying the database at start under a lock: migrations and the demo data.
pub mod prepare;
/// Cart and catalog rules and persistence.
pub mod service;
/// Every setting with its default, for `cartql --help`.
pub mod settings;
/// `build_app`: assembling the service.
pub mod startup;
/// What the handlers share for the life of the process.
pub mod state;

pub use config::Config;
pub use startup::{App, build_app, build_app_on};
