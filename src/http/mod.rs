//! The HTTP stack, built from tower and tower-http layers. Outermost first: request id and
//! tracing (never logging headers, so never tokens) → the access line (`access`) → panic
//! catching → load shedding over a concurrency limit (503 + `Retry-After`) → CORS allow-list
//! → per-route timeouts (10 s for GraphQL, 1 s for health) → the 64 KiB body limit, which the
//! GraphQL handler's own body extractor honours.

pub mod access;
pub mod answer;
pub mod client_ip;
pub mod graphiql;
pub mod graphql;
mod health;
mod metrics;
pub mod rate_limit;

use std::{any::Any, ops::Deref, sync::Arc, time::Duration};

use axum::{
    Router,
    error_handling::HandleErrorLayer,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    config::{Config, Secret},
    error::codes,
    state::AppState,
};
use answer::error_response;
use graphiql::GraphiqlPage;
use rate_limit::RateLimits;

/// Largest request body accepted: the longest document any transport takes.
pub const MAX_BODY_BYTES: usize = crate::graphql::bounds::MAX_DOCUMENT_BYTES;
/// How long a health probe may take.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(1);

/// The shared state with what only the HTTP layer needs. Handlers read the shared part
/// through `Deref` (`state.db`, `state.schema`).
#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub rate: RateLimits,
    /// GraphiQL for `GET /graphql` (none in production).
    pub graphiql: Option<Arc<GraphiqlPage>>,
    /// When set, `/metrics` requires it as a Bearer token.
    pub metrics_token: Option<Secret>,
    /// One permit per open WebSocket connection (`CARTQL_MAX_SUBSCRIBERS`).
    pub subscriber_slots: Arc<tokio::sync::Semaphore>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Ids one request may look up with `node` and `nodes` (`CARTQL_MAX_NODES`).
    pub max_nodes: usize,
    /// WebSocket connections per principal and per address, and the idle timeout.
    pub ws_caps: graphql::ws_caps::WsCaps,
    /// Operation names that label metrics by name (`CARTQL_METRICS_OPERATIONS`).
    pub metrics_operations: Arc<std::collections::HashSet<String>>,
}

impl Deref for HttpState {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.app
    }
}

/// The service's router with every layer applied.
pub fn router(app: AppState, config: &Config, graphiql: Option<GraphiqlPage>) -> Router {
    let state = HttpState {
        rate: RateLimits::per_minute(
            app.limits.clone(),
            config.rate_mutations,
            config.rate_new_carts,
        ),
        graphiql: graphiql.map(Arc::new),
        metrics_token: config.metrics_token.clone(),
        subscriber_slots: Arc::new(tokio::sync::Semaphore::new(config.max_subscribers)),
        trusted_proxies: config.trusted_proxies.clone().into(),
        metrics_operations: Arc::new(config.metrics_operations.iter().cloned().collect()),
        max_nodes: config.amplification.max_nodes,
        ws_caps: graphql::ws_caps::WsCaps::new(&config.amplification),
        app,
    };
    forget_idle_callers(state.rate.clone());
    // A GraphQL request over its time gets the coded 503 every refusal has.
    let graphql = Router::new()
        .route("/graphql", get(graphql::graphql_get).post(graphql::graphql))
        .route("/graphql/ws", get(graphql::graphql_ws))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    timed_out()
                }))
                .timeout(config.request_timeout),
        );
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            HEALTH_TIMEOUT,
        ));

    let mut app = graphql.merge(health);
    // Operation names and volumes are for operators: in production `/metrics` is served
    // only behind a token.
    if config.metrics && (config.metrics_token.is_some() || !config.production) {
        app = app.route("/metrics", get(metrics::metrics));
    }
    if state.graphiql.is_some() {
        // GraphiQL's files, compressed: its script is 3.4 MB as is, 0.7 MB gzipped.
        app = app.route(
            "/graphiql/{file}",
            get(graphiql::asset).layer(CompressionLayer::new()),
        );
    }
    let trusted_proxies = state.trusted_proxies.clone();
    let mut app = app
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    if let Some(cors) = cors(&config.cors_origins) {
        app = app.layer(cors);
    }
    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            // The span names the request by id, method and path only.
            .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
            }))
            // One line per request, inside the request's span.
            .layer(axum::middleware::from_fn_with_state(
                trusted_proxies,
                access::log_access,
            ))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async { overloaded() }))
            .load_shed()
            .concurrency_limit(config.max_in_flight),
    )
}

/// Every minute, drop rate-limit entries of callers who have been quiet.
fn forget_idle_callers(rate: RateLimits) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                rate.forget_idle();
            }
        });
    }
}

/// Browsers may call from the configured origins only; without any, no CORS headers are sent
/// and only same-origin pages can call.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static("x-cart-token"),
                HeaderName::from_static("x-api-key"),
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

/// 503 with `Retry-After` when the concurrency limit is reached.
fn overloaded() -> Response {
    unavailable("the service is busy; retry shortly")
}

/// 503 with `Retry-After` when a GraphQL request outlives `CARTQL_REQUEST_TIMEOUT`.
fn timed_out() -> Response {
    unavailable("the request took longer than the service allows and was stopped; retry shortly")
}

fn unavailable(message: &str) -> Response {
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        codes::SERVICE_UNAVAILABLE,
        message,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A panic becomes a coded 500; the payload is logged, never sent.
fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let detail = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        codes::INTERNAL_SERVER_ERROR,
        "internal server error",
    )
    .into_response()
}
