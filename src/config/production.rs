//! What production refuses to start without. Every shopper receives tokens signed with the
//! configured secrets, so a short one can be brute-forced offline (and a handoff total
//! forged with it); a user token without an audience may be one a shared identity provider
//! issued for another app. These are start-up errors naming the setting, never warnings.

use anyhow::bail;

use super::{Config, Secret};
use crate::settings::{
    GUEST_TOKEN_SECRET, HANDOFF_SECRET, JWT_AUDIENCE, JWT_AUDIENCE_OPTIONAL, JWT_PUBLIC_KEY_FILE,
    JWT_SECRET, Setting,
};

/// Shortest secret production accepts, in bytes: HS256's own key size.
pub const MIN_SECRET_BYTES: usize = 32;

impl Config {
    /// The secrets production holds to [`MIN_SECRET_BYTES`], with the settings naming them.
    pub fn production_secrets(&self) -> [(&'static Setting, Option<&Secret>); 3] {
        [
            (&JWT_SECRET, self.jwt_secret.as_ref()),
            (&GUEST_TOKEN_SECRET, self.guest_token_secret.as_ref()),
            (&HANDOFF_SECRET, self.handoff_secret.as_ref()),
        ]
    }

    /// Refuses a production configuration that would trust too much; development passes
    /// whatever it is given.
    pub fn check_production(&self) -> anyhow::Result<()> {
        if !self.production {
            return Ok(());
        }
        if self.dev_mode() {
            bail!(
                "CARTQL_ENV=production needs a JWT key: set {} or {}",
                JWT_SECRET.name,
                JWT_PUBLIC_KEY_FILE.name
            );
        }
        if self.jwt_secret.is_none() && self.guest_token_secret.is_none() {
            bail!(
                "CARTQL_ENV=production with a public JWT key needs {}",
                GUEST_TOKEN_SECRET.name
            );
        }
        for (setting, secret) in self.production_secrets() {
            if let Some(secret) = secret
                && secret.expose().len() < MIN_SECRET_BYTES
            {
                bail!(
                    "{} must be at least {MIN_SECRET_BYTES} bytes in production (it has {}): \
                     tokens signed with a short secret can be forged offline",
                    setting.name,
                    secret.expose().len()
                );
            }
        }
        if self.jwt_audience.is_none() && !self.jwt_audience_optional {
            bail!(
                "CARTQL_ENV=production needs {}: without it, tokens your identity provider \
                 issues for other apps are accepted (set {}=true if it issues tokens for \
                 cartql alone)",
                JWT_AUDIENCE.name,
                JWT_AUDIENCE_OPTIONAL.name
            );
        }
        Ok(())
    }
}
