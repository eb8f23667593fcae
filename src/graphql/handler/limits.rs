//! Rate limits as the GraphQL handler applies them.

use async_graphql::parser::types::{OperationDefinition, Selection};
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};

use crate::{auth::Viewer, startup::AppState};

use super::error_response;

/// Applies the mutation and new-cart allowances to a mutation about to run.
pub(super) fn rate_limited(
    state: &AppState,
    operation: Option<&OperationDefinition>,
    viewer: &Viewer,
    address: &str,
) -> Option<std::time::Duration> {
    if let Err(wait) = state.rate.mutation(viewer, address) {
        return Some(wait);
    }
    let user = matches!(viewer, Viewer::User(_));
    let opens_guest_cart =
        operation?
            .selection_set
            .node
            .items
            .iter()
            .any(|item| match &item.node {
                Selection::Field(field) => match field.node.name.node.as_str() {
                    "createCart" => !user,
                    // Without any credential these open a guest cart too.
                    "addToCart" | "syncCart" | "updateCartAttributes" => {
                        matches!(viewer, Viewer::Anonymous)
                    }
                    _ => false,
                },
                _ => false,
            });
    if opens_guest_cart {
        return state.rate.new_cart(address).err();
    }
    None
}

pub(super) fn too_many_requests(wait: std::time::Duration) -> Response {
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "too many requests; retry after the time in Retry-After",
    );
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
