//! Connections held open at once, per principal and per client address (R24): without a cap
//! one caller could hold thousands of WebSocket connections, each with 16 `cartUpdated`
//! subscriptions. The client address is known before the upgrade, so a connection over its
//! address's cap is refused there with 429; the principal only at `connection_init`, so one
//! over its principal's cap is closed then with 4429. Counts are per instance and forget a
//! key when its last connection closes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use crate::config::AmplificationConfig;

/// The caps and the counts of connections held, shared by every connection of the instance.
#[derive(Clone)]
pub struct WsCaps {
    held: Arc<Mutex<Counts>>,
    per_principal: usize,
    per_address: usize,
    /// How long an initialised connection may hold no subscription (`CARTQL_WS_IDLE_TIMEOUT`).
    pub idle_timeout: Duration,
}

#[derive(Default)]
struct Counts {
    principals: HashMap<String, usize>,
    addresses: HashMap<String, usize>,
}

#[derive(Clone, Copy)]
enum Kind {
    Principal,
    Address,
}

/// One connection's place under a cap; dropping it (the connection closing) frees it.
pub struct Held {
    caps: WsCaps,
    kind: Kind,
    key: String,
}

impl WsCaps {
    pub fn new(config: &AmplificationConfig) -> Self {
        Self {
            held: Arc::default(),
            per_principal: config.ws_max_per_principal,
            per_address: config.ws_max_per_address,
            idle_timeout: config.ws_idle_timeout,
        }
    }

    /// A place for one more connection from `address`; `None` when it holds its cap.
    pub fn address(&self, address: &str) -> Option<Held> {
        self.take(Kind::Address, address)
    }

    /// A place for one more connection of `principal`; `None` when it holds its cap.
    pub fn principal(&self, principal: &str) -> Option<Held> {
        self.take(Kind::Principal, principal)
    }

    fn take(&self, kind: Kind, key: &str) -> Option<Held> {
        let mut counts = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let (map, cap) = counts.of(kind, self);
        let count = map.entry(key.to_owned()).or_default();
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(Held {
            caps: self.clone(),
            kind,
            key: key.to_owned(),
        })
    }
}

impl Counts {
    fn of(&mut self, kind: Kind, caps: &WsCaps) -> (&mut HashMap<String, usize>, usize) {
        match kind {
            Kind::Principal => (&mut self.principals, caps.per_principal),
            Kind::Address => (&mut self.addresses, caps.per_address),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = self
            .caps
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (map, _) = counts.of(self.kind, &self.caps);
        if let Some(count) = map.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_freed_when_its_connection_closes() {
        let caps = WsCaps::new(&AmplificationConfig {
            max_nodes: 100,
            ws_max_per_principal: 2,
            ws_max_per_address: 1,
            ws_idle_timeout: Duration::from_secs(60),
        });
        let (a, b) = (caps.principal("u:1"), caps.principal("u:1"));
        assert!(a.is_some() && b.is_some());
        assert!(caps.principal("u:1").is_none(), "over the principal's cap");
        assert!(caps.principal("u:2").is_some(), "another principal");
        drop(a);
        assert!(
            caps.principal("u:1").is_some(),
            "a closed connection frees its place"
        );
        let held = caps.address("10.0.0.1");
        assert!(held.is_some() && caps.address("10.0.0.1").is_none());
        drop(held);
        let counts = caps.held.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(
            counts.addresses.is_empty(),
            "a key without connections is forgotten"
        );
    }
}
