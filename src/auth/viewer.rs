//! The caller of one request, as request data.

use crate::auth::GuestToken;

/// A registered user proven by a JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The token's `sub`.
    pub id: String,
    /// The token's `roles` contains `admin`.
    pub admin: bool,
    /// The token's `roles` contains `checkout`: an order system that may complete checkouts.
    pub checkout: bool,
}

/// Who is calling.
#[derive(Clone, Debug)]
pub enum Viewer {
    Anonymous,
    Guest(GuestToken),
    User(User),
}

impl Viewer {
    /// The caller as a stable, non-secret string: `user:<id>`, `guest:<token hash>`, or
    /// `anonymous`. Rate limits, idempotency keys and logs key on it.
    pub fn principal(&self) -> String {
        match self {
            Viewer::User(user) => format!("user:{}", user.id),
            Viewer::Guest(token) => format!("guest:{}", token.hash()),
            Viewer::Anonymous => "anonymous".to_owned(),
        }
    }
}
