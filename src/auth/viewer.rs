//! The caller of one request, as request data.

use crate::auth::GuestToken;

/// A registered user proven by a JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The token's `sub`.
    pub id: String,
    /// The token's `roles` contains `admin`.
    pub admin: bool,
}

/// Who is calling.
#[derive(Clone, Debug)]
pub enum Viewer {
    Anonymous,
    Guest(GuestToken),
    User(User),
}
