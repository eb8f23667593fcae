//! The bounds against amplification: how much one request, one principal or one client
//! address can make the service do (DESIGN "No amplification", RELIABILITY R24).

use super::{Fallback::Value, Setting, setting};

pub const MAX_NODES: Setting = setting(
    "CARTQL_MAX_NODES",
    Value("100"),
    "Ids one request may look up with node and nodes in all (aliases and fragments included); a request naming more is refused with BAD_USER_INPUT before anything runs.",
);

pub const WS_MAX_PER_PRINCIPAL: Setting = setting(
    "CARTQL_WS_MAX_PER_PRINCIPAL",
    Value("8"),
    "WebSocket connections one user or guest token may hold open on an instance; one more is closed with 4429 at connection_init.",
);

pub const WS_MAX_PER_ADDRESS: Setting = setting(
    "CARTQL_WS_MAX_PER_ADDRESS",
    Value("64"),
    "WebSocket connections one client address may hold open on an instance; one more is refused with 429 before the upgrade.",
);

pub const WS_IDLE_TIMEOUT: Setting = setting(
    "CARTQL_WS_IDLE_TIMEOUT",
    Value("60s"),
    "A WebSocket connection without an active subscription for this long after connection_init is closed (1000, normal closure).",
);
