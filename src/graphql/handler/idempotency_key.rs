//! The `Idempotency-Key` header: claiming a key for a mutation, and answering copies.

use async_graphql::Request;
use axum::{
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{
    auth::Viewer,
    error::AppError,
    http::rate_limit::caller_key,
    service::idempotency::{self, Claim, KeyState},
    startup::AppState,
};

use super::error_response;

/// How often, and how many times, a copy of an idempotent request looks for the first
/// copy's reply before answering 409.
const REPLY_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(25);
const REPLY_POLLS: usize = 200;

/// The request's claim on its `Idempotency-Key`, if it sent one with a mutation.
pub(super) fn idempotency_claim(
    state: &AppState,
    headers: &HeaderMap,
    is_mutation: bool,
    viewer: &Viewer,
    address: &str,
    request: &Request,
) -> Result<Option<Claim>, &'static str> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    if !is_mutation {
        return Ok(None);
    }
    // The request's identity: the document, the operation and the (key-sorted) variables.
    let fingerprint = json!({
        "query": request.query,
        "operationName": request.operation_name,
        "variables": serde_json::to_value(&request.variables).unwrap_or_default(),
    })
    .to_string();
    raw.to_str()
        .ok()
        .and_then(|key| {
            Claim::new(
                caller_key(viewer, address),
                key,
                fingerprint.as_bytes(),
                state.idempotency_ttl,
            )
        })
        .map(Some)
        .ok_or("an Idempotency-Key is 1–255 printable ASCII characters")
}

/// Answers a request whose key is known: replay the stored reply, refuse a reused key, or
/// wait a little for the first copy to finish.
pub(super) async fn answer_known_key(
    state: &AppState,
    claim: &Claim,
    mut known: KeyState,
) -> Response {
    for _ in 0..REPLY_POLLS {
        match known {
            KeyState::Answered(reply) => {
                return (
                    StatusCode::OK,
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (HeaderName::from_static("idempotent-replayed"), "true"),
                    ],
                    reply,
                )
                    .into_response();
            }
            KeyState::Mismatch => {
                return error_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used for a different request",
                );
            }
            KeyState::Pending | KeyState::Fresh => {
                tokio::time::sleep(REPLY_POLL_INTERVAL).await;
                known = match idempotency::state(&state.db, claim).await {
                    Ok(state) => state,
                    Err(err) => return err.into_response(),
                };
            }
        }
    }
    let mut response = AppError::InProgress.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
