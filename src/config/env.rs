//! Reading one setting: its value from the environment, else its declared default, parsed.

use std::time::Duration;

use anyhow::Context;

use crate::settings::Setting;

/// The environment read through the settings' declarations: a value the environment leaves
/// unset (or blank) takes the declared default for this environment.
pub(super) struct Env<F> {
    pub(super) lookup: F,
    pub(super) production: bool,
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// The value set in the environment, trimmed; `None` when unset or blank.
    pub(super) fn get(&self, setting: &Setting) -> Option<String> {
        (self.lookup)(setting.name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The value set, else the declared default ("" for a setting without one).
    pub(super) fn value(&self, setting: &Setting) -> String {
        self.get(setting).unwrap_or_else(|| {
            setting
                .default
                .value(self.production)
                .unwrap_or_default()
                .to_owned()
        })
    }

    pub(super) fn number(&self, setting: &Setting) -> anyhow::Result<u32> {
        self.value(setting)
            .parse()
            .with_context(|| format!("{} must be a whole number", setting.name))
    }

    pub(super) fn duration(&self, setting: &Setting) -> anyhow::Result<Duration> {
        parse_duration(&self.value(setting))
            .with_context(|| format!("{} must look like 30d, 12h, 45m or 10s", setting.name))
    }

    pub(super) fn flag(&self, setting: &Setting) -> anyhow::Result<bool> {
        parse_bool(&self.value(setting))
            .with_context(|| format!("{} must be true or false", setting.name))
    }

    /// A comma-separated list, blanks dropped.
    pub(super) fn list(&self, setting: &Setting) -> Vec<String> {
        self.value(setting)
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// `30d`, `12h`, `45m`, `10s` or a plain number of seconds.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (number, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => raw.split_at(at),
        None => (raw, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let duration = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3_600)?),
        "d" => Duration::from_secs(n.checked_mul(86_400)?),
        _ => return None,
    };
    (!duration.is_zero()).then_some(duration)
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}
