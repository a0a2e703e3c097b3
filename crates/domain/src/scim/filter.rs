//! SCIM filters (RFC 7644 §3.4.2.2): the parser and an evaluator for JSON values.
//!
//! Hand-written rather than the `scim-filter` crate: that crate evaluates filters against
//! in-memory serde collections (we translate them to SQL, [`crate::scim::attr`]) and brings
//! `chrono`, `rust_decimal` and `nom` 7 along; the grammar is small enough to read here.
//!
//! Precedence, loosest first: `or`, `and`, `not (…)`; parentheses group. Attribute names,
//! operators and the literals `true`, `false`, `null` are case-insensitive.

use super::ScimError;
use serde_json::Value;

/// `[uri ":"] name ["." sub]`, e.g. `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The schema URN, when the path names one (kept as written).
    pub uri: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Parses one attribute path; `None` when it is not one (empty name, stray characters).
    pub fn parse(raw: &str) -> Option<Self> {
        let (uri, rest) = match raw.rfind(':') {
            Some(i) => (Some(raw[..i].to_owned()), &raw[i + 1..]),
            None => (None, raw),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s.to_owned())),
            None => (rest, None),
        };
        let valid = |s: &str| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        };
        if !valid(name) || sub.as_deref().is_some_and(|s| !valid(s)) {
            return None;
        }
        Some(Self { uri, name: name.to_owned(), sub })
    }

    /// `name` or `name.sub`, lower-cased, without the URN: what mappings match on.
    pub fn key(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{}", self.name, s).to_ascii_lowercase(),
            None => self.name.to_ascii_lowercase(),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value`; `value` is a JSON string, number, boolean or null.
    Compare(AttrPath, CompareOp, Value),
    /// `attr pr`.
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some value of the multi-valued `attr` matches `filter`.
    ValuePath(AttrPath, Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Word(String),
    Str(String),
}

fn invalid(why: impl Into<String>) -> ScimError {
    ScimError::bad_request("invalidFilter", why)
}

fn tokenize(s: &str) -> Result<Vec<Token>, ScimError> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    match d {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(j);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| invalid("a string is not closed"))?;
                let text: String =
                    serde_json::from_str(&s[i..=end]).map_err(|_| invalid("a string has a bad escape"))?;
                out.push(Token::Str(text));
            }
            _ => {
                let start = i;
                let mut end = s.len();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '[' | ']' | '"') {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                out.push(Token::Word(s[start..end].to_owned()));
            }
        }
    }
    Ok(out)
}

/// How deeply groups (`(…)`, `not (…)`, `attr[…]`) may nest: far beyond what any client
/// writes, and shallow enough that parsing, translating to SQL and dropping the tree stay
/// well within a worker thread's stack (a 4096-character filter could otherwise nest 2,000
/// deep and abort the whole server with a stack overflow).
pub const MAX_DEPTH: usize = 32;

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, t: Token, what: &str) -> Result<(), ScimError> {
        if self.next() == Some(t) { Ok(()) } else { Err(invalid(format!("expected {what}"))) }
    }

    fn or(&mut self) -> Result<Filter, ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(format!("groups nest deeper than {MAX_DEPTH}")));
        }
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.not()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Filter, ScimError> {
        if self.peek_word("not") {
            self.at += 1;
            self.expect(Token::Open, "\"(\" after \"not\"")?;
            let inner = self.or()?;
            self.expect(Token::Close, "\")\"")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Filter, ScimError> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "\")\"")?;
                Ok(inner)
            }
            Some(Token::Word(w)) => {
                let path = AttrPath::parse(&w).ok_or_else(|| invalid(format!("{w:?} is not an attribute path")))?;
                if self.tokens.get(self.at) == Some(&Token::OpenBracket) {
                    self.at += 1;
                    let inner = self.or()?;
                    self.expect(Token::CloseBracket, "\"]\"")?;
                    return Ok(Filter::ValuePath(path, Box::new(inner)));
                }
                match self.next() {
                    Some(Token::Word(op)) if op.eq_ignore_ascii_case("pr") => Ok(Filter::Present(path)),
                    Some(Token::Word(op)) => {
                        let op = CompareOp::parse(&op).ok_or_else(|| invalid(format!("unknown operator {op:?}")))?;
                        Ok(Filter::Compare(path, op, self.value()?))
                    }
                    _ => Err(invalid(format!("expected an operator after {w:?}"))),
                }
            }
            _ => Err(invalid("expected an attribute, \"not\" or \"(\"")),
        }
    }

    fn value(&mut self) -> Result<Value, ScimError> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Value::String(s)),
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| invalid(format!("{w:?} is not a value (quote strings)"))),
            },
            _ => Err(invalid("expected a value")),
        }
    }
}

/// Parses a filter. 400 `invalidFilter` naming the problem.
pub fn parse(raw: &str) -> Result<Filter, ScimError> {
    let mut p = Parser { tokens: tokenize(raw)?, at: 0, depth: 0 };
    let f = p.or()?;
    if p.at < p.tokens.len() {
        return Err(invalid("unexpected text after the filter"));
    }
    Ok(f)
}

/// The value at `key` of a JSON object, the key matched case-insensitively (RFC 7643 §2.1).
pub fn get_ci<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

impl Filter {
    /// Whether the JSON object `v` matches (attribute names and string values compared
    /// case-insensitively; a multi-valued attribute matches when any value does).
    pub fn matches(&self, v: &Value) -> bool {
        match self {
            Self::And(a, b) => a.matches(v) && b.matches(v),
            Self::Or(a, b) => a.matches(v) || b.matches(v),
            Self::Not(a) => !a.matches(v),
            Self::Present(p) => values(v, p).iter().any(|x| !x.is_null() && x.as_str() != Some("")),
            Self::Compare(p, op, want) => values(v, p).iter().any(|x| compare(x, *op, want)),
            Self::ValuePath(p, inner) => {
                let whole = AttrPath { uri: p.uri.clone(), name: p.name.clone(), sub: None };
                values(v, &whole).iter().any(|x| inner.matches(x))
            }
        }
    }
}

/// The values `p` names in `v`, arrays flattened.
fn values<'a>(v: &'a Value, p: &AttrPath) -> Vec<&'a Value> {
    let Some(obj) = v.as_object() else { return Vec::new() };
    let container = match &p.uri {
        Some(uri) => get_ci(obj, uri).and_then(Value::as_object).unwrap_or(obj),
        None => obj,
    };
    let Some(top) = get_ci(container, &p.name) else { return Vec::new() };
    let flat: Vec<&Value> = match top {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    match &p.sub {
        None => flat,
        Some(sub) => flat.into_iter().filter_map(|x| x.as_object().and_then(|o| get_ci(o, sub))).collect(),
    }
}

fn compare(have: &Value, op: CompareOp, want: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (have, want) {
        (Value::String(a), Value::String(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                CompareOp::Co => return a.contains(&b),
                CompareOp::Sw => return a.starts_with(&b),
                CompareOp::Ew => return a.ends_with(&b),
                _ => a.cmp(&b),
            }
        }
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(Ordering::Equal),
        (_, Value::Null) => return matches!(op, CompareOp::Eq) == have.is_null(),
        _ => return op == CompareOp::Ne,
    };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Filter {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn parses_the_rfc_examples() {
        assert_eq!(
            p("userName Eq \"bjensen\""),
            Filter::Compare(AttrPath::parse("userName").unwrap(), CompareOp::Eq, json!("bjensen"))
        );
        for f in [
            "name.familyName co \"O'Malley\"",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"",
            "title pr",
            "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
            "title pr and userType eq \"Employee\"",
            "title pr or userType eq \"Intern\"",
            "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")",
            "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")",
            "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]",
            "active eq TRUE",
            "x eq null",
            "x gt 3.5",
        ] {
            p(f);
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let Filter::Or(_, right) = p("a pr or b pr and c pr") else { panic!("or at the top") };
        assert!(matches!(*right, Filter::And(..)));
    }

    #[test]
    fn refuses_malformed_filters() {
        for bad in
            ["", "userName", "userName eq", "userName zz \"x\"", "(a pr", "a pr)", "a eq bare", "\"x", "not a pr"]
        {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
    }

    #[test]
    fn evaluates_value_filters() {
        let user =
            json!({"emails": [{"type": "home", "value": "a@x"}, {"type": "Work", "value": "b@y"}], "active": true});
        assert!(p("emails[type eq \"work\"]").matches(&user));
        assert!(p("emails.value ew \"@Y\"").matches(&user));
        assert!(!p("emails[type eq \"work\" and value eq \"a@x\"]").matches(&user));
        assert!(p("active eq true and not (emails pr and active eq false)").matches(&user));
        assert!(!p("nickName pr").matches(&user));
    }
}
