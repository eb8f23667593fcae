//! The bounds against amplification (`CARTQL_MAX_NODES`, `CARTQL_WS_*`): what one request,
//! one principal or one client address may make the service do.

use std::time::Duration;

use anyhow::bail;

use super::env::Env;
use crate::settings;

/// Per request, per principal and per address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmplificationConfig {
    /// `CARTQL_MAX_NODES`: ids one request may look up with `node` and `nodes` in all.
    pub max_nodes: usize,
    /// `CARTQL_WS_MAX_PER_PRINCIPAL`: WebSocket connections one principal may hold open.
    pub ws_max_per_principal: usize,
    /// `CARTQL_WS_MAX_PER_ADDRESS`: WebSocket connections one client address may hold open.
    pub ws_max_per_address: usize,
    /// `CARTQL_WS_IDLE_TIMEOUT`: how long an initialised connection may hold no subscription.
    pub ws_idle_timeout: Duration,
}

pub(super) fn read<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> anyhow::Result<AmplificationConfig> {
    let config = AmplificationConfig {
        max_nodes: env.number(&settings::MAX_NODES)? as usize,
        ws_max_per_principal: env.number(&settings::WS_MAX_PER_PRINCIPAL)? as usize,
        ws_max_per_address: env.number(&settings::WS_MAX_PER_ADDRESS)? as usize,
        ws_idle_timeout: env.duration(&settings::WS_IDLE_TIMEOUT)?,
    };
    if config.max_nodes == 0 || config.ws_max_per_principal == 0 || config.ws_max_per_address == 0 {
        bail!(
            "{}, {} and {} must be ≥ 1",
            settings::MAX_NODES.name,
            settings::WS_MAX_PER_PRINCIPAL.name,
            settings::WS_MAX_PER_ADDRESS.name
        );
    }
    Ok(config)
}
