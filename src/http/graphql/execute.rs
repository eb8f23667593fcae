//! Running one operation: parse (bounded) once, expansion, rate-limit, claim the
//! `Idempotency-Key`, execute, record, and answer.

use std::time::Instant;

use async_graphql::{
    Executor as _, Request, ServerError,
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType},
};
use axum::{
    http::{Extensions, HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    error::{AppError, codes},
    graphql::{
        ServiceSchema,
        bounds::BoundsError,
        compiled::{self, Known, ViewPlans},
        context::ClientAddress,
        documents::DocumentError,
        expansion, introspection, loaders, node_budget,
        persisted::PersistedError,
        root_fields::root_field_names,
    },
    http::{
        HttpState,
        access::AccessNote,
        answer::{challenge, error_response, unauthorized},
        client_ip::client_address,
    },
    service::idempotency::{self, KeyState},
};

use super::{
    idempotency_key::{idempotency_claim, replay, reused, stored_reply},
    limits::{rate_limited, too_many_mutations, too_many_requests},
    media::{JSON, Media},
    recording::{Naming, record_operation},
    replies::{code_uncoded_errors, graphql_errors, is_request_error},
    wording::Sent,
};

/// Authenticates, parses, bounds, rate-limits and runs one operation. `via_get` refuses
/// mutations: a link or an image tag must never change a cart.
pub(super) async fn execute(
    state: &HttpState,
    extensions: &Extensions,
    headers: &HeaderMap,
    mut request: Request,
    media: Media,
    via_get: bool,
) -> Response {
    let viewer = match state.auth.viewer(headers) {
        Ok(viewer) => {
            AccessNote::caller(extensions, &viewer);
            viewer
        }
        Err(err) => {
            // `viewer` reads the Bearer token first and only then the cart token.
            let challenge = match headers.contains_key(header::AUTHORIZATION) {
                true => challenge::INVALID_TOKEN,
                false => challenge::BEARER,
            };
            return unauthorized(&err.message(), challenge);
        }
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
    // Parse once, here: the expansion check and the rate limits read the document, and execution
    // reuses it.
    let operation_name = request.operation_name.clone();
    if operation_name.is_some() {
        AccessNote::operation(extensions, operation_name.as_deref());
    }
    // Held apart while the parsed document borrows the request; put back before execution.
    let variables = std::mem::take(&mut request.variables);
    let (document, plans) = match state.documents.parse(&mut request) {
        Ok(parsed) => parsed,
        Err(DocumentError::Syntax(err)) => return graphql_errors(vec![err], media),
        Err(DocumentError::Bounds(refusal)) => {
            let status = match refusal {
                BoundsError::TooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                BoundsError::TooDeep { .. } => StatusCode::BAD_REQUEST,
            };
            return error_response(status, codes::BAD_USER_INPUT, &refusal.message());
        }
    };
    if let Err(refusal) = expansion::check(document, state.document_limits) {
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
    AccessNote::operation(extensions, label_name.as_deref());
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
        && matches!(state.schema, ServiceSchema::Federated(_))
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
    // Every id `node` and `nodes` would look up, aliases and fragments included (R24).
    if let Some(op) = operation
        && let Err(refusal) = node_budget::check(document, op, &variables, state.max_nodes)
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            codes::BAD_USER_INPUT,
            &refusal.message(),
        );
    }
    // Every root field a mutation runs, fragments and aliases included.
    let mutation_fields = match operation {
        Some(op) if is_mutation => Some(root_field_names(document, op, &variables)),
        _ => None,
    };
    if let Some(refused) = mutation_fields.as_deref().and_then(too_many_mutations) {
        return refused;
    }
    if let Some(fields) = &mutation_fields
        && let Err(refusal) = rate_limited(state, fields, &viewer, &address).await
    {
        return too_many_requests(refusal);
    }
    let root_fields = match &mutation_fields {
        Some(fields) => fields.clone(),
        None => operation.map_or_else(Vec::new, |op| root_field_names(document, op, &variables)),
    };
    let naming = Naming::new(
        &state.metrics_operations,
        label_name.as_deref(),
        &root_fields,
    );
    let mutation_field_count = mutation_fields.map(|fields| fields.len());
    request.variables = variables;
    let claim = match idempotency_claim(state, headers, mutation_field_count, &viewer, &request) {
        Ok(claim) => claim,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, codes::BAD_USER_INPUT, message);
        }
    };
    // Whether this request already waited for another execution's reply.
    let mut waited = false;
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
                waited = true;
            }
            Err(err) => return err.into_response(),
        }
    }

    // The compiled view path: a cart view async-graphql already answered with these variables
    // is written straight from the service's view; one it has not is compiled now and kept
    // once async-graphql's answer shows it valid.
    let views = state
        .compiled_views
        .clone()
        .filter(|_| claim.is_none() && operation_type == Some(OperationType::Query))
        .zip(plans);
    let started = Instant::now();
    let mut unseen = None;
    if let Some((views, plans)) = &views {
        let key = ViewPlans::key(operation_name.as_deref(), &request.variables);
        match plans.known(&key) {
            Known::Answered(Some(plan)) => {
                if let Some(body) = views.answer(&plan, &state.db, &viewer).await {
                    let answered = async_graphql::Response::new(async_graphql::Value::Null);
                    record_operation(operation_type, &naming, &answered, false, started);
                    return (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], body).into_response();
                }
            }
            Known::Answered(None) => {}
            Known::Unseen => {
                // Held apart while the parsed document borrows the request.
                let variables = std::mem::take(&mut request.variables);
                let plan = request.parsed_query().ok().and_then(|document| {
                    compiled::compile(
                        document,
                        operation_name.as_deref(),
                        &variables,
                        &views.locale,
                    )
                });
                request.variables = variables;
                unseen = Some((key, plan));
            }
        }
    }

    // Execution takes the request; a message about an invalid argument names the variable
    // that carried it, from these.
    let (query, variables) = (request.query.clone(), request.variables.clone());
    let mut request = request
        .data(viewer)
        .data(ClientAddress(address))
        .data(loaders::loaders(state.db.clone()));
    if let Some(claim) = &claim {
        request = request.data(claim.clone());
    }
    let mut response = schema.execute(request).await;
    let sent = Sent {
        query: &query,
        variables: &variables,
    };
    code_uncoded_errors(&mut response.errors, Some(&sent));
    let rejected = is_request_error(&response);
    if let (Some((_, plans)), Some((key, plan))) = (&views, unseen)
        && response.errors.is_empty()
    {
        plans.answered(key, plan);
    }
    record_operation(operation_type, &naming, &response, rejected, started);
    if rejected {
        return graphql_errors(response.errors, media);
    }
    if let Some(claim) = &claim {
        if has_code(&response.errors, AppError::InProgress.code()) {
            return in_progress();
        }
        // A copy answered from the record: the first execution's reply, when it has been
        // stored, is the one every copy gets (unless it was waited for already in vain).
        if claim.was_replayed()
            && !waited
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
) -> Result<&'s ServiceSchema, String> {
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
