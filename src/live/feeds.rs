//! One read per change per instance (R24): every `cartUpdated` subscriber of one cart on this
//! instance follows the same feed. The feed, one task per owner key, sees each announcement
//! of its key once, reads the cart once (with what any of its subscribers' selections needs)
//! and hands that view to all of them; each still resolves its own selection from it. Without
//! it, 20 subscribers of one cart re-read it 20 times per change. A subscriber that falls
//! behind skips to the newest view, as it would skip to the current cart after missing
//! announcements. The feed ends with its last subscriber.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
};

use sea_orm::DatabaseConnection;
use tokio::sync::{
    broadcast::{self, error::RecvError},
    watch,
};

use crate::{
    auth::Viewer,
    service::cart::{self, CartView, Include},
};

/// A cart's view after a change: `None` when the owner has no cart any more.
pub type Shared = Arc<Option<CartView>>;

/// The feeds of this instance, by owner key.
#[derive(Clone, Default)]
pub struct Feeds {
    by_key: Arc<Mutex<HashMap<String, Feed>>>,
}

#[derive(Clone)]
struct Feed {
    views: Arc<watch::Sender<Option<Shared>>>,
    interest: Arc<Interest>,
}

/// How many followers want media and prices: the feed's read includes what any wants.
#[derive(Default)]
struct Interest {
    media: AtomicUsize,
    prices: AtomicUsize,
}

impl Interest {
    fn include(&self) -> Include {
        Include {
            media: self.media.load(Ordering::SeqCst) > 0,
            prices: self.prices.load(Ordering::SeqCst) > 0,
        }
    }

    fn count(&self, include: Include, up: bool) {
        for (wanted, counter) in [(include.media, &self.media), (include.prices, &self.prices)] {
            if wanted {
                match up {
                    true => counter.fetch_add(1, Ordering::SeqCst),
                    false => counter.fetch_sub(1, Ordering::SeqCst),
                };
            }
        }
    }
}

/// One subscriber's place on its cart's feed.
pub struct Follower {
    views: watch::Receiver<Option<Shared>>,
    interest: Arc<Interest>,
    include: Include,
}

impl Follower {
    /// The view after the next change (or the newest, when several came meanwhile); `None`
    /// when the feed is gone.
    pub async fn next(&mut self) -> Option<Shared> {
        loop {
            self.views.changed().await.ok()?;
            if let Some(view) = self.views.borrow_and_update().clone() {
                return Some(view);
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.interest.count(self.include, false);
    }
}

impl Feeds {
    /// Follows the cart of `key` (whose owner `viewer` is) from now on: a change announced
    /// on `changes` after this call reaches the follower. The first follower of a key starts
    /// its feed.
    pub fn follow(
        &self,
        key: &str,
        db: &DatabaseConnection,
        viewer: &Viewer,
        include: Include,
        changes: &broadcast::Sender<String>,
    ) -> Follower {
        let mut by_key = self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        let feed = by_key.entry(key.to_owned()).or_insert_with(|| {
            let feed = Feed {
                views: Arc::new(watch::channel(None).0),
                interest: Arc::default(),
            };
            // Subscribed now, before the follower's first read, so no change falls between.
            let task = FeedTask {
                feeds: self.clone(),
                key: key.to_owned(),
                db: db.clone(),
                viewer: viewer.clone(),
                feed: feed.clone(),
                changes: changes.subscribe(),
            };
            tokio::spawn(task.run());
            feed
        });
        feed.interest.count(include, true);
        Follower {
            views: feed.views.subscribe(),
            interest: feed.interest.clone(),
            include,
        }
    }

    /// Followers of `key` on this instance (for tests and metrics).
    pub fn followers(&self, key: &str) -> usize {
        let by_key = self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        by_key
            .get(key)
            .map_or(0, |feed| feed.views.receiver_count())
    }
}

struct FeedTask {
    feeds: Feeds,
    key: String,
    db: DatabaseConnection,
    viewer: Viewer,
    feed: Feed,
    changes: broadcast::Receiver<String>,
}

impl FeedTask {
    async fn run(mut self) {
        loop {
            tokio::select! {
                () = self.feed.views.closed() => {
                    if self.forget_when_unfollowed() {
                        return;
                    }
                }
                announced = self.changes.recv() => match announced {
                    Ok(changed) if changed != self.key => {}
                    // Ours, or some announcements were missed: read the cart as it is.
                    Ok(_) | Err(RecvError::Lagged(_)) => self.read().await,
                    Err(RecvError::Closed) => {
                        self.forget();
                        return;
                    }
                },
            }
        }
    }

    /// One read for every follower. A failed read sends nothing: the next change sends the
    /// cart again.
    async fn read(&self) {
        let include = self.feed.interest.include();
        match cart::viewer_cart(&self.db, &self.viewer, include).await {
            Ok(view) => {
                self.feed.views.send_replace(Some(Arc::new(view)));
            }
            Err(err) => tracing::warn!(error = ?err, "cartUpdated could not read the cart"),
        }
    }

    /// Ends the feed when nobody follows it, checked under the registry's lock so that a
    /// follower joining meanwhile keeps it.
    fn forget_when_unfollowed(&self) -> bool {
        let mut by_key = self
            .feeds
            .by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.feed.views.receiver_count() > 0 {
            return false;
        }
        by_key.remove(&self.key);
        true
    }

    fn forget(&self) {
        let mut by_key = self
            .feeds
            .by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        by_key.remove(&self.key);
    }
}
