//! User tokens. One algorithm per key (HS256 for a secret, RS256 or ES256 for a PEM public
//! key); `exp` and `sub` are required, `nbf` is checked, and the leeway is small. Roles are
//! read from the configured claim ([`RolesClaim`]), never from whatever claim happens to be
//! called `roles`.

use std::{collections::HashSet, path::Path};

use anyhow::{Context, bail};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    auth::{User, roles_claim::RolesClaim},
    config::Config,
    error::AppError,
};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// A verified token's payload is read as a JSON object: the registered claims (`exp`, `nbf`,
/// `iss`, `aud`) are checked by jsonwebtoken from the raw payload, which takes the shapes
/// identity providers issue (`aud` as a string or an array, times as decimals); cartql itself
/// reads only `sub` and the roles claim, wherever configuration puts it.
type Payload = Map<String, Value>;

/// The registered claims of the tokens cartql issues (dev mode, `cartql token`, tests); the
/// roles go into the configured claim beside them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// Checks Bearer tokens.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
    roles: RolesClaim,
}

impl JwtVerifier {
    /// A verifier for an HS256 secret.
    pub fn hs256(secret: &[u8], config: &Config) -> Self {
        Self::with_key(DecodingKey::from_secret(secret), Algorithm::HS256, config)
    }

    /// A verifier for a PEM public key: RSA keys verify RS256, EC P-256 keys ES256.
    pub fn from_public_key_file(path: &Path, config: &Config) -> anyhow::Result<Self> {
        let pem = std::fs::read(path).with_context(|| {
            format!("cannot read CARTQL_JWT_PUBLIC_KEY_FILE {}", path.display())
        })?;
        if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
            return Ok(Self::with_key(key, Algorithm::RS256, config));
        }
        if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
            return Ok(Self::with_key(key, Algorithm::ES256, config));
        }
        bail!(
            "CARTQL_JWT_PUBLIC_KEY_FILE holds neither an RSA nor an EC P-256 public key in PEM form"
        )
    }

    fn with_key(key: DecodingKey, algorithm: Algorithm, config: &Config) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.required_spec_claims = HashSet::from(["exp".to_owned(), "sub".to_owned()]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        match &config.jwt_audience {
            // A token without `aud` is refused: it was not issued for this audience.
            Some(aud) => {
                validation.set_audience(&[aud]);
                validation.required_spec_claims.insert("aud".to_owned());
            }
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &config.jwt_issuer {
            validation.set_issuer(&[iss]);
            validation.required_spec_claims.insert("iss".to_owned());
        }
        Self {
            key,
            validation,
            roles: config.jwt_roles_claim.clone(),
        }
    }

    /// The user a token proves, or `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<User, AppError> {
        let data = decode::<Payload>(token, &self.key, &self.validation).map_err(|err| {
            tracing::debug!(error = %err, "rejected a user token");
            AppError::Unauthenticated("the user token is invalid or expired")
        })?;
        let payload = data.claims;
        let sub = match payload.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() && sub.len() <= 255 => sub.clone(),
            _ => {
                return Err(AppError::Unauthenticated(
                    "the user token's subject is unusable",
                ));
            }
        };
        let roles = self.roles.read(&payload);
        Ok(User {
            admin: roles.iter().any(|r| r == "admin"),
            checkout: roles.iter().any(|r| r == "checkout"),
            id: sub,
        })
    }
}

/// Signs HS256 user tokens (dev mode, `cartql token`, tests).
#[derive(Clone)]
pub struct JwtIssuer {
    key: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
    roles: RolesClaim,
}

impl JwtIssuer {
    pub fn hs256(secret: &[u8], config: &Config) -> Self {
        Self {
            key: EncodingKey::from_secret(secret),
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            roles: config.jwt_roles_claim.clone(),
        }
    }

    /// A token for `user_id` with `roles` (`admin`, `checkout`) in the configured roles
    /// claim, valid for `ttl_secs`.
    pub fn issue(&self, user_id: &str, roles: &[&str], ttl_secs: i64) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            exp: now + ttl_secs,
            iat: Some(now),
            nbf: None,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        let Value::Object(mut payload) = serde_json::to_value(&claims)? else {
            anyhow::bail!("the claims are not a JSON object");
        };
        if !roles.is_empty() {
            self.roles.write(&mut payload, roles);
        }
        Ok(encode(&Header::new(Algorithm::HS256), &payload, &self.key)?)
    }
}
