//! The settings that keep checkout holds scarce and payment safe.

use anyhow::Context;

use super::env::Env;
use crate::{
    service::cart::{HoldRules, parse_share},
    settings,
};

pub(super) fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> anyhow::Result<HoldRules> {
    let share = env.value(&settings::HOLD_MAX_SHARE);
    Ok(HoldRules {
        max_checkouts: env.number(&settings::HOLD_MAX_CHECKOUTS)?.max(1),
        max_share_ppm: parse_share(&share)
            .filter(|ppm| *ppm > 0)
            .with_context(|| {
                format!(
                    "{} must be a decimal above 0 and at most 1, got {share:?}",
                    settings::HOLD_MAX_SHARE.name
                )
            })?,
        cooldown: match env.value(&settings::HOLD_COOLDOWN).trim() {
            "0" => std::time::Duration::ZERO,
            _ => env.duration(&settings::HOLD_COOLDOWN)?,
        },
        payment_window: env.duration(&settings::CHECKOUT_PAYMENT_WINDOW)?,
    })
}
