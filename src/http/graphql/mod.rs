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
//! `execute` runs one operation: parse (bounded) once, the fragment-expansion check, the
//! rate limits (`limits`), the `Idempotency-Key` (`idempotency_key`), execution, and the
//! operation's metrics (`recording`). `body` reads POST bodies; `replies` shapes errors;
//! `wording` rewords the library's messages for people.

use axum::{
    body::Bytes,
    extract::{RawQuery, State, rejection::BytesRejection},
    http::{Extensions, HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    error::{AppError, codes},
    http::{
        HttpState,
        answer::{challenge, error_response, unauthorized},
    },
};

mod body;
mod execute;
mod get_request;
mod idempotency_key;
mod limits;
mod media;
mod recording;
mod replies;
mod wording;
mod ws;
pub mod ws_caps;
mod ws_session;

use body::is_json;
pub use body::parse_request;
use execute::execute;
pub use limits::OPENS_A_CART;
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
        return Some(unauthorized(
            "a valid X-API-Key header is required",
            challenge::API_KEY,
        ));
    }
    None
}
