//! The one check every text input passes, whatever carries it (query parameter, path
//! segment, JSON or form field, CSV cell): what characters text may hold, when it counts as
//! present, and how long it may be.
//!
//! Refused everywhere: NUL and other control characters (C0/C1; tab, CR and LF only where
//! several lines are allowed), and invisible formatting characters (Unicode general
//! category Cf: zero-width space, direction overrides, soft hyphen, BOM…). ZERO WIDTH
//! JOINER and NON-JOINER are the exception when they sit between two visible characters,
//! where scripts such as Persian, Hindi and emoji sequences need them. Lone surrogates cannot
//! exist in a Rust `str`; they are refused where text is decoded (JSON, percent-decoding).
//!
//! A value made only of white space and invisible characters (Cf, default-ignorable code
//! points such as U+3164 HANGUL FILLER) is *blank*: a name like that is not present.

use crate::DomainError;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Whether a value may span several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Names, emails, search terms, ids: no tab, CR, LF or line separators.
    One,
    /// Free text (a reason, a pasted list): tab, CR and LF are allowed.
    Many,
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';

/// Why `raw` may not be stored as text, as a message for people (`None`: it may).
/// The message names the first offending character by its code point.
pub fn problem(raw: &str, lines: Lines) -> Option<String> {
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let refused = match c {
            '\0' => Some("must not contain NUL characters".to_owned()),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if lines == Lines::One => Some("must be a single line".to_owned()),
            '\t' | '\n' | '\r' if lines == Lines::Many => None,
            c if c.is_control() => Some(format!("must not contain control characters (U+{:04X})", u32::from(c))),
            ZWNJ | ZWJ if joins_visible(&chars, i) => None,
            c if c.general_category() == GeneralCategory::Format => Some(format!(
                "must not contain invisible formatting characters (U+{:04X}, such as zero-width spaces or direction overrides)",
                u32::from(c)
            )),
            _ => None,
        };
        if refused.is_some() {
            return refused;
        }
    }
    None
}

/// ZWJ/ZWNJ between two visible characters shape a word or an emoji sequence.
fn joins_visible(chars: &[char], i: usize) -> bool {
    let visible = |c: Option<&char>| c.is_some_and(|&c| !c.is_whitespace() && !is_invisible(c));
    i > 0 && visible(chars.get(i - 1)) && visible(chars.get(i + 1))
}

/// Characters that show nothing: formatting characters and default-ignorable code points
/// (UAX #44), including fillers that render as blank letters.
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(c, '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}')
        || matches!(c, '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFA0}' | '\u{E0100}'..='\u{E01EF}')
}

/// True when `raw` holds nothing visible: only white space and invisible characters.
pub fn is_blank(raw: &str) -> bool {
    raw.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// One line of text for the field `field`: trimmed and NFC-normalized (so visually
/// identical spellings are one value), at most `max_chars` characters. `Ok(None)` when
/// blank. Errors name `field`: unsafe characters (see [`problem`]) or too long.
pub fn line(field: &'static str, raw: &str, max_chars: usize) -> Result<Option<String>, DomainError> {
    if let Some(why) = problem(raw, Lines::One) {
        return Err(DomainError::invalid(field, why));
    }
    if is_blank(raw) {
        return Ok(None);
    }
    let s: String = raw.trim().nfc().collect();
    if s.chars().count() > max_chars {
        return Err(DomainError::invalid(field, format!("is longer than {max_chars} characters")));
    }
    Ok(Some(s))
}

/// A search term: one [`line`], lower-cased (names and emails are searched lower-cased);
/// `None` when blank.
pub fn search_term(field: &'static str, raw: &str, max_chars: usize) -> Result<Option<String>, DomainError> {
    Ok(line(field, raw, max_chars)?.map(|s| s.to_lowercase()))
}

/// The key a case-insensitive comparison uses (RFC 7643 §2.1 `caseExact: false`): `raw`
/// lower-cased by Unicode's rules (`str::to_lowercase`: `ÖZTÜRK` → `öztürk`, unlike SQL's
/// ASCII-only `lower()` on SQLite) and NFC-normalized (a precomposed `ö` equals `o` +
/// U+0308). Stored beside names (`users.first_key`, …) so both databases compare, index and
/// order these keys byte for byte. Not a full case fold: `ß` stays `ß` (not `ss`).
pub fn fold(raw: &str) -> String {
    raw.to_lowercase().nfc().collect()
}

/// Like [`line`], but blank is an error: "is required".
pub fn required_line(field: &'static str, raw: &str, max_chars: usize) -> Result<String, DomainError> {
    line(field, raw, max_chars)?.ok_or_else(|| DomainError::invalid(field, "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_of_every_script_and_normalizes() {
        assert_eq!(fold("ÖZTÜRK"), "öztürk");
        assert_eq!(fold("O\u{308}zTÜRK"), "öztürk");
        assert_eq!(fold("ΣΟΦΊΑ"), "σοφία");
        assert_eq!(fold("Łukasz"), "łukasz");
    }

    #[test]
    fn refuses_nul_controls_and_invisible_formatting() {
        for bad in ["a\0b", "a\u{7}b", "a\u{85}b", "a\u{200B}b", "\u{202E}evil", "a\u{FEFF}", "soft\u{AD}hyphen"] {
            assert!(problem(bad, Lines::Many).is_some(), "{bad:?}");
        }
        assert!(problem("a\u{200B}b", Lines::One).unwrap().contains("U+200B"));
    }

    #[test]
    fn line_breaks_only_where_several_lines_are_allowed() {
        assert!(problem("a\r\nb\tc", Lines::Many).is_none());
        for bad in ["a\nb", "a\rb", "a\tb", "a\u{2028}b"] {
            assert!(problem(bad, Lines::One).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn joiners_inside_words_are_kept() {
        assert!(problem("می\u{200C}خواهم", Lines::One).is_none(), "Persian needs ZWNJ");
        assert!(problem("👩\u{200D}💻", Lines::One).is_none(), "emoji sequences need ZWJ");
        assert!(problem("\u{200D}ann", Lines::One).is_some());
        assert!(problem("ann \u{200C}", Lines::One).is_some());
    }

    #[test]
    fn only_invisible_characters_are_blank() {
        for blank in ["", "  ", "\u{3164}", "\u{2800}\u{3164} ", "\u{FE0F}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        assert_eq!(line("name", "\u{3164}\u{3164}", 10).unwrap(), None);
        assert_eq!(required_line("name", " \u{3164} ", 10).unwrap_err(), DomainError::invalid("name", "is required"));
    }

    #[test]
    fn lines_are_trimmed_normalized_and_bounded() {
        assert_eq!(line("name", "  Zoe\u{308} ", 10).unwrap().as_deref(), Some("Zoë"));
        assert_eq!(line("name", "Zoë", 10).unwrap().as_deref(), Some("Zoë"));
        assert!(line("name", &"x".repeat(11), 10).is_err());
        assert!(line("name", &"x".repeat(10), 10).is_ok());
    }
}
