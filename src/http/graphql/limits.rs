//! Rate limits as the GraphQL handler applies them, counting what will execute: every root
//! field of a mutation, aliases and fragments included (`root_fields`).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};

use crate::{auth::Viewer, error::codes, http::HttpState, limits::Refusal};

use crate::http::answer::error_response;

/// Most root fields one mutation operation may run: each is its own transaction, run one
/// after another, and no storefront needs more in one request.
pub const MAX_MUTATION_FIELDS: usize = 50;

/// BAD_USER_INPUT for a mutation operation with more than [`MAX_MUTATION_FIELDS`] root
/// fields (aliases and fragments counted).
pub(super) fn too_many_mutations(fields: &[&str]) -> Option<Response> {
    (fields.len() > MAX_MUTATION_FIELDS).then(|| {
        error_response(
            StatusCode::BAD_REQUEST,
            codes::BAD_USER_INPUT,
            &format!(
                "an operation runs at most {MAX_MUTATION_FIELDS} mutations, this one {}; split it",
                fields.len()
            ),
        )
    })
}

/// Applies the mutation and new-cart allowances to a mutation about to run: one mutation per
/// root field, one new cart per field that opens a guest cart for this caller.
pub(super) async fn rate_limited(
    state: &HttpState,
    fields: &[&str],
    viewer: &Viewer,
    address: &str,
) -> Result<(), Refusal> {
    state
        .rate
        .mutations(viewer, address, fields.len().max(1))
        .await?;
    let opening = fields
        .iter()
        .filter(|name| opens_guest_cart(name, viewer))
        .count();
    state.rate.new_carts(address, opening).await
}

/// The mutations that open a cart for a caller without one: `createCart` always opens a new
/// guest cart for anyone but a user; the others open one for a caller without credentials.
/// Every mutation whose service creates a cart on demand belongs here (a test drives each as
/// an anonymous caller against the new-cart limit).
pub const OPENS_A_CART: [&str; 6] = [
    "createCart",
    "addToCart",
    "syncCart",
    "updateCartAttributes",
    "updateBuyerIdentity",
    "applyDiscountCode",
];

fn opens_guest_cart(field: &str, viewer: &Viewer) -> bool {
    match viewer {
        Viewer::User(_) => false,
        Viewer::Guest(_) => field == "createCart",
        Viewer::Anonymous => OPENS_A_CART.contains(&field),
    }
}

/// The 429 answer to a refused allowance.
pub(super) fn too_many_requests(refusal: Refusal) -> Response {
    let wait = match refusal {
        Refusal::Wait(wait) => wait,
        Refusal::TooMany => {
            return error_response(
                StatusCode::TOO_MANY_REQUESTS,
                codes::RATE_LIMITED,
                "the operation runs more mutations than a whole minute's allowance; split it",
            );
        }
    };
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        codes::RATE_LIMITED,
        "too many requests; retry after the time in Retry-After",
    );
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
