//! `/healthz` and `/readyz`.

use std::{sync::atomic::Ordering, time::Duration};

use axum::{extract::State, http::StatusCode};

use crate::{http::HttpState, limits::Sharing};

/// `GET /healthz`: the process is up. Never touches the database.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: not shutting down, and the database answers within 500 ms. The body also
/// says where the rate limits live: an instance whose Redis is unreachable still serves (it
/// limits on its own), but says so.
pub async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if state.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    match tokio::time::timeout(Duration::from_millis(500), state.db.ping()).await {
        Ok(Ok(())) => {}
        _ => return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
    let limits = match state.limits.sharing().await {
        Sharing::Local => "ready",
        Sharing::Shared => "ready; rate limits shared in Redis",
        Sharing::Fallback => "ready; rate limits per instance: Redis is unreachable",
    };
    (StatusCode::OK, limits)
}
