//! Renderers: every output format is built from the one report model.

pub mod json;
pub mod table;

use std::io::IsTerminal;

/// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}
