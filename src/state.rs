//! What the request handlers share for the life of the process: the database, the schema,
//! authentication and the caches of documents and replies. Transport concerns (rate limits,
//! the GraphiQL page, WebSocket slots) are the HTTP layer's own (`http::HttpState`), so this
//! module depends on no transport.

use std::{
    sync::{Arc, atomic::AtomicBool},
    time::Duration,
};

use sea_orm::DatabaseConnection;

use crate::{
    auth::Authenticator,
    db,
    graphql::{
        ServiceSchema, compiled::CompiledViews, documents::DocumentCache,
        expansion::DocumentLimits, persisted::PersistedQueries,
    },
    limits::Limits,
    service::idempotency::IdempotencySeal,
};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: ServiceSchema,
    /// The same schema with the deeper limits introspection needs (none in production,
    /// where introspection is off).
    pub introspection_schema: Option<ServiceSchema>,
    pub auth: Authenticator,
    pub document_limits: DocumentLimits,
    /// Set once shutdown begins: `/readyz` then answers 503.
    pub draining: Arc<AtomicBool>,
    /// How long idempotency keys are kept.
    pub idempotency_ttl: Duration,
    /// Hashes idempotency keys and seals their replies.
    pub idempotency_seal: IdempotencySeal,
    /// Whether the database answered its last probe.
    pub db_health: Arc<db::DbHealth>,
    /// Parsed documents of recent requests.
    pub documents: Arc<DocumentCache>,
    /// SQLite's group commit for cart mutations, when it is on (its counts are read by tests).
    pub group_commit: Option<Arc<db::GroupCommit>>,
    /// The compiled path for cart views; `None` when it is off.
    pub compiled_views: Option<CompiledViews>,
    /// Automatic persisted queries, and the manifest of persisted-documents-only mode.
    pub persisted: Arc<PersistedQueries>,
    /// The buckets of every rate limit and miss counter (per process, or shared in Redis).
    pub limits: Limits,
}
