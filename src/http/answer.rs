//! The one mapping from an [`AppError`] to an HTTP answer, and the GraphQL-shaped error body
//! every refusal outside execution uses. Internal causes are logged here, once; inside
//! execution, `ErrorExtensions::extend` logs them instead (the two paths never meet).

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{error::AppError, http::graphql::JSON};

/// A GraphQL-shaped error body with no `data`.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
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
