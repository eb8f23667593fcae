//! The `Idempotency-Key` header: claiming a key for a mutation, and answering copies.
//!
//! A key row becomes visible only when its mutation has committed, so a copy that finds one
//! without a reply waits briefly for the first execution to store it, and otherwise runs the
//! mutation again: the claim is taken, and the mutation answers from the committed record
//! instead of acting (`service::idempotency`).

use async_graphql::Request;
use axum::{
    http::{HeaderMap, HeaderName, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{
    auth::Viewer,
    error::codes,
    http::HttpState,
    service::idempotency::{self, Claim, KeyOwner, KeyState},
};

use crate::http::answer::error_response;

/// How often, and how many times, a copy looks for the reply of an execution that has
/// committed but not yet stored its reply, before answering from the record itself.
const REPLY_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(25);
const REPLY_POLLS: usize = 20;

/// The request's claim on its `Idempotency-Key`, if it sent one with a mutation.
/// `mutation_fields` is how many root fields the operation runs: a key covers one.
pub(super) fn idempotency_claim(
    state: &HttpState,
    headers: &HeaderMap,
    mutation_fields: Option<usize>,
    viewer: &Viewer,
    request: &Request,
) -> Result<Option<Claim>, &'static str> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let Some(fields) = mutation_fields else {
        return Ok(None);
    };
    if fields != 1 {
        return Err("an Idempotency-Key covers exactly one mutation field; send one per request");
    }
    // The request's identity: the document, the operation and the (key-sorted) variables.
    let fingerprint = json!({
        "query": request.query,
        "operationName": request.operation_name,
        "variables": serde_json::to_value(&request.variables).unwrap_or_default(),
    })
    .to_string();
    let owner = match viewer {
        Viewer::Anonymous => KeyOwner::Anonymous,
        known => KeyOwner::Caller(known.principal()),
    };
    let key = raw
        .to_str()
        .map_err(|_| idempotency::KeyError::Malformed.message())?;
    Claim::new(
        &state.idempotency_seal,
        owner,
        key,
        fingerprint.as_bytes(),
        state.idempotency_ttl,
    )
    .map(Some)
    .map_err(idempotency::KeyError::message)
}

/// A stored reply, marked as replayed.
pub(super) fn replay(reply: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (HeaderName::from_static("idempotent-replayed"), "true"),
        ],
        reply,
    )
        .into_response()
}

/// A key used for a different request.
pub(super) fn reused() -> Response {
    error_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        codes::IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was used for a different request",
    )
}

/// Waits a little for the reply of a committed execution; `None` if it does not appear (the
/// caller then answers from the committed record).
pub(super) async fn stored_reply(state: &HttpState, claim: &Claim) -> Option<String> {
    for _ in 0..REPLY_POLLS {
        match idempotency::state(&state.db, claim).await {
            Ok(KeyState::Answered(reply)) => return Some(reply),
            Ok(KeyState::Committed) => tokio::time::sleep(REPLY_POLL_INTERVAL).await,
            Ok(KeyState::Fresh | KeyState::Mismatch) | Err(_) => return None,
        }
    }
    None
}
