//! What resolvers read from the context: process state (schema data) and the request's viewer
//! and loaders (request data).

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::{
    auth::{HandoffKey, User, Viewer},
    db::GroupCommit,
    domain::{Locale, holder::UNKNOWN_ADDRESS},
    error::AppError,
    graphql::loaders::Loaders,
    live::LiveCarts,
    service::{CartSettings, promotions::CodeAttempts},
};

/// Process-wide state the resolvers need.
#[derive(Clone)]
pub struct ServiceState {
    pub db: DatabaseConnection,
    /// SQLite's group commit for cart mutations (`CARTQL_GROUP_COMMIT`); `None` elsewhere.
    pub group_commit: Option<Arc<GroupCommit>>,
    pub settings: CartSettings,
    /// Where mutations announce changed carts for `cartUpdated`.
    pub live: LiveCarts,
    /// Unknown discount codes per caller.
    pub code_attempts: CodeAttempts,
    /// Signs the checkouts' handoff tokens.
    pub handoff: HandoffKey,
    /// `Money.formatted`'s locale when the query gives none (`CARTQL_LOCALE`).
    pub locale: Locale,
}

/// The client's address as the transport saw it (request data): names anonymous callers for
/// per-caller limits.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

pub trait ContextExt {
    fn state(&self) -> &ServiceState;
    fn viewer(&self) -> &Viewer;
    /// The caller for per-caller limits: the viewer, else (anonymous) the client address.
    fn caller(&self) -> String;
    /// What a guessing caller's misses count against: the caller and, when known, its client
    /// address (an IPv6 caller by its /64), so minting guest tokens buys no extra guesses.
    fn guessers(&self) -> Vec<String>;
    fn loaders(&self) -> &Loaders;
    /// The caller as an admin, or FORBIDDEN / UNAUTHENTICATED.
    fn admin(&self) -> Result<&User, AppError>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &ServiceState {
        self.data_unchecked::<ServiceState>()
    }

    fn viewer(&self) -> &Viewer {
        self.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
    }

    fn caller(&self) -> String {
        match (self.viewer(), self.data_opt::<ClientAddress>()) {
            (Viewer::Anonymous, Some(address)) => format!("address:{}", address.0),
            (viewer, _) => viewer.principal(),
        }
    }

    fn guessers(&self) -> Vec<String> {
        let mut keys = vec![self.caller()];
        if let Some(address) = self
            .data_opt::<ClientAddress>()
            .filter(|address| address.0 != UNKNOWN_ADDRESS)
        {
            let key = format!("address:{}", address.0);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }

    fn admin(&self) -> Result<&User, AppError> {
        match self.viewer() {
            Viewer::User(user) if user.admin => Ok(user),
            Viewer::User(_) => Err(AppError::Forbidden),
            _ => Err(AppError::Unauthenticated(
                "sign in with an admin token for this operation",
            )),
        }
    }
}
