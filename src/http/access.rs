//! One access line per request, at `info`, so that cartql's own log answers "who called, what
//! did they get, how long did it take" without the proxy's log: the client address (after
//! `CARTQL_TRUSTED_PROXIES`, and the full address: the limits count an IPv6 caller by its
//! /64, a log reader wants the caller), the kind of principal (never a token, an id or other
//! personal data), the operation name (bounded, sanitised: it is whatever the client wrote),
//! the status, the latency and the request id. Filter it with `CARTQL_LOG`
//! (`info,cartql::http::access=warn` silences it).
//!
//! The layer runs inside the request span and outside load shedding and panic catching, so
//! every answer is logged, refusals included. What only the handler knows (principal and
//! operation) it writes into an [`AccessNote`] the layer put in the request's extensions.

use std::{
    net::IpAddr,
    sync::{Arc, OnceLock},
    time::Instant,
};

use axum::{
    extract::{Request, State},
    http::Extensions,
    middleware::Next,
    response::Response,
};

use crate::{auth::Viewer, http::client_ip::client_ip};

/// Longest operation name logged as is; longer or odd ones are logged as `invalid`.
const MAX_OPERATION_LEN: usize = 64;

/// What a handler learns about its request for the access line.
#[derive(Clone, Default)]
pub struct AccessNote(Arc<Noted>);

#[derive(Default)]
struct Noted {
    principal: OnceLock<&'static str>,
    operation: OnceLock<String>,
}

impl AccessNote {
    /// Notes who called, if the request carries a note (tests may drive handlers bare).
    pub fn caller(extensions: &Extensions, viewer: &Viewer) {
        if let Some(note) = extensions.get::<Self>() {
            let _ = note.0.principal.set(principal_kind(viewer));
        }
    }

    /// Notes the operation's name as the client sent it (`None`: an unnamed operation).
    pub fn operation(extensions: &Extensions, name: Option<&str>) {
        if let Some(note) = extensions.get::<Self>() {
            let _ = note.0.operation.set(operation_shown(name));
        }
    }
}

/// The middleware: times the request and logs its line once the response is ready.
pub async fn log_access(
    State(trusted): State<Arc<[IpAddr]>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let note = AccessNote::default();
    request.extensions_mut().insert(note.clone());
    let client = client_ip(request.extensions(), request.headers(), &trusted)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_micros() as f64 / 1000.0;
    tracing::info!(
        %client,
        principal = note.0.principal.get().copied().unwrap_or("anonymous"),
        operation = note.0.operation.get().map_or("-", String::as_str),
        status = response.status().as_u16(),
        latency_ms,
        %request_id,
        "request served"
    );
    response
}

/// The caller's kind: anonymous, guest, user, admin, or order_system (role `checkout`).
pub fn principal_kind(viewer: &Viewer) -> &'static str {
    match viewer {
        Viewer::Anonymous => "anonymous",
        Viewer::Guest(_) => "guest",
        Viewer::User(user) if user.admin => "admin",
        Viewer::User(user) if user.checkout => "order_system",
        Viewer::User(_) => "user",
    }
}

/// An operation name fit for a log line: a GraphQL name of at most 64 characters as is,
/// `anonymous` for none, `invalid` for anything else (no control characters or log forgery
/// can get through).
fn operation_shown(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let valid = !name.is_empty()
        && name.len() <= MAX_OPERATION_LEN
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match valid {
        true => name.to_owned(),
        false => "invalid".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_sanitised() {
        assert_eq!(operation_shown(Some("ShopPage_2")), "ShopPage_2");
        assert_eq!(operation_shown(None), "anonymous");
        assert_eq!(operation_shown(Some("")), "invalid");
        assert_eq!(operation_shown(Some("a\u{1b}[31mred")), "invalid");
        assert_eq!(operation_shown(Some("a\nFAKE line")), "invalid");
        assert_eq!(operation_shown(Some(&"x".repeat(65))), "invalid");
        assert_eq!(operation_shown(Some(&"x".repeat(64))), "x".repeat(64));
    }
}
