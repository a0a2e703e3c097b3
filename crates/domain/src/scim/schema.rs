//! The attributes Roster keeps of its SCIM resources (RFC 7643 §2, §4, §7): what `/Schemas`
//! shows, and what a PATCH may change ([`super::kept`] refuses the rest). One table, so the
//! advertised schema and the PATCH rules cannot drift apart.

use serde_json::{Value, json};

/// RFC 7643 §2.3 data types Roster uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Boolean,
    Complex,
    Reference,
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadWrite,
    ReadOnly,
    Immutable,
}

/// How many values of a multi-valued attribute Roster keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeps {
    /// Any number (groups, members).
    All,
    /// One per `type` (an untyped value counts as `work`).
    OnePerType,
    /// One value (the work one).
    One,
    /// One address, which every value must name (`emails`: the user's one email).
    OneAddress,
}

/// One attribute definition (RFC 7643 §7).
// The flags are RFC 7643 §7's characteristics, one field each as the RFC names them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub multi: bool,
    pub mutability: Mutability,
    pub required: bool,
    pub case_exact: bool,
    /// `uniqueness: server`.
    pub unique: bool,
    pub sub: &'static [Attr],
    pub canonical: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub keeps: Keeps,
    pub description: &'static str,
}

const fn attr(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        mutability: Mutability::ReadWrite,
        required: false,
        case_exact: false,
        unique: false,
        sub: &[],
        canonical: &[],
        reference_types: &[],
        keeps: Keeps::All,
        description: "",
    }
}

const fn s(name: &'static str) -> Attr {
    attr(name, Kind::String)
}

const fn complex(name: &'static str, sub: &'static [Attr]) -> Attr {
    let mut a = attr(name, Kind::Complex);
    a.sub = sub;
    a
}

impl Attr {
    const fn multi(mut self, keeps: Keeps) -> Self {
        self.multi = true;
        self.keeps = keeps;
        self
    }
    const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }
    const fn immutable(mut self) -> Self {
        self.mutability = Mutability::Immutable;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical = values;
        self
    }
    const fn references(mut self, types: &'static [&'static str]) -> Self {
        self.reference_types = types;
        self
    }
    const fn described(mut self, text: &'static str) -> Self {
        self.description = text;
        self
    }

    /// The sub-attribute called `name` (any case).
    pub fn sub_attr(&self, name: &str) -> Option<&'static Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The definition as `/Schemas` shows it (RFC 7643 §7).
    pub fn to_json(&self) -> Value {
        let kind = match self.kind {
            Kind::String => "string",
            Kind::Boolean => "boolean",
            Kind::Complex => "complex",
            Kind::Reference => "reference",
        };
        let mutability = match self.mutability {
            Mutability::ReadWrite => "readWrite",
            Mutability::ReadOnly => "readOnly",
            Mutability::Immutable => "immutable",
        };
        let mut a = json!({
            "name": self.name, "type": kind, "multiValued": self.multi, "description": self.description,
            "required": self.required, "caseExact": self.case_exact, "mutability": mutability,
            "returned": "default", "uniqueness": if self.unique { "server" } else { "none" },
        });
        if self.kind == Kind::Complex {
            a["subAttributes"] = self.sub.iter().map(Attr::to_json).collect();
        }
        if !self.canonical.is_empty() {
            a["canonicalValues"] = json!(self.canonical);
        }
        if !self.reference_types.is_empty() {
            a["referenceTypes"] = json!(self.reference_types);
        }
        a
    }
}

/// The core User attributes Roster keeps (RFC 7643 §4.1).
pub const USER: &[Attr] = &[
    s("userName").required().unique().described(
        "The user's email address (stored canonically; matched case-insensitively). The same address as emails.",
    ),
    // Roster always has both names and a status, so none of them can be removed (a creation
    // without them takes the names from the email and starts active).
    complex("name", &[s("givenName").required(), s("familyName").required()]).required(),
    s("displayName").read_only().described("\"givenName familyName\"."),
    s("title"),
    attr("active", Kind::Boolean).required(),
    complex(
        "emails",
        &[
            s("value").read_only(),
            s("type").read_only().canonical(&["work"]),
            attr("primary", Kind::Boolean).read_only(),
        ],
    )
    .multi(Keeps::OneAddress)
    .read_only()
    .described(
        "The user's one email address, which userName is. Written as userName; a PATCH changing this one value \
         (emails[type eq \"work\"].value, Entra ID's mail) changes userName.",
    ),
    complex("phoneNumbers", &[s("value"), s("type").canonical(&["work", "mobile"])]).multi(Keeps::OnePerType),
    complex(
        "addresses",
        &[
            s("streetAddress"),
            s("locality"),
            s("region"),
            s("postalCode"),
            s("country").described("ISO 3166-1 alpha-2 country code."),
            s("type").canonical(&["work"]),
        ],
    )
    .multi(Keeps::One),
    complex("groups", &[s("value").read_only(), s("display").read_only(), s("type").read_only()])
        .multi(Keeps::All)
        .read_only(),
];

/// `emails` as a PATCH may write it (see [`super::user::settle_patch`]): one address, which
/// becomes `userName`. `/Schemas` shows it read-only (POST and PUT take `userName`), so
/// generic clients do not try to add addresses.
pub const EMAILS_PATCHED: &[Attr] =
    &[complex("emails", &[s("value"), s("type").canonical(&["work"]), attr("primary", Kind::Boolean)])
        .multi(Keeps::OneAddress)];

/// The common attributes of every resource (RFC 7643 §3.1), not listed in `/Schemas`.
pub const COMMON: &[Attr] = &[
    s("id").read_only().case_exact(),
    s("externalId").case_exact().described("The identity provider's id, stored as given; compared case-exactly."),
    complex("meta", &[]).read_only(),
];

/// The enterprise User extension attributes Roster keeps (RFC 7643 §4.3).
pub const ENTERPRISE: &[Attr] = &[s("employeeNumber"), s("organization"), s("department")];

/// The Group attributes Roster keeps (RFC 7643 §4.2).
pub const GROUP: &[Attr] = &[
    s("displayName").required().unique(),
    complex(
        "members",
        &[
            s("value").immutable().case_exact(),
            attr("$ref", Kind::Reference).immutable().references(&["User"]),
            s("type").immutable().canonical(&["User"]),
        ],
    )
    .multi(Keeps::All),
];

/// The attribute called `name` (any case) among `attrs`.
pub fn find(attrs: &'static [Attr], name: &str) -> Option<&'static Attr> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}
