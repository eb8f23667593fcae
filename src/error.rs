//! One error type for the service, classified by whose fault it is. Its message is safe to
//! show to a client; internal causes are logged once (with the request's span, which carries
//! the request id) and replaced by a generic message.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts any
//! `Display` type into an error without a code, and that path must not exist. The only way
//! to a GraphQL error is [`ErrorExtensions::extend`], which attaches `extensions.code`.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr};

/// The top-level `extensions.code` strings clients branch on, each written once. (Business
/// outcomes are `CartErrorCode`/`CartWarningCode` values in payloads, not these.)
pub mod codes {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    pub const IDEMPOTENCY_IN_PROGRESS: &str = "IDEMPOTENCY_IN_PROGRESS";
    pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    pub const PERSISTED_QUERY_NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";
}

#[derive(Debug)]
pub enum AppError {
    /// The credentials are missing where required, malformed, expired or wrongly signed.
    Unauthenticated(&'static str),
    /// The caller is known but lacks the role for this operation.
    Forbidden,
    /// The request is well-formed GraphQL but its values are unusable.
    BadUserInput(String),
    /// A copy of this request (same `Idempotency-Key`) is still being applied.
    InProgress,
    /// The database cannot be reached; the client should retry shortly. Nothing was changed.
    Unavailable,
    /// The connection broke while committing: the change may or may not have been applied.
    /// A retry with the same `Idempotency-Key` finds out and answers exactly once.
    OutcomeUnknown,
    /// The caller entered too many unknown discount codes lately; retry after this many
    /// seconds.
    TooManyAttempts(u64),
    /// Something broke on our side; the cause is logged, never sent.
    Internal(anyhow::Error),
}

impl AppError {
    /// The `extensions.code` clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => codes::UNAUTHENTICATED,
            Self::Forbidden => codes::FORBIDDEN,
            Self::BadUserInput(_) => codes::BAD_USER_INPUT,
            Self::InProgress => codes::IDEMPOTENCY_IN_PROGRESS,
            Self::Unavailable => codes::SERVICE_UNAVAILABLE,
            Self::OutcomeUnknown => codes::OUTCOME_UNKNOWN,
            Self::TooManyAttempts(_) => codes::RATE_LIMITED,
            Self::Internal(_) => codes::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client may see.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(message) => (*message).to_owned(),
            Self::Forbidden => "this operation needs the admin role".to_owned(),
            Self::BadUserInput(message) => message.clone(),
            Self::InProgress => {
                "a request with this Idempotency-Key is still being applied; retry shortly"
                    .to_owned()
            }
            Self::Unavailable => "the database is unavailable; retry shortly".to_owned(),
            Self::OutcomeUnknown => "the database connection broke while the change was being \
                committed: it may or may not have been applied; retry with the same \
                Idempotency-Key to find out (without one, read the cart before retrying)"
                .to_owned(),
            Self::TooManyAttempts(seconds) => format!(
                "too many unknown discount codes from this caller; try again in {seconds} s"
            ),
            Self::Internal(_) => "internal server error".to_owned(),
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if is_unreachable(&error) {
            tracing::warn!(error = %error, "the database is unreachable");
            return Self::Unavailable;
        }
        Self::Internal(error.into())
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        async_graphql::Error::new(self.message()).extend_with(|_, ext| ext.set("code", self.code()))
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        error.extend()
    }
}

impl From<AppError> for anyhow::Error {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Internal(cause) => cause,
            other => anyhow::anyhow!(other.message()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// True when the error says the database could not be reached at all (no connection from the
/// pool, a refused or broken connection), as opposed to a failing statement.
pub fn is_unreachable(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(sqlx_err) => matches!(
            sqlx_err.as_ref(),
            sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::Protocol(_)
                | sea_orm::sqlx::Error::Tls(_)
                | sea_orm::sqlx::Error::WorkerCrashed
        ),
        _ => matches!(err, DbErr::Conn(_)),
    }
}
