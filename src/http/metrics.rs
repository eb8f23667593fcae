//! `GET /metrics`: the Prometheus text exposition (see [`crate::metrics`]). Behind
//! `CARTQL_METRICS_TOKEN` when one is set; otherwise keep it off the public internet at the
//! proxy, as its operation names and volumes are for operators.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{auth::constant_time_eq, http::HttpState};

pub async fn metrics(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.metrics_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(token.expose().as_bytes(), presented.as_bytes()) {
            // RFC 6750 §3: an error code only when a token was sent.
            let challenge = match presented.is_empty() {
                true => r#"Bearer realm="cartql-metrics""#,
                false => r#"Bearer realm="cartql-metrics", error="invalid_token""#,
            };
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, challenge)],
                "a valid metrics token is required",
            )
                .into_response();
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(&state.db),
    )
        .into_response()
}
