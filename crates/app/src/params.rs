//! Small helpers for query parameters that arrive as optional text.

/// The trimmed value, or `None` when absent or blank (an empty filter means "any").
pub(crate) fn filled(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}
