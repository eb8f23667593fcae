//! The subscription root: `cartUpdated`, over GraphQL over WebSocket (`/graphql/ws`).

use async_graphql::{Context, Result, Subscription};
use futures::{Stream, StreamExt, stream};
use tokio::sync::broadcast::{Receiver, error::RecvError};

use crate::{
    auth::Viewer,
    error::AppError,
    graphql::{
        context::{ContextExt, ServiceState},
        types::Cart,
    },
    live,
    service::cart::{self, Include},
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
        let watch = Watch {
            state: ctx.state().clone(),
            viewer,
            include: Cart::include(ctx.look_ahead()),
            key,
            // Subscribed before the first read, so no change can fall between the two.
            changes: ctx.state().live.subscribe(),
        };
        let first = watch.read().await;
        let updates = stream::unfold(watch, |mut watch| async move {
            let reading = watch.next().await?;
            Some((reading, watch))
        });
        // A failed read sends nothing: the next change (or reconnect) sends the cart again.
        Ok(stream::iter([first])
            .chain(updates)
            .filter_map(|reading| async move {
                match reading {
                    Reading::Cart(cart) => Some(cart),
                    Reading::Failed => None,
                }
            }))
    }
}

/// One subscriber's view of the announcements.
struct Watch {
    state: ServiceState,
    viewer: Viewer,
    /// What each read of the cart includes, from the subscription's selection.
    include: Include,
    key: String,
    changes: Receiver<String>,
}

impl Watch {
    /// Waits for the next change to this cart and reads it; `None` when the hub is gone.
    async fn next(&mut self) -> Option<Reading> {
        loop {
            match self.changes.recv().await {
                Ok(changed) if changed != self.key => continue,
                // Ours, or some announcements were missed: send the cart as it is.
                Ok(_) | Err(RecvError::Lagged(_)) => return Some(self.read().await),
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The cart as it stands.
    async fn read(&self) -> Reading {
        match cart::viewer_cart(&self.state.db, &self.viewer, self.include).await {
            Ok(view) => Reading::Cart(view.map(|view| Cart::new(view, self.state.settings))),
            Err(err) => {
                tracing::warn!(error = ?err, "cartUpdated could not read the cart");
                Reading::Failed
            }
        }
    }
}

/// One read of the watched cart.
enum Reading {
    /// The cart as it stands; `None` when the caller has none (cleared, merged, expired).
    Cart(Option<Cart>),
    /// The read failed; it is logged and nothing is sent.
    Failed,
}
