//! The subscription root: `cartUpdated`, over GraphQL over WebSocket (`/graphql/ws`). Each
//! subscriber reads its cart once when it subscribes; after that it follows its cart's feed
//! (`live::Follower`), which reads each change once for every subscriber of the cart on the
//! instance, and resolves its own selection from the shared view.

use async_graphql::{Context, Result, Subscription};
use futures::{Stream, StreamExt, stream};

use crate::{
    error::AppError,
    graphql::{context::ContextExt, types::Cart},
    live,
    service::cart,
};

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The caller's cart now, then again after every change to it, made from any tab, device
    /// or instance (null once it is cleared, merged away or expired). Authorized like queries:
    /// the connection's init payload carries `Authorization` or `X-Cart-Token`.
    async fn cart_updated(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Option<Cart>>> {
        let viewer = ctx.viewer().clone();
        let key = live::owner_key(&viewer, None).ok_or(AppError::Unauthenticated(
            "cartUpdated needs Authorization or X-Cart-Token in the connection's init payload",
        ))?;
        let state = ctx.state().clone();
        let include = Cart::include(ctx.look_ahead());
        // Followed before the first read, so no change can fall between the two.
        let follower = state.live.follow(&key, &state.db, &viewer, include);
        // A failed first read sends nothing: the next change (or reconnect) sends the cart.
        let first = match cart::viewer_cart(&state.db, &viewer, include).await {
            Ok(view) => Some(view),
            Err(err) => {
                tracing::warn!(error = ?err, "cartUpdated could not read the cart");
                None
            }
        };
        let settings = state.settings;
        let updates = stream::unfold(follower, |mut follower| async move {
            let view = follower.next().await?;
            Some((Option::clone(&view), follower))
        });
        Ok(stream::iter(first)
            .chain(updates)
            .map(move |view| view.map(|view| Cart::new(view, settings))))
    }
}
