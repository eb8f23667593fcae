//! A bounded cache of parsed documents. Storefronts send the same few operations over and
//! over; parsing one costs more than the rest of a small request's bookkeeping, so each
//! distinct text is parsed once and later requests get a copy of the syntax tree. Only small
//! documents are kept, and at most [`CAPACITY`] of them (least recently used go first), so a
//! stream of unique documents costs a miss each and no memory beyond the bound.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::{Request, ServerError, parser::types::ExecutableDocument};
use lru::LruCache;

use crate::graphql::{
    bounds::{self, BoundsError},
    compiled::ViewPlans,
};

/// Most documents kept.
const CAPACITY: usize = 256;
/// Longest document text kept; longer ones are parsed every time.
const MAX_CACHED_LEN: usize = 8 * 1024;

/// Why a document could not be had: refused before parsing, or not valid GraphQL.
#[derive(Debug)]
pub enum DocumentError {
    Bounds(BoundsError),
    Syntax(ServerError),
}

/// A cached document and the compiled view plans of its operations.
type Entry = (ExecutableDocument, Arc<ViewPlans>);

pub struct DocumentCache(Mutex<LruCache<String, Entry>>);

impl Default for DocumentCache {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(
            NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
        )))
    }
}

impl DocumentCache {
    /// Gives `request` its parsed document, from the cache when its text was seen before,
    /// with the document's view plans when it is cached. A text met for the first time is
    /// bounded ([`bounds::check`]) before it is parsed.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<(&'r ExecutableDocument, Option<Arc<ViewPlans>>), DocumentError> {
        let cacheable = request.query.len() <= MAX_CACHED_LEN;
        let cached = if cacheable {
            self.lock().get(&request.query).cloned()
        } else {
            None
        };
        let plans = if let Some((document, plans)) = cached {
            request.set_parsed_query(document);
            Some(plans)
        } else {
            bounds::check(&request.query).map_err(DocumentError::Bounds)?;
            let document = request
                .parsed_query()
                .map_err(DocumentError::Syntax)?
                .clone();
            cacheable.then(|| {
                let plans = Arc::new(ViewPlans::default());
                self.lock()
                    .put(request.query.clone(), (document, plans.clone()));
                plans
            })
        };
        let document = request.parsed_query().map_err(DocumentError::Syntax)?;
        Ok((document, plans))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Entry>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_document_is_the_same_tree_and_bad_ones_are_not_kept() {
        let cache = DocumentCache::default();
        let mut first = Request::new("{ cart { id } }");
        let parsed = format!("{:?}", cache.parse(&mut first).expect("parses").0);
        let mut second = Request::new("{ cart { id } }");
        assert_eq!(
            format!("{:?}", cache.parse(&mut second).expect("cached").0),
            parsed
        );
        assert_eq!(cache.lock().len(), 1);

        let mut broken = Request::new("{ cart { ");
        assert!(matches!(
            cache.parse(&mut broken),
            Err(DocumentError::Syntax(_))
        ));
        let mut deep = Request::new(format!("{{ a(b: {}) }}", "[".repeat(5_000)));
        assert!(matches!(
            cache.parse(&mut deep),
            Err(DocumentError::Bounds(_))
        ));
        assert_eq!(cache.lock().len(), 1);
    }
}
