//! The HTTP face of the GraphQL API.
//!
//! The handlers read requests themselves instead of using async-graphql-axum's extractor,
//! which would accept JSON batches, JSON sent as `text/plain`, and mutations over GET, and
//! would answer malformed JSON with debug text. Here, following GraphQL over HTTP: POST with
//! `application/json` and one operation; GET with the operation in the URL for queries only
//! (without one, GET serves GraphiQL); replies as `application/graphql-response+json` to
//! clients that accept it and `application/json` otherwise (`media`). Every error body is
//! GraphQL-shaped with `extensions.code`.
//!
//! Before execution the handler parses the document once and applies, in order: the
//! fragment-expansion guard, the rate limits (`limits`), and the `Idempotency-Key`
//! (`idempotency_key`).

use std::time::Instant;

use async_graphql::{
    Executor as _, Request, ServerError,
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType},
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State, rejection::BytesRejection},
    http::{Extensions, HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{
    error::AppError,
    error::codes,
    graphql::{Executor, bounds::BoundsError, guard, introspection, loaders},
    http::HttpState,
    http::client_ip::client_address,
    service::idempotency::{self, KeyState},
};

mod get_request;
mod idempotency_key;
mod limits;
mod media;

use crate::graphql::root_fields::root_field_names;
mod ws;
mod ws_session;

use crate::graphql::documents::DocumentError;
use crate::graphql::persisted::PersistedError;
use idempotency_key::{idempotency_claim, replay, reused, stored_reply};
use limits::{rate_limited, too_many_requests};
pub use media::{JSON, Media};
pub use ws::graphql_ws;

/// `POST /graphql`: one GraphQL operation as JSON.
pub async fn graphql(
    State(state): State<HttpState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let media = Media::negotiate(&headers);
    // A body over the limit (or cut off) is answered in GraphQL's shape like every refusal.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the body is larger than the 64 KiB limit"
            } else {
                "the body could not be read"
            };
            return answered(media.label(error_response(status, codes::BAD_USER_INPUT, message)));
        }
    };
    let response = match refusal(&state, &headers) {
        Some(refusal) => refusal,
        None if !is_json(&headers) => error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::BAD_USER_INPUT,
            "send the operation as JSON with Content-Type: application/json",
        ),
        None => match parse_request(&body) {
            Ok(request) => execute(&state, &extensions, &headers, request, media, false).await,
            Err(message) => error_response(StatusCode::BAD_REQUEST, codes::BAD_USER_INPUT, message),
        },
    };
    answered(media.label(response))
}

/// `GET /graphql`: a query (never a mutation) from the URL's `query`, `variables`,
/// `operationName` and `extensions`; without `query`, GraphiQL (off in production).
pub async fn graphql_get(
    State(state): State<HttpState>,
    extensions: Extensions,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let media = Media::negotiate(&headers);
    let params = match get_request::parse(query.as_deref().unwrap_or_default()) {
        Ok(params) => params,
        Err(message) => {
            return answered(media.label(error_response(
                StatusCode::BAD_REQUEST,
                codes::BAD_USER_INPUT,
                message,
            )));
        }
    };
    let Some(request) = params else {
        return match &state.graphiql {
            Some(page) => page.response(),
            None => error_response(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                "GraphiQL is off in production; send operations to this URL",
            ),
        };
    };
    let response = match refusal(&state, &headers) {
        Some(refusal) => refusal,
        None => execute(&state, &extensions, &headers, request, media, true).await,
    };
    answered(media.label(response))
}

/// Counts a `/graphql` reply by status.
fn answered(response: Response) -> Response {
    metrics::counter!("cartql_http_responses_total", "status" => response.status().as_str().to_owned())
        .increment(1);
    response
}

/// The checks before a request is read: the database is up and the API key (if required)
/// is present. `Some` is the refusal.
fn refusal(state: &HttpState, headers: &HeaderMap) -> Option<Response> {
    if state.db_health.is_down() {
        let mut response = AppError::Unavailable.into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Some(response);
    }
    if !state.auth.api_key_ok(headers) {
        return Some(error_response(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            "a valid X-API-Key header is required",
        ));
    }
    None
}

/// Authenticates, parses, guards, rate-limits and runs one operation. `via_get` refuses
/// mutations: a link or an image tag must never change a cart.
async fn execute(
    state: &HttpState,
    extensions: &Extensions,
    headers: &HeaderMap,
    mut request: Request,
    media: Media,
    via_get: bool,
) -> Response {
    let viewer = match state.auth.viewer(headers) {
        Ok(viewer) => viewer,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, err.code(), &err.message()),
    };
    if let Err(refusal) = state.persisted.resolve(&mut request) {
        // An unknown hash is a step of the protocol (the client resends with the query), not
        // a failure; in persisted-documents-only mode nothing else will follow.
        let status = match refusal {
            PersistedError::NotFound if !state.persisted.documents_only() => StatusCode::OK,
            _ => StatusCode::BAD_REQUEST,
        };
        return error_response(status, refusal.code(), refusal.message());
    }
    // Parse once, here: the guard and the rate limits read the document, and execution
    // reuses it.
    let operation_name = request.operation_name.clone();
    // Held apart while the parsed document borrows the request; put back before execution.
    let variables = std::mem::take(&mut request.variables);
    let document = match state.documents.parse(&mut request) {
        Ok(document) => document,
        Err(DocumentError::Syntax(err)) => return graphql_errors(vec![err], media),
        Err(DocumentError::Bounds(refusal)) => {
            let status = match refusal {
                BoundsError::TooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                BoundsError::TooDeep { .. } => StatusCode::BAD_REQUEST,
            };
            return error_response(status, codes::BAD_USER_INPUT, &refusal.message());
        }
    };
    if let Err(refusal) = guard::check(document, state.document_limits) {
        return error_response(
            StatusCode::BAD_REQUEST,
            codes::BAD_USER_INPUT,
            &refusal.message(),
        );
    }
    let address = client_address(extensions, headers, &state.trusted_proxies);
    let operation = selected_operation(document, operation_name.as_deref());
    let schema = match schema_for(state, document, operation) {
        Ok(schema) => schema,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, codes::BAD_USER_INPUT, &message);
        }
    };
    let operation_type = operation.map(|op| op.ty);
    let label_name = operation_name
        .clone()
        .or_else(|| lone_operation_name(document));
    let is_mutation = operation_type == Some(OperationType::Mutation);
    if via_get && is_mutation {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::BAD_USER_INPUT,
            "send mutations with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    // Federation's `_service { sdl }` is the whole schema: where introspection is off, so is
    // it (a production router composes from `cartql schema --federation` instead).
    if state.introspection_schema.is_none()
        && matches!(state.schema, Executor::Federated(_))
        && let Some(op) = operation
        && root_field_names(document, op, &variables).contains(&"_service")
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            codes::BAD_USER_INPUT,
            "the schema is not served where introspection is off; compose the supergraph \
             from `cartql schema --federation`",
        );
    }
    // Every root field a mutation runs, fragments and aliases included.
    let mutation_fields = match operation {
        Some(op) if is_mutation => Some(root_field_names(document, op, &variables)),
        _ => None,
    };
    if let Some(fields) = &mutation_fields
        && let Err(refusal) = rate_limited(state, fields, &viewer, &address)
    {
        return too_many_requests(refusal);
    }
    let mutation_field_count = mutation_fields.map(|fields| fields.len());
    request.variables = variables;
    let claim = match idempotency_claim(state, headers, mutation_field_count, &viewer, &request) {
        Ok(claim) => claim,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, codes::BAD_USER_INPUT, message);
        }
    };
    if let Some(claim) = &claim {
        match idempotency::state(&state.db, claim).await {
            Ok(KeyState::Fresh) => {}
            Ok(KeyState::Answered(reply)) => return replay(reply),
            Ok(KeyState::Mismatch) => return reused(),
            // Committed: the first execution is storing its reply, or never will (it died,
            // or lost its connection at COMMIT). Without a reply soon, the mutation runs
            // again and answers from the committed record.
            Ok(KeyState::Committed) => {
                if let Some(reply) = stored_reply(state, claim).await {
                    return replay(reply);
                }
            }
            Err(err) => return err.into_response(),
        }
    }

    let mut request = request
        .data(viewer)
        .data(loaders::loaders(state.db.clone()));
    if let Some(claim) = &claim {
        request = request.data(claim.clone());
    }
    let started = Instant::now();
    let mut response = schema.execute(request).await;
    code_uncoded_errors(&mut response.errors);
    let rejected = is_request_error(&response);
    record_operation(
        operation_type,
        label_name.as_deref(),
        &response,
        rejected,
        started,
    );
    if rejected {
        return graphql_errors(response.errors, media);
    }
    if let Some(claim) = &claim {
        if has_code(&response.errors, AppError::InProgress.code()) {
            return in_progress();
        }
        // A copy answered from the record: the first execution's reply, when it has been
        // stored, is the one every copy gets.
        if claim.was_replayed()
            && let Some(reply) = stored_reply(state, claim).await
        {
            return replay(reply);
        }
    }
    // Serialized straight from the response: no intermediate JSON tree.
    let body = serde_json::to_string(&response).unwrap_or_else(|_| "{}".to_owned());
    // Only complete answers are kept: a reply with a top-level error (the database gone, an
    // unknown commit outcome) must not be replayed in place of a retry that can succeed.
    if let Some(claim) = &claim
        && response.errors.is_empty()
        && let Err(err) = idempotency::store_reply(&state.db, claim, &body).await
    {
        tracing::error!(error = ?err, "could not store the reply of an idempotent request");
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], body).into_response()
}

/// The schema an operation runs on: the introspection twin (after its list-nesting check)
/// for introspection outside production, the service's schema otherwise.
fn schema_for<'s>(
    state: &'s HttpState,
    document: &ExecutableDocument,
    operation: Option<&OperationDefinition>,
) -> Result<&'s Executor, String> {
    match (operation, &state.introspection_schema) {
        (Some(op), Some(deeper)) if introspection::is_introspection(op) => {
            introspection::check(document, op)?;
            Ok(deeper)
        }
        _ => Ok(&state.schema),
    }
}

/// The name of the document's only operation, when it has one (for metrics).
fn lone_operation_name(document: &ExecutableDocument) -> Option<String> {
    match &document.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}

/// Records an executed operation: its duration, its outcome and its errors' codes.
fn record_operation(
    operation_type: Option<OperationType>,
    name: Option<&str>,
    response: &async_graphql::Response,
    rejected: bool,
    started: Instant,
) {
    let label = crate::metrics::operation_label(name);
    let kind = match operation_type {
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        _ => "query",
    };
    let outcome = match (rejected, response.errors.is_empty()) {
        (true, _) => "rejected",
        (false, true) => "ok",
        (false, false) => "errors",
    };
    metrics::histogram!("cartql_graphql_request_duration_seconds", "operation" => label.clone(), "type" => kind)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("cartql_graphql_requests_total", "operation" => label, "type" => kind, "outcome" => outcome)
        .increment(1);
    for error in &response.errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "INTERNAL".to_owned());
        metrics::counter!("cartql_graphql_errors_total", "code" => code).increment(1);
    }
}

/// True when one of `errors` carries `code`.
fn has_code(errors: &[ServerError], code: &str) -> bool {
    errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some_and(|c| matches!(c, async_graphql::Value::String(c) if c == code))
    })
}

/// A copy of a request whose key is held but whose effect cannot be read yet.
fn in_progress() -> Response {
    let mut response = AppError::InProgress.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// True when the request failed before execution (parsing, validation, variable coercion):
/// no data, and no error points into a result.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The operation a request will run: the only one, or the one named.
fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        // One named operation needs no `operationName` (the parser files every named
        // operation under `Multiple`).
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        // An ambiguous choice is refused by execution.
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// A request that failed before execution: errors and no `data` (it never ran). Answered
/// 200 to `application/json` clients, as they expect, and 400 to clients that accept
/// `application/graphql-response+json`, as the GraphQL-over-HTTP specification asks.
fn graphql_errors(mut errors: Vec<ServerError>, media: Media) -> Response {
    code_uncoded_errors(&mut errors);
    let status = match media {
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
        Media::Json => StatusCode::OK,
    };
    let body = json!({ "errors": errors });
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
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
pub fn parse_request(body: &[u8]) -> Result<Request, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "the body is not valid JSON")?;
    const NOT_A_REQUEST: &str =
        "the body must be a GraphQL request: {\"query\": \"…\", \"variables\": {…}}";
    if value.is_array() {
        return Err("batched operations are not supported; send one operation per request");
    }
    // A request without a `query` string is malformed (a typo such as `qeury`), not an empty
    // document, unless it names a persisted query instead.
    let persisted = value.pointer("/extensions/persistedQuery").is_some();
    if !persisted && !value.get("query").is_some_and(Value::is_string) {
        return Err(NOT_A_REQUEST);
    }
    serde_json::from_value(value).map_err(|_| NOT_A_REQUEST)
}

/// Errors that reach the client without a code come from parsing, validation or input
/// coercion, before any resolver ran: they are the client's fault.
fn code_uncoded_errors(errors: &mut [ServerError]) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", codes::BAD_USER_INPUT);
        }
    }
}

/// A GraphQL-shaped error body with no `data`.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self {
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
            AppError::InProgress => StatusCode::CONFLICT,
            AppError::Unavailable | AppError::OutcomeUnknown => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, self.code(), &self.message())
    }
}
