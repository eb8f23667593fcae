//! `GET /graphql/ws`: GraphQL over WebSocket (the `graphql-transport-ws` protocol of the
//! graphql-ws library, and the older `graphql-ws` one), for `cartUpdated`.
//!
//! Credentials travel in the `connection_init` payload, as the headers an HTTP request would
//! send (`{"Authorization": "Bearer …"}` or `{"X-Cart-Token": "…"}`, at the top level or under
//! `headers`), and are checked like a query's. Only subscriptions run here, each document
//! passing the same fragment-expansion guard as over HTTP; queries and mutations belong on
//! HTTP, where the rate limits and idempotency keys apply. At most `CARTQL_MAX_SUBSCRIBERS`
//! connections are open at once, each client address opens at most
//! [`CONNECTIONS_PER_MINUTE`](crate::http::rate_limit::CONNECTIONS_PER_MINUTE) a minute and
//! holds at most `CARTQL_WS_MAX_PER_ADDRESS`, each principal holds at most
//! `CARTQL_WS_MAX_PER_PRINCIPAL` (`ws_caps`), and messages are bounded like HTTP bodies; the
//! per-connection protocol limits and the idle timeout are in `ws_session`.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use async_graphql::{
    Data, Request, Response, ServerError,
    http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols},
    parser::types::{DocumentOperations, OperationType},
};
use axum::{
    extract::{State, WebSocketUpgrade},
    http::{Extensions, HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::Response as HttpResponse,
};
use futures::{FutureExt, StreamExt, stream::BoxStream};

use crate::{
    error::codes,
    graphql::{ServiceSchema, bounds, expansion, loaders},
    http::HttpState,
    http::{MAX_BODY_BYTES, client_ip::client_address},
    live,
};

use super::{limits::too_many_requests, ws_session};
use crate::http::answer::error_response;

pub async fn graphql_ws(
    State(state): State<HttpState>,
    extensions: Extensions,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let Some(protocol) = requested_protocol(&headers) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            codes::BAD_USER_INPUT,
            "ask for the graphql-transport-ws (or graphql-ws) subprotocol",
        );
    };
    // Opening connections is rate limited per client address, like opening carts.
    let address = client_address(&extensions, &headers, &state.trusted_proxies);
    if let Err(refusal) = state.rate.connection(&address).await {
        return too_many_requests(refusal);
    }
    // One address holds at most CARTQL_WS_MAX_PER_ADDRESS connections at once (R24).
    let Some(address_place) = state.ws_caps.address(&address) else {
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMITED,
            "too many open WebSocket connections from this address; close one first",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    // A connection holds a slot for as long as it is open; beyond CARTQL_MAX_SUBSCRIBERS
    // new ones are refused before the upgrade.
    let Ok(slot) = state.subscriber_slots.clone().try_acquire_owned() else {
        let mut response = error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::SERVICE_UNAVAILABLE,
            "too many open subscription connections; retry shortly",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let executor = SubscriptionsOnly {
        schema: state.schema.clone(),
        limits: state.document_limits,
    };
    upgrade
        // Messages are bounded like HTTP bodies.
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let session = ws_session::SessionLimits::new(state.ws_caps.idle_timeout);
            let crowded = session.crowded.clone();
            let on_init = move |payload: serde_json::Value| {
                async move { connection_data(&state, &payload, &crowded) }.boxed()
            };
            ws_session::serve(socket, executor, protocol, on_init, session).await;
            drop((slot, address_place));
        })
}

/// The first subprotocol the client offers that cartql speaks.
fn requested_protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
}

/// The connection's caller and its loaders, from the init payload. The loaders keep no
/// cache: a connection lives long, and every event must show live products. The caller's
/// place under `CARTQL_WS_MAX_PER_PRINCIPAL` is held in the connection's data, so it is
/// freed when the connection closes; a caller holding its cap is refused (`crowded`: 4429).
fn connection_data(
    state: &HttpState,
    payload: &serde_json::Value,
    crowded: &AtomicBool,
) -> async_graphql::Result<Data> {
    let headers = payload_headers(payload);
    if !state.auth.api_key_ok(&headers) {
        return Err(async_graphql::Error::new("a valid X-API-Key is required"));
    }
    let viewer = state
        .auth
        .viewer(&headers)
        .map_err(|err| async_graphql::Error::new(err.message()))?;
    let place = match live::owner_key(&viewer, None) {
        Some(principal) => match state.ws_caps.principal(&principal) {
            Some(place) => Some(place),
            None => {
                crowded.store(true, Ordering::SeqCst);
                return Err(async_graphql::Error::new(
                    "too many open WebSocket connections for this caller; close one first",
                ));
            }
        },
        None => None,
    };
    let loaders = loaders::loaders(state.db.clone());
    loaders.enable_all_cache(false);
    let mut data = Data::default();
    if let Some(place) = place {
        data.insert(place);
    }
    data.insert(viewer);
    data.insert(loaders);
    Ok(data)
}

/// The payload's string entries (top level, or under `headers`) as request headers.
fn payload_headers(payload: &serde_json::Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let nested = payload.get("headers").and_then(|h| h.as_object());
    let top = payload.as_object();
    for entries in [top, nested].into_iter().flatten() {
        for (name, value) in entries {
            let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
                value.as_str().map(HeaderValue::from_str),
            ) else {
                continue;
            };
            headers.insert(name, value);
        }
    }
    headers
}

/// The schema, running subscriptions only, each document bounded and checked for expansion first.
#[derive(Clone)]
struct SubscriptionsOnly {
    schema: ServiceSchema,
    limits: expansion::DocumentLimits,
}

impl SubscriptionsOnly {
    fn refusal(&self, request: &mut Request) -> Option<ServerError> {
        if let Err(refusal) = bounds::check(&request.query) {
            return Some(coded(refusal.message(), codes::BAD_USER_INPUT));
        }
        let document = match request.parsed_query() {
            Ok(document) => document,
            Err(err) => return Some(err),
        };
        if let Err(refusal) = expansion::check(document, self.limits) {
            return Some(coded(refusal.message(), codes::BAD_USER_INPUT));
        }
        let only_subscriptions = match &document.operations {
            DocumentOperations::Single(op) => op.node.ty == OperationType::Subscription,
            DocumentOperations::Multiple(ops) => ops
                .values()
                .all(|op| op.node.ty == OperationType::Subscription),
        };
        (!only_subscriptions).then(|| {
            coded(
                "only subscriptions run over WebSocket; send queries and mutations over HTTP"
                    .to_owned(),
                codes::BAD_USER_INPUT,
            )
        })
    }
}

fn coded(message: String, code: &'static str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

impl async_graphql::Executor for SubscriptionsOnly {
    async fn execute(&self, mut request: Request) -> Response {
        match self.refusal(&mut request) {
            Some(error) => Response::from_errors(vec![error]),
            None => self.schema.execute(request).await,
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.refusal(&mut request) {
            Some(error) => {
                futures::stream::once(async move { Response::from_errors(vec![error]) }).boxed()
            }
            None => self.schema.execute_stream(request, session_data),
        }
    }
}
