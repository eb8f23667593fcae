//! The HTTP face of the GraphQL API.
//!
//! The handler reads the body itself instead of using async-graphql-axum's extractor, which
//! would accept JSON batches, JSON sent as `text/plain`, and mutations over GET, and would
//! answer malformed JSON with debug text. Here: POST with `application/json` and one
//! operation; GET serves GraphiQL. Every error body is GraphQL-shaped with
//! `extensions.code`.

use std::net::SocketAddr;

use async_graphql::{
    Request, ServerError,
    http::GraphiQLSource,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    },
};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, RawQuery, State},
    http::{Extensions, HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{
    auth::Viewer,
    error::AppError,
    graphql::{guard, loaders},
    http::rate_limit::caller_key,
    service::idempotency::{self, Claim, KeyState},
    startup::AppState,
};

/// How often, and how many times, a copy of an idempotent request looks for the first
/// copy's reply before answering 409.
const REPLY_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(25);
const REPLY_POLLS: usize = 200;

/// `POST /graphql`: one GraphQL operation as JSON.
pub async fn graphql(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    let mut request = match parse_request(&body) {
        Ok(request) => request,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message),
    };
    let viewer = match state.auth.viewer(&headers) {
        Ok(viewer) => viewer,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, err.code(), &err.message()),
    };
    // Parse once, here: the guard and the rate limits read the document, and execution
    // reuses it.
    let operation_name = request.operation_name.clone();
    let document = match request.parsed_query() {
        Ok(document) => document,
        Err(err) => return graphql_errors(vec![err]),
    };
    if let Err(refusal) = guard::check(document, state.document_limits) {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &refusal.message(),
        );
    }
    let address = client_address(&extensions);
    let operation = selected_operation(document, operation_name.as_deref());
    let is_mutation = operation.is_some_and(|op| op.ty == OperationType::Mutation);
    if is_mutation && let Some(wait) = rate_limited(&state, operation, &viewer, &address) {
        return too_many_requests(wait);
    }
    let claim = match idempotency_claim(&state, &headers, is_mutation, &viewer, &address, &request)
    {
        Ok(claim) => claim,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message),
    };
    if let Some(claim) = &claim {
        match idempotency::state(&state.db, claim).await {
            Ok(KeyState::Fresh) => {}
            Ok(other) => return answer_known_key(&state, claim, other).await,
            Err(err) => return err.into_response(),
        }
    }

    let mut request = request
        .data(viewer)
        .data(loaders::loaders(state.db.clone()));
    if let Some(claim) = &claim {
        request = request.data(claim.clone());
    }
    let response = state.schema.execute(request).await;
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    code_uncoded_errors(&mut body);
    let body = body.to_string();
    if let Some(claim) = &claim {
        // Another copy claimed the key first: answer with its reply.
        if body.contains("\"IDEMPOTENCY_IN_PROGRESS\"") {
            return answer_known_key(&state, claim, KeyState::Pending).await;
        }
        if let Err(err) = idempotency::store_reply(&state.db, claim, &body).await {
            tracing::error!(error = ?err, "could not store the reply of an idempotent request");
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The operation a request will run: the only one, or the one named.
fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        // An ambiguous choice is refused by execution.
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The request's claim on its `Idempotency-Key`, if it sent one with a mutation.
fn idempotency_claim(
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
async fn answer_known_key(state: &AppState, claim: &Claim, mut known: KeyState) -> Response {
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

/// `GET /graphql`: GraphiQL (off in production). Operations are never executed over GET, so
/// a link or an image tag cannot trigger a mutation.
pub async fn graphiql(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    if query.is_some_and(|q| q.split('&').any(|pair| pair.starts_with("query="))) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "send GraphQL operations with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if !state.graphiql {
        return error_response(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "GraphiQL is off in production",
        );
    }
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("cartql")
            .finish(),
    )
    .into_response()
}

/// The client's socket address, when the server knows it (tests drive the router directly).
fn client_address(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Applies the mutation and new-cart allowances to a mutation about to run.
fn rate_limited(
    state: &AppState,
    operation: Option<&OperationDefinition>,
    viewer: &Viewer,
    address: &str,
) -> Option<std::time::Duration> {
    if let Err(wait) = state.rate.mutation(viewer, address) {
        return Some(wait);
    }
    let user = matches!(viewer, Viewer::User(_));
    let opens_guest_cart =
        operation?
            .selection_set
            .node
            .items
            .iter()
            .any(|item| match &item.node {
                Selection::Field(field) => match field.node.name.node.as_str() {
                    "createCart" => !user,
                    "addToCart" => matches!(viewer, Viewer::Anonymous),
                    _ => false,
                },
                _ => false,
            });
    if opens_guest_cart {
        return state.rate.new_cart(address).err();
    }
    None
}

fn too_many_requests(wait: std::time::Duration) -> Response {
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "too many requests; retry after the time in Retry-After",
    );
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A parse failure, shaped like any GraphQL error response.
fn graphql_errors(errors: Vec<ServerError>) -> Response {
    let mut body = json!({ "errors": errors });
    code_uncoded_errors(&mut body);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
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
fn parse_request(body: &[u8]) -> Result<Request, &'static str> {
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
            AppError::InProgress => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, self.code(), &self.message())
    }
}
