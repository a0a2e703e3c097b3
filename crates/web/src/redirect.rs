//! Where a redirect taken from input may lead: a path on this site, nothing else. The one
//! check for every such target — sign-in's `next`, the bulk actions' and the workspace
//! switcher's `back`, an error page's way back (from the `Referer`).
//!
//! Browsers are lenient in ways a prefix check is not: they drop tabs and newlines inside
//! a URL (`/\t/evil.example` becomes `//evil.example`), read `\` as `/`, and resolve
//! `//host` as another site. Some proxies and frameworks decode `%2f`, `%5c` or `%09`
//! before anyone looks. So a target is refused when it, or any of its percent-decoded
//! forms, holds whitespace, a control or invisible formatting character, a backslash or
//! `//`; what remains is resolved by the WHATWG URL parser (the `url` crate, as a browser
//! would) against this origin and must stay on it. The answer is that parser's path, query
//! and fragment: ASCII only, so it is always a valid `Location`.

use domain::text::{Lines, problem};
use percent_encoding::percent_decode_str;
use url::{Position, Url};

/// The stand-in origin targets are resolved against; only the path part leaves here.
const ORIGIN: &str = "http://roster.invalid/";

/// Rounds of percent-decoding looked through (`%252f` is `%2f` after one round, `/` after
/// two). A target still changing after that many rounds is refused.
const DECODE_ROUNDS: usize = 4;

/// `input` as a path on this site (with its query and fragment, normalized by the URL
/// parser), or `None` when following it could lead anywhere else or when it is not a path
/// (`https://…`, `javascript:…`, `//host`, `/\host`, `/%09/host`, relative paths, …).
pub fn same_origin_path(input: &str) -> Option<String> {
    if !input.starts_with('/') {
        return None;
    }
    let mut form = input.to_owned();
    let mut settled = false;
    for _ in 0..DECODE_ROUNDS {
        if dangerous(&form) {
            return None;
        }
        let decoded = percent_decode_str(&form).decode_utf8().ok()?.into_owned();
        if decoded == form {
            settled = true;
            break;
        }
        form = decoded;
    }
    if !settled {
        return None;
    }
    let origin = Url::parse(ORIGIN).expect("the stand-in origin is a URL");
    let url = origin.join(input).ok()?;
    let same = url.origin() == origin.origin() && url.username().is_empty() && url.password().is_none();
    same.then(|| url[Position::BeforePath..].to_owned())
}

/// [`same_origin_path`] of `input`, or the start page `/` when there is none or it is refused.
pub fn same_origin_path_or_home(input: Option<&str>) -> String {
    input.and_then(same_origin_path).unwrap_or_else(|| "/".to_owned())
}

/// What no redirect target may hold, in any of its forms.
fn dangerous(form: &str) -> bool {
    form.contains("//")
        || form.contains('\\')
        || form.chars().any(char::is_whitespace)
        || problem(form, Lines::One).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known open-redirect bypasses (from the OWASP cheat sheet, PortSwigger's and
    /// PayloadsAllTheThings' lists): none may pass.
    const BYPASSES: &[&str] = &[
        "//evil.example",
        "///evil.example",
        "////evil.example",
        "//evil.example/%2f..",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "/%5cevil.example",
        "/%5C%5Cevil.example",
        "/%2f%2fevil.example",
        "/%2F/evil.example",
        "/%252f%252fevil.example",
        "/%255cevil.example",
        "/%%32%66/evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/%0a/evil.example",
        "/\n/evil.example",
        "/%0d/evil.example",
        "/\r/evil.example",
        "/%0d%0a/evil.example",
        "/%00/evil.example",
        "/\0/evil.example",
        "/%7f/evil.example",
        "/%20/evil.example",
        "/ /evil.example",
        "/\u{a0}/evil.example",
        "/%C2%A0/evil.example",
        "/\u{2028}/evil.example",
        "/\u{3000}/evil.example",
        "/\u{202e}elpmaxe.live//",
        "/%E2%80%8B/evil.example",
        "\t//evil.example",
        " //evil.example",
        "//evil%E3%80%82example",
        "//evil\u{3002}example",
        "//\u{24d4}\u{24e5}\u{24d8}\u{24db}.example",
        "//xn--evl-xla.example",
        "https://evil.example",
        "http:evil.example",
        "https:/evil.example",
        "https:\\\\evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "\u{1}javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "@evil.example",
        "%2f%2fevil.example",
        "./evil",
        "/https://evil.example",
        "/admin/users?next=//evil.example",
        "",
    ];

    #[test]
    fn known_open_redirect_bypasses_are_refused() {
        let passed: Vec<(&str, String)> =
            BYPASSES.iter().filter_map(|b| same_origin_path(b).map(|p| (*b, p))).collect();
        assert!(passed.is_empty(), "these would redirect: {passed:?}");
        assert!(BYPASSES.len() >= 50);
    }

    #[test]
    fn local_paths_pass_normalized() {
        for (input, expected) in [
            ("/", "/"),
            ("/admin/users", "/admin/users"),
            ("/admin/users?q=ann+lee&status=active", "/admin/users?q=ann+lee&status=active"),
            ("/admin/users?q=M%C3%BCller", "/admin/users?q=M%C3%BCller"),
            ("/admin/users?q=Müller", "/admin/users?q=M%C3%BCller"),
            ("/me/sessions#current", "/me/sessions#current"),
            ("/admin/./users/../users", "/admin/users"),
            ("/@evil.example", "/@evil.example"),
            ("/admin%2Fusers", "/admin%2Fusers"),
        ] {
            assert_eq!(same_origin_path(input).as_deref(), Some(expected), "{input}");
        }
    }

    #[test]
    fn refusals_lead_home() {
        assert_eq!(same_origin_path_or_home(Some("/%09/evil.example")), "/");
        assert_eq!(same_origin_path_or_home(None), "/");
        assert_eq!(same_origin_path_or_home(Some("/admin/groups")), "/admin/groups");
    }
}
