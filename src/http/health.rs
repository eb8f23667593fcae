//! `/healthz` and `/readyz`.

use std::{sync::atomic::Ordering, time::Duration};

use axum::{extract::State, http::StatusCode};

use crate::http::HttpState;

/// `GET /healthz`: the process is up. Never touches the database.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: not shutting down, and the database answers within 500 ms.
pub async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if state.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    match tokio::time::timeout(Duration::from_millis(500), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
