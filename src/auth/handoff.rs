//! Handoff tokens: what `beginCheckout` gives the order system with a checkout. A JWT signed
//! HS256 with the handoff secret (`CARTQL_HANDOFF_SECRET`, shared with the order system),
//! binding the checkout id, its cart, the SHA-256 of its priced contents and its total until
//! the hold ends. An order system verifies it with any JWT library (HS256, audience
//! `cartql-checkout`), then checks that the contents it was given hash to `hash` before it
//! charges `total`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The token's issuer.
pub const ISSUER: &str = "cartql";
/// The token's audience: only checkout handoffs carry it, so no other token cartql signs
/// passes for one.
pub const AUDIENCE: &str = "cartql-checkout";

/// What a handoff token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffClaims {
    pub iss: String,
    pub aud: String,
    /// The checkout's global id (`Checkout.id`).
    pub sub: String,
    /// The global id of the cart the checkout froze.
    pub cart: String,
    /// SHA-256 (hex) of the checkout's `contents` JSON, byte for byte.
    pub hash: String,
    /// The amount to charge, a decimal in `currency` (`"54.85"`).
    pub total: String,
    pub currency: String,
    /// When the checkout began and when its hold ends (Unix seconds).
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks handoff tokens.
#[derive(Clone)]
pub struct HandoffKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl HandoffKey {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// The token for `claims`. The same checkout always gets the same token: every claim is
    /// fixed when the checkout begins.
    pub fn sign(&self, claims: &HandoffClaims) -> String {
        // Signing with HS256 and a serializable struct cannot fail.
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_default()
    }

    /// The claims of a valid, unexpired handoff token, as an order system would check them.
    pub fn verify(&self, token: &str) -> Option<HandoffClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = 0;
        decode::<HandoffClaims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

impl std::fmt::Debug for HandoffKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandoffKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> HandoffClaims {
        HandoffClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "checkout-1".into(),
            cart: "cart-1".into(),
            hash: "ab".repeat(32),
            total: "54.85".into(),
            currency: "USD".into(),
            iat: chrono::Utc::now().timestamp(),
            exp,
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_only_and_until_it_expires() {
        let key = HandoffKey::new(b"a handoff secret of enough length!");
        let later = chrono::Utc::now().timestamp() + 600;
        let token = key.sign(&claims(later));
        assert_eq!(key.verify(&token), Some(claims(later)));
        let other = HandoffKey::new(b"another handoff secret, also long");
        assert_eq!(other.verify(&token), None);
        let expired = key.sign(&claims(chrono::Utc::now().timestamp() - 5));
        assert_eq!(key.verify(&expired), None);
    }
}
