//! The one mapping from an [`AppError`] to an HTTP answer, and the GraphQL-shaped error body
//! every refusal outside execution uses. Internal causes are logged here, once; inside
//! execution, `ErrorExtensions::extend` logs them instead (the two paths never meet).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{
    error::{AppError, codes},
    http::graphql::JSON,
};

/// A GraphQL-shaped error body with no `data`.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
}

/// The `WWW-Authenticate` challenges of 401 answers (every 401 carries one, RFC 9110 §15.5.2).
pub mod challenge {
    /// A Bearer token was sent and refused: malformed, expired or wrongly signed (RFC 6750
    /// §3.1). OAuth-aware clients read `invalid_token` as "get a fresh token".
    pub const INVALID_TOKEN: &str = r#"Bearer realm="cartql", error="invalid_token""#;
    /// No Bearer token was sent (RFC 6750 §3: no error code then); the credential refused
    /// was another one, such as a malformed `X-Cart-Token`.
    pub const BEARER: &str = r#"Bearer realm="cartql""#;
    /// `X-API-Key` is missing or unknown. No registered scheme names a key header, and a
    /// Bearer challenge would send clients after a user token that cannot help.
    pub const API_KEY: &str = r#"ApiKey realm="cartql", header="X-API-Key""#;
}

/// A 401 `UNAUTHENTICATED` answer with its challenge.
pub fn unauthorized(message: &str, challenge: &'static str) -> Response {
    let mut response = error_response(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Outside execution, an `Unauthenticated` comes from the user token.
        if let AppError::Unauthenticated(message) = &self {
            return unauthorized(message, challenge::INVALID_TOKEN);
        }
        let status = match &self {
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
            AppError::InProgress => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::OutcomeUnknown => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        error_response(status, self.code(), &self.message())
    }
}
