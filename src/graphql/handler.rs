//! The HTTP face of the GraphQL API.
//!
//! The handler reads the body itself instead of using async-graphql-axum's extractor, which
//! would accept JSON batches, JSON sent as `text/plain`, and mutations over GET, and would
//! answer malformed JSON with debug text. Here: POST with `application/json` and one
//! operation; GET serves GraphiQL. Every error body is GraphQL-shaped with
//! `extensions.code`.

use async_graphql::http::GraphiQLSource;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{error::AppError, graphql::loaders, startup::AppState};

/// `POST /graphql`: one GraphQL operation as JSON.
pub async fn graphql(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if !state.auth.api_key_ok(&headers) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "a valid X-API-Key header is required",
        );
    }
    if !is_json(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send the operation as JSON with Content-Type: application/json",
        );
    }
    let request = match parse_request(&body) {
        Ok(request) => request,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message),
    };
    let viewer = match state.auth.viewer(&headers) {
        Ok(viewer) => viewer,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, err.code(), &err.message()),
    };
    let request = request
        .data(viewer)
        .data(loaders::loaders(state.db.clone()));
    let response = state.schema.execute(request).await;
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    code_uncoded_errors(&mut body);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `GET /graphql`: GraphiQL, pointed at this endpoint.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("cartql")
            .finish(),
    )
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// One operation; batches (JSON arrays) and malformed JSON are refused without echoing the
/// parser's internals.
fn parse_request(body: &[u8]) -> Result<async_graphql::Request, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "the body is not valid JSON")?;
    if value.is_array() {
        return Err("batched operations are not supported; send one operation per request");
    }
    serde_json::from_value(value)
        .map_err(|_| "the body must be a GraphQL request: {\"query\": \"…\", \"variables\": {…}}")
}

/// Errors that reach the client without a code come from parsing, validation or input
/// coercion, before any resolver ran: they are the client's fault.
fn code_uncoded_errors(body: &mut Value) {
    let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) else {
        return;
    };
    for error in errors {
        let Some(object) = error.as_object_mut() else {
            continue;
        };
        let extensions = object.entry("extensions").or_insert_with(|| json!({}));
        if let Some(ext) = extensions.as_object_mut() {
            ext.entry("code").or_insert_with(|| json!("BAD_USER_INPUT"));
        }
    }
}

/// A GraphQL-shaped error body with no `data`.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self {
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, self.code(), &self.message())
    }
}
