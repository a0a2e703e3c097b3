//! The profile fields of PRODUCT.md §4: three default fields every profile shows, and twelve
//! controlled ones an account enables as it needs them.

use crate::DomainError;
use std::str::FromStr;

/// One profile field. The order here is the order of every form and list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileField {
    FirstName,
    LastName,
    Picture,
    Company,
    Department,
    Title,
    EmployeeOrgId,
    MobileNumber,
    WorkNumber,
    AddressLine1,
    AddressLine2,
    City,
    State,
    Zip,
    Country,
}

/// As its key (`company`), the one form the API shows.
impl serde::Serialize for ProfileField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// From its key, as [`std::str::FromStr`] reads it.
impl<'de> serde::Deserialize<'de> for ProfileField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        key.parse().map_err(serde::de::Error::custom)
    }
}

impl ProfileField {
    pub const ALL: [ProfileField; 15] = [
        Self::FirstName,
        Self::LastName,
        Self::Picture,
        Self::Company,
        Self::Department,
        Self::Title,
        Self::EmployeeOrgId,
        Self::MobileNumber,
        Self::WorkNumber,
        Self::AddressLine1,
        Self::AddressLine2,
        Self::City,
        Self::State,
        Self::Zip,
        Self::Country,
    ];

    /// The controlled fields, stored in the user's `profile` document under [`Self::key`].
    pub fn controlled() -> impl Iterator<Item = ProfileField> {
        Self::ALL.into_iter().filter(|f| !f.is_default())
    }

    /// The name in the API, in forms and in stored documents.
    pub fn key(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Picture => "picture",
            Self::Company => "company",
            Self::Department => "department",
            Self::Title => "title",
            Self::EmployeeOrgId => "employee_org_id",
            Self::MobileNumber => "mobile_number",
            Self::WorkNumber => "work_number",
            Self::AddressLine1 => "address_line1",
            Self::AddressLine2 => "address_line2",
            Self::City => "city",
            Self::State => "state",
            Self::Zip => "zip",
            Self::Country => "country",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstName => "First Name",
            Self::LastName => "Last Name",
            Self::Picture => "Profile Picture",
            Self::Company => "Company",
            Self::Department => "Department",
            Self::Title => "Title",
            Self::EmployeeOrgId => "Employee Organisation ID",
            Self::MobileNumber => "Mobile Number",
            Self::WorkNumber => "Work Number",
            Self::AddressLine1 => "Address (Number & Street)",
            Self::AddressLine2 => "Address (Street/Suite #)",
            Self::City => "City",
            Self::State => "State",
            Self::Zip => "Zip",
            Self::Country => "Country",
        }
    }

    /// Default fields are always visible; only their "Allow Edits" can change.
    pub fn is_default(self) -> bool {
        matches!(self, Self::FirstName | Self::LastName | Self::Picture)
    }

    /// Checks and normalizes a value of a controlled text field. `Ok(None)` clears it (an
    /// empty value). Names go through [`crate::user::PersonName`]; pictures are images and
    /// have their own checks.
    pub fn parse_value(self, raw: &str) -> Result<Option<String>, DomainError> {
        let field = self.key();
        let max = match self {
            Self::EmployeeOrgId => 64,
            Self::AddressLine1 | Self::AddressLine2 => 200,
            _ => 100,
        };
        let Some(v) = crate::text::line(field, raw, max)? else {
            return Ok(None);
        };
        let v = v.as_str();
        match self {
            Self::MobileNumber | Self::WorkNumber => phone_number(field, v).map(Some),
            Self::Country => country_code(v).map(Some),
            Self::Zip => postal_code(v, None).map(Some),
            _ => Ok(Some(v.to_owned())),
        }
    }
}

impl FromStr for ProfileField {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.key() == s)
            .ok_or_else(|| DomainError::invalid("fields", format!("there is no profile field {s:?}")))
    }
}

/// A phone number as people write it (`+49 30 1234-5678`, `(555) 010-9999`): an optional
/// leading `+`, then digits with spaces, dots, dashes or parentheses; 7 to 15 digits (E.164).
fn phone_number(field: &'static str, v: &str) -> Result<String, DomainError> {
    let body = v.strip_prefix('+').unwrap_or(v);
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
        return Err(DomainError::invalid(
            field,
            "is not a phone number: use digits, spaces, dashes, dots, parentheses and an optional leading +",
        ));
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return Err(DomainError::invalid(field, format!("has {digits} digits; a phone number has 7 to 15")));
    }
    Ok(v.to_owned())
}

/// An ISO 3166-1 alpha-2 country code, upper-cased (`de` → `DE`).
pub fn country_code(v: &str) -> Result<String, DomainError> {
    let code = v.trim().to_ascii_uppercase();
    if code.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(DomainError::invalid(
            "country",
            format!("{v:?} is not an ISO 3166-1 two-letter country code (like DE or US)"),
        ))
    }
}

/// A postal code: 2–10 letters, digits, spaces or dashes with at least one digit; for a few
/// countries whose format is fixed, that format.
pub fn postal_code(v: &str, country: Option<&str>) -> Result<String, DomainError> {
    let code = v.trim().to_ascii_uppercase();
    let bad = |why: &str| Err(DomainError::invalid("zip", format!("{v:?} is not a postal code{why}")));
    let len = code.chars().count();
    if !(2..=10).contains(&len)
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        || !code.chars().any(|c| c.is_ascii_digit())
    {
        return bad(": use 2 to 10 letters, digits, spaces or dashes");
    }
    let digits_only = |n: usize| code.len() == n && code.chars().all(|c| c.is_ascii_digit());
    let fits = match country {
        Some("US") => {
            digits_only(5)
                || (code.len() == 10
                    && code.as_bytes()[5] == b'-'
                    && code.chars().enumerate().all(|(i, c)| i == 5 || c.is_ascii_digit()))
        }
        Some("DE" | "FR" | "ES" | "IT") => digits_only(5),
        Some("IN") => digits_only(6),
        Some("AT" | "CH" | "BE" | "DK" | "NO" | "AU") => digits_only(4),
        Some("CA") => {
            let c: Vec<char> = code.chars().filter(|c| *c != ' ').collect();
            c.len() == 6
                && c.iter()
                    .enumerate()
                    .all(|(i, ch)| if i % 2 == 0 { ch.is_ascii_alphabetic() } else { ch.is_ascii_digit() })
        }
        _ => true,
    };
    if fits { Ok(code) } else { bad(&format!(" in {}", country.unwrap_or_default())) }
}

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ \
FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB \
SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_keys_are_refused() {
        for f in ProfileField::ALL {
            assert_eq!(f.key().parse::<ProfileField>().unwrap(), f);
        }
        assert!("nickname".parse::<ProfileField>().is_err());
        assert_eq!(ProfileField::controlled().count(), 12);
    }

    #[test]
    fn phone_numbers_need_7_to_15_digits_and_phone_punctuation() {
        let p = ProfileField::MobileNumber;
        assert_eq!(p.parse_value(" +49 30 1234-5678 ").unwrap().as_deref(), Some("+49 30 1234-5678"));
        assert!(p.parse_value("(555) 010-9999").unwrap().is_some());
        assert!(p.parse_value("12345").is_err());
        assert!(p.parse_value("+1 234 567 890 123 456").is_err());
        let e = p.parse_value("call me").unwrap_err();
        assert!(e.to_string().starts_with("mobile_number:"), "{e}");
        assert!(p.parse_value("+49+30 1234567").is_err());
    }

    #[test]
    fn countries_are_iso_alpha2_codes() {
        assert_eq!(ProfileField::Country.parse_value("de").unwrap().as_deref(), Some("DE"));
        assert!(ProfileField::Country.parse_value("XX").is_err());
        assert!(ProfileField::Country.parse_value("DEU").is_err());
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
    }

    #[test]
    fn postal_codes_follow_the_country_where_its_format_is_fixed() {
        assert_eq!(postal_code("10115", Some("DE")).unwrap(), "10115");
        assert!(postal_code("1011", Some("DE")).is_err());
        assert!(postal_code("94105-1234", Some("US")).is_ok());
        assert!(postal_code("9410", Some("US")).is_err());
        assert_eq!(postal_code("k1a 0b1", Some("CA")).unwrap(), "K1A 0B1");
        assert!(postal_code("SW1A 1AA", Some("GB")).is_ok());
        assert!(postal_code("ABCDE", None).is_err());
        assert!(postal_code("12<script>", None).is_err());
    }

    #[test]
    fn text_fields_are_trimmed_bounded_and_empty_clears() {
        assert_eq!(ProfileField::Company.parse_value("  Acme  ").unwrap().as_deref(), Some("Acme"));
        assert_eq!(ProfileField::Company.parse_value("   ").unwrap(), None);
        assert!(ProfileField::Company.parse_value(&"x".repeat(101)).is_err());
        assert!(ProfileField::AddressLine1.parse_value(&"x".repeat(200)).is_ok());
        assert!(ProfileField::Title.parse_value("a\u{7}b").is_err());
    }
}
