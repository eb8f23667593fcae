//! The shape of GraphQL error replies: every error coded, request errors without `data`.

use async_graphql::ServerError;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::error::codes;

use super::{
    media::{JSON, Media},
    wording::{self, Sent},
};

/// True when the request failed before execution (parsing, validation, variable coercion):
/// no data, and no error points into a result.
pub(super) fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// A request that failed before execution: errors and no `data` (it never ran). Answered
/// 200 to `application/json` clients, as they expect, and 400 to clients that accept
/// `application/graphql-response+json`, as the GraphQL-over-HTTP specification asks.
pub(super) fn graphql_errors(mut errors: Vec<ServerError>, media: Media) -> Response {
    code_uncoded_errors(&mut errors, None);
    let status = match media {
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
        Media::Json => StatusCode::OK,
    };
    let body = json!({ "errors": errors });
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
}

/// Errors that reach the client without a code come from parsing, validation or input
/// coercion, before any resolver ran: they are the client's fault. Their library wording is
/// rewritten here, the one place (`sent`, when given, lets a message name the variable at
/// fault); coded errors are ours and already read well.
pub(super) fn code_uncoded_errors(errors: &mut [ServerError], sent: Option<&Sent<'_>>) {
    for error in errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|extensions| extensions.get("code").is_some());
        if !coded {
            wording::reword(error, sent);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", codes::BAD_USER_INPUT);
        }
    }
}
