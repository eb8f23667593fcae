//! Who is calling: registered users (a Bearer JWT), guests (an `X-Cart-Token`), or nobody.
//! Every bad credential is `UNAUTHENTICATED`; none silently turns the caller into a guest.

pub mod guest;
pub mod handoff;
pub mod jwt;
pub mod roles_claim;
mod viewer;

use axum::http::HeaderMap;

pub use guest::{GuestKey, GuestToken};
pub use handoff::{HandoffClaims, HandoffKey};
pub use jwt::{JwtIssuer, JwtVerifier};
pub use viewer::{User, Viewer};

use crate::{config::Secret, error::AppError};

/// Longest `Authorization` or `X-Cart-Token` header accepted before any decoding.
pub const MAX_CREDENTIAL_LEN: usize = 4096;

/// Turns request headers into a [`Viewer`].
#[derive(Clone)]
pub struct Authenticator {
    verifier: JwtVerifier,
    api_keys: Vec<Secret>,
    guest_key: GuestKey,
}

impl Authenticator {
    pub fn new(verifier: JwtVerifier, api_keys: Vec<Secret>, guest_key: GuestKey) -> Self {
        Self {
            verifier,
            api_keys,
            guest_key,
        }
    }

    /// True when `X-API-Key` is either not required or carries a configured key.
    pub fn api_key_ok(&self, headers: &HeaderMap) -> bool {
        if self.api_keys.is_empty() {
            return true;
        }
        let Some(presented) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        self.api_keys
            .iter()
            .any(|key| constant_time_eq(key.expose().as_bytes(), presented.as_bytes()))
    }

    /// The caller behind these headers. A user token wins over a guest token when both are sent.
    pub fn viewer(&self, headers: &HeaderMap) -> Result<Viewer, AppError> {
        if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
            let value = value.to_str().map_err(|_| {
                AppError::Unauthenticated("the Authorization header is not valid text")
            })?;
            if value.len() > MAX_CREDENTIAL_LEN {
                return Err(AppError::Unauthenticated(
                    "the Authorization header is too long",
                ));
            }
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or(AppError::Unauthenticated(
                    "the Authorization header must be `Bearer <token>`",
                ))?;
            return self.verifier.verify(token.trim()).map(Viewer::User);
        }
        if let Some(value) = headers.get("x-cart-token") {
            let token = value
                .to_str()
                .ok()
                .and_then(|raw| GuestToken::parse(raw, &self.guest_key))
                .ok_or(AppError::Unauthenticated(
                    "the X-Cart-Token header is not a cart token",
                ))?;
            return Ok(Viewer::Guest(token));
        }
        Ok(Viewer::Anonymous)
    }
}

/// Compares secrets without leaking how long the common prefix is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
