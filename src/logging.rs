//! The process's log output: text for people or JSON lines for log shippers
//! (`CARTQL_LOG_FORMAT`), filtered by `CARTQL_LOG`. Colours only for a person at a terminal:
//! ANSI escape codes in a file or a journal are noise to every reader and grep.

use std::{ffi::OsStr, io::IsTerminal};

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to standard output.
pub fn init(filter: EnvFilter, json: bool) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        // The request span (its x-request-id) on every event, without its ancestors.
        builder
            .with_ansi(false)
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        let ansi = colours(
            std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        builder.with_ansi(ansi).init();
    }
}

/// Whether text logs are coloured: on a terminal, unless `NO_COLOR` is set to anything but
/// the empty string (<https://no-color.org>).
pub fn colours(terminal: bool, no_color: Option<&OsStr>) -> bool {
    terminal && no_color.is_none_or(OsStr::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(colours(true, None));
        assert!(colours(true, Some(OsStr::new(""))));
        assert!(!colours(true, Some(OsStr::new("1"))));
        assert!(!colours(false, None));
        assert!(!colours(false, Some(OsStr::new(""))));
    }
}
