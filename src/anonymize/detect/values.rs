//! The value signal: sampled values classified by shape.
//!
//! # Classifiers (a whole value)
//!
//! | shape | test |
//! |---|---|
//! | email | `local@domain.tld` |
//! | phone | 9-15 digits, E.164 (`+14155550100`, `+44 20 7946 0958`) or a national form: trunk `0` (`06 12 34 56 78`, `0612345678`), `(415) 555-0100`, `415-555-0100` |
//! | IP | IPv4 or IPv6 as `std::net` parses it (an `inet` `/prefix` allowed) |
//! | card number | 13-19 digits (spaces or dashes between), first digit 2-6, Luhn check |
//! | IBAN | country, check digits, 11-30 letters/digits (spaces allowed), ISO 7064 mod-97 check |
//! | JWT | `eyJ...` header, payload and signature in base64url |
//! | API token | known prefixes: `sk_live_`, `pk_test_`, `ghp_`, `github_pat_`, `xoxb-`, `AKIA`, `AIza`, `glpat-`, `npm_`, `hf_`, SendGrid `SG.`, PEM private keys |
//! | secret | 32+ hex digits (not all digits), or 32+ base64 characters with upper, lower and digits and at least [`BASE64_MIN_ENTROPY`] bits of entropy per character |
//! | password hash | bcrypt `$2b$`, argon2 `$argon2id$`, scrypt, sha-crypt `$5$`/`$6$`, md5-crypt `$1$`, Django `pbkdf2_sha256$` |
//!
//! # Thresholds
//!
//! - A column (or JSON path, or array column) flags when at least [`VALUE_SHARE`] (10%) of its
//!   sampled non-NULL, non-empty values (array elements, values at the path) are one shape.
//! - Free text flags when ANY sampled value contains an email, a phone number, a card number, a
//!   JWT or an API token (one is enough: the rest of the column is just as likely to hold more),
//!   or when at least [`VALUE_SHARE`] of the values contain an IP address (version strings such
//!   as `10.0.0.1` in logs are rarer than addresses, but not rare enough for one to decide).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::PiiKind;

/// The share of sampled values of one shape that flags a column.
pub const VALUE_SHARE: f64 = 0.10;

/// Bits per character a long base64-looking string needs to count as a secret.
pub const BASE64_MIN_ENTROPY: f64 = 3.5;

/// A recognised value shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    PasswordHash,
    Jwt,
    ApiToken,
    Email,
    Ip,
    Iban,
    Card,
    Phone,
    HexSecret,
    Base64Secret,
}

impl Shape {
    /// What the shape is, in a reason: `email addresses`.
    pub fn plural(self) -> &'static str {
        match self {
            Shape::PasswordHash => "password hashes",
            Shape::Jwt => "JSON Web Tokens",
            Shape::ApiToken => "API tokens",
            Shape::Email => "email addresses",
            Shape::Ip => "IP addresses",
            Shape::Iban => "IBANs (mod-97 checked)",
            Shape::Card => "card numbers (Luhn checked)",
            Shape::Phone => "phone numbers",
            Shape::HexSecret => "long hex strings (keys, tokens or digests)",
            Shape::Base64Secret => "long random base64 strings (keys or tokens)",
        }
    }

    pub fn kind(self) -> PiiKind {
        match self {
            Shape::PasswordHash => PiiKind::Password,
            Shape::Jwt | Shape::ApiToken | Shape::HexSecret | Shape::Base64Secret => {
                PiiKind::Secret
            }
            Shape::Email => PiiKind::Email,
            Shape::Ip => PiiKind::IpAddress,
            Shape::Iban => PiiKind::BankAccount,
            Shape::Card => PiiKind::CardNumber,
            Shape::Phone => PiiKind::Phone,
        }
    }

    /// Shapes that flag free text on a single occurrence.
    fn flags_text_once(self) -> bool {
        matches!(
            self,
            Shape::Email | Shape::Phone | Shape::Card | Shape::Jwt | Shape::ApiToken
        )
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

const EMAIL: &str = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}";
const JWT: &str = r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*";
const API_TOKEN: &str = r"(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,}|xox[abporse]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)";

static EMAIL_WHOLE: LazyLock<Regex> = LazyLock::new(|| re(&format!("^{EMAIL}$")));
static JWT_WHOLE: LazyLock<Regex> = LazyLock::new(|| re(&format!("^{JWT}$")));
static TOKEN_WHOLE: LazyLock<Regex> = LazyLock::new(|| re(&format!("^{API_TOKEN}")));
static PASSWORD_HASH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+|\$scrypt\$\S+|\$7\$\S+|\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}|\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}|(?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|argon2|scrypt)\$\S+|\$pbkdf2-sha\d+\$\S+)$",
    )
});
static HEX: LazyLock<Regex> = LazyLock::new(|| re(r"^[0-9a-fA-F]{32,}$"));
static BASE64: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9+/_-]{32,}={0,2}$"));
static PHONE_FORMS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // E.164, compact or grouped: +14155550100, +44 20 7946 0958, +1 (415) 555-0100.
        r"^\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?)+$",
        // National, trunk 0: 0612345678, 06 12 34 56 78, 020 7946 0958, 0612-345678.
        r"^0[1-9]\d{7,10}$",
        r"^0\d{1,4}(?:[ .-]\d{2,5}){1,5}$",
        r"^\(0?\d{2,5}\)[ .-]?\d{2,5}(?:[ .-]\d{2,5}){0,3}$",
        // North American: 415-555-0100, 415.555.0100, 415 555 0100.
        r"^\d{3}[ .-]\d{3}[ .-]\d{4}$",
    ]
    .iter()
    .map(|p| re(p))
    .collect()
});
/// Candidates inside free text; each is checked with [`is_phone`].
static PHONE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\+\d[\d .()-]{6,20}\d|\(\d{2,5}\)[ .-]?\d[\d .-]{5,15}\d|\b0\d[\d .-]{7,15}\d\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b",
    )
});
static EMAIL_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(EMAIL));
static JWT_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"\b{JWT}")));
static TOKEN_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:^|[^A-Za-z0-9]){API_TOKEN}")));
static CARD_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:\d[ -]?){12,18}\d\b"));
static IP_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")
});

/// The Luhn check of a digit string.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// A payment card number: 13-19 digits with optional spaces or dashes, a major network's first
/// digit (2-6), not one repeated digit, Luhn-valid.
pub fn is_card(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let d = digits_of(s);
    (13..=19).contains(&d.len())
        && (2..=6).contains(&d[0])
        && d.iter().any(|&x| x != d[0])
        && luhn(&d)
}

/// An IBAN: two letters, two check digits, 11-30 letters or digits (spaces allowed), passing the
/// ISO 7064 mod-97 check.
pub fn is_iban(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// A phone number in one of the accepted forms (see the module docs), 9-15 digits.
pub fn is_phone(s: &str) -> bool {
    let s = s.trim();
    let n = s.bytes().filter(u8::is_ascii_digit).count();
    (9..=15).contains(&n) && PHONE_FORMS.iter().any(|r| r.is_match(s))
}

/// An IP address, with an optional `/prefix` as `inet` prints networks.
pub fn is_ip(s: &str) -> bool {
    let s = s.trim();
    let addr = match s.split_once('/') {
        Some((a, p)) if p.parse::<u8>().is_ok() => a,
        Some(_) => return false,
        None => s,
    };
    addr.parse::<IpAddr>().is_ok()
}

/// A JSON Web Token: three base64url parts, the header starting `eyJ`.
pub fn is_jwt(s: &str) -> bool {
    JWT_WHOLE.is_match(s.trim())
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The shape of a whole value, if it has one.
pub fn classify(value: &str) -> Option<Shape> {
    let v = value.trim();
    if v.len() < 7 || v.len() > 4096 {
        return None;
    }
    if PASSWORD_HASH.is_match(v) {
        Some(Shape::PasswordHash)
    } else if is_jwt(v) {
        Some(Shape::Jwt)
    } else if TOKEN_WHOLE.is_match(v) {
        Some(Shape::ApiToken)
    } else if EMAIL_WHOLE.is_match(v) {
        Some(Shape::Email)
    } else if is_ip(v) {
        Some(Shape::Ip)
    } else if is_iban(v) {
        Some(Shape::Iban)
    } else if is_card(v) {
        Some(Shape::Card)
    } else if is_phone(v) {
        Some(Shape::Phone)
    } else if HEX.is_match(v) && !v.bytes().all(|b| b.is_ascii_digit()) {
        Some(Shape::HexSecret)
    } else if BASE64.is_match(v)
        && v.bytes().any(|b| b.is_ascii_uppercase())
        && v.bytes().any(|b| b.is_ascii_lowercase())
        && v.bytes().any(|b| b.is_ascii_digit())
        && entropy(v) >= BASE64_MIN_ENTROPY
    {
        Some(Shape::Base64Secret)
    } else {
        None
    }
}

/// The shapes found inside free text (each once).
pub fn find_in_text(text: &str) -> Vec<Shape> {
    let mut found = Vec::new();
    if EMAIL_IN_TEXT.is_match(text) {
        found.push(Shape::Email);
    }
    if JWT_IN_TEXT.is_match(text) {
        found.push(Shape::Jwt);
    }
    if TOKEN_IN_TEXT.is_match(text) {
        found.push(Shape::ApiToken);
    }
    if CARD_IN_TEXT.find_iter(text).any(|m| is_card(m.as_str())) {
        found.push(Shape::Card);
    }
    if PHONE_IN_TEXT
        .find_iter(text)
        .any(|m| is_phone(m.as_str()) && !is_card(m.as_str()))
    {
        found.push(Shape::Phone);
    }
    if IP_IN_TEXT.find_iter(text).any(|m| is_ip(m.as_str())) {
        found.push(Shape::Ip);
    }
    found
}

/// Counts of shapes over the sampled values of one column, array column or JSON path.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Non-NULL, non-empty values seen (array elements, values at a JSON path).
    pub sampled: usize,
    /// Values that ARE a shape.
    pub whole: BTreeMap<Shape, usize>,
    /// Values that are no shape but CONTAIN one (free text).
    pub inside: BTreeMap<Shape, usize>,
    /// Up to [`Tally::KEPT`] values, for the person-name check of weak names.
    pub kept: Vec<String>,
}

/// What the values of a column (or path) are.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub shape: Shape,
    /// Whole values of that shape, or values containing it (free text).
    pub matched: usize,
    pub sampled: usize,
    /// The values contain the shape inside free text rather than being it.
    pub free_text: bool,
    /// Other shapes seen in free text, for the reason.
    pub also: Vec<Shape>,
}

impl Verdict {
    pub fn share(&self) -> f64 {
        if self.sampled == 0 {
            0.0
        } else {
            self.matched as f64 / self.sampled as f64
        }
    }

    /// `87% of 200 sampled values are email addresses` /
    /// `3 of 200 sampled values contain email addresses, phone numbers (free text)`.
    pub fn describe(&self, what: &str) -> String {
        if self.free_text {
            let mut kinds = vec![self.shape.plural()];
            kinds.extend(self.also.iter().map(|s| s.plural()));
            format!(
                "{} of {} sampled {what} contain {} (free text)",
                self.matched,
                self.sampled,
                kinds.join(", ")
            )
        } else {
            format!(
                "{:.0}% of {} sampled {what} are {}",
                self.share() * 100.0,
                self.sampled,
                self.shape.plural()
            )
        }
    }
}

impl Tally {
    /// How many values are kept for the person-name check.
    pub const KEPT: usize = 200;

    /// Counts one text value.
    pub fn add(&mut self, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        self.sampled += 1;
        if self.kept.len() < Self::KEPT {
            self.kept.push(v.chars().take(200).collect());
        }
        match classify(v) {
            Some(shape) => *self.whole.entry(shape).or_default() += 1,
            None => {
                for shape in find_in_text(v) {
                    *self.inside.entry(shape).or_default() += 1;
                }
            }
        }
    }

    /// Counts a JSON number: only a card number can hide in one.
    pub fn add_number(&mut self, text: &str) {
        self.sampled += 1;
        if is_card(text) {
            *self.whole.entry(Shape::Card).or_default() += 1;
        }
    }

    /// The verdict at `threshold` (see the module docs). `hex_is_secret`: whether long hex
    /// strings count (not in a column named like a checksum or digest).
    pub fn verdict(&self, threshold: f64, hex_is_secret: bool) -> Option<Verdict> {
        if self.sampled == 0 {
            return None;
        }
        let n = self.sampled as f64;
        let whole = self
            .whole
            .iter()
            .filter(|(s, _)| hex_is_secret || **s != Shape::HexSecret)
            .max_by_key(|(s, c)| (**c, std::cmp::Reverse(**s)))
            .filter(|(_, c)| **c as f64 / n >= threshold);
        if let Some((&shape, &matched)) = whole {
            return Some(Verdict {
                shape,
                matched,
                sampled: self.sampled,
                free_text: false,
                also: Vec::new(),
            });
        }
        let mut inside: Vec<(Shape, usize)> = self
            .inside
            .iter()
            .filter(|(s, c)| s.flags_text_once() || **c as f64 / n >= threshold)
            .map(|(s, c)| (*s, *c))
            .collect();
        inside.sort_by_key(|(s, c)| (std::cmp::Reverse(*c), *s));
        let (&(shape, matched), rest) = inside.split_first()?;
        Some(Verdict {
            shape,
            matched,
            sampled: self.sampled,
            free_text: true,
            also: rest.iter().map(|(s, _)| *s).collect(),
        })
    }
}

/// What a JSON value holds at one path.
#[derive(Debug, Clone, Default)]
pub struct PathTally {
    pub tally: Tally,
    /// The path's keys from the root (`["customer", "email"]`; `[*]` levels left out).
    pub keys: Vec<String>,
    pub strings: usize,
    pub numbers: usize,
    pub booleans: usize,
}

/// Every leaf path of the sampled JSON documents of one column.
#[derive(Debug, Clone, Default)]
pub struct JsonTally {
    pub documents: usize,
    /// Documents that are not valid JSON (skipped).
    pub invalid: usize,
    pub paths: BTreeMap<String, PathTally>,
}

/// At most this many distinct paths per column: documents keyed by ids could make millions.
pub const MAX_PATHS: usize = 2000;

impl JsonTally {
    /// Walks one document.
    pub fn add(&mut self, text: &str) {
        match serde_json::from_str::<Value>(text) {
            Ok(doc) => {
                self.documents += 1;
                self.walk(&doc, &mut String::from("$"), &mut Vec::new());
            }
            Err(_) => self.invalid += 1,
        }
    }

    fn walk(&mut self, v: &Value, path: &mut String, keys: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let len = path.len();
                    if looks_like_id(k) {
                        path.push_str("[*]");
                        self.walk(child, path, keys);
                    } else {
                        push_key(path, k);
                        keys.push(k.clone());
                        self.walk(child, path, keys);
                        keys.pop();
                    }
                    path.truncate(len);
                }
            }
            Value::Array(a) => {
                let len = path.len();
                path.push_str("[*]");
                for child in a {
                    self.walk(child, path, keys);
                }
                path.truncate(len);
            }
            Value::Null => {}
            leaf => {
                if path == "$" {
                    return; // a bare scalar document: the column-level tally sees it
                }
                if !self.paths.contains_key(path.as_str()) && self.paths.len() >= MAX_PATHS {
                    return;
                }
                let t = self.paths.entry(path.clone()).or_default();
                if t.keys.is_empty() {
                    t.keys = keys.clone();
                }
                match leaf {
                    Value::String(s) => {
                        t.strings += 1;
                        t.tally.add(s);
                    }
                    Value::Number(n) => {
                        t.numbers += 1;
                        t.tally.add_number(&n.to_string());
                    }
                    Value::Bool(_) => {
                        t.booleans += 1;
                        t.tally.sampled += 1;
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Object keys that are data, not field names (`"12345"`, uuids, long hex): walked as `[*]`.
fn looks_like_id(k: &str) -> bool {
    !k.is_empty()
        && (k.bytes().all(|b| b.is_ascii_digit())
            || (k.len() >= 16 && k.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')))
}

/// Appends `.key`, or `["key"]` when the key is not a plain identifier (what the `json`
/// transformer's paths accept).
pub fn push_key(path: &mut String, k: &str) {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        path.push('.');
        path.push_str(k);
    } else {
        path.push_str("[\"");
        for c in k.chars() {
            if c == '"' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("\"]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_cards() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
        assert!(is_card("4111 1111 1111 1111"));
        assert!(is_card("5500-0000-0000-0004"));
        assert!(is_card("378282246310005"));
        assert!(!is_card("4111 1111 1111 1112"));
        assert!(!is_card("0000000000000000"));
        assert!(!is_card("1234567812345670")); // Luhn-valid, but no network starts with 1
        assert_eq!(classify("4111111111111111"), Some(Shape::Card));
    }

    #[test]
    fn ibans() {
        assert!(is_iban("DE89370400440532013000"));
        assert!(is_iban("GB82 WEST 1234 5698 7654 32"));
        assert!(is_iban("FR1420041010050500013M02606"));
        assert!(!is_iban("DE89370400440532013001"));
        assert!(!is_iban("de89370400440532013000"));
        assert_eq!(classify("GB82 WEST 1234 5698 7654 32"), Some(Shape::Iban));
    }

    #[test]
    fn phones() {
        for p in [
            "+14155550100",
            "+1 415 555 0100",
            "+1 (415) 555-0100",
            "+44 20 7946 0958",
            "+33 6 12 34 56 78",
            "06 12 34 56 78",
            "0612345678",
            "020 7946 0958",
            "(415) 555-0100",
            "415-555-0100",
            "415.555.0100",
            "06.12.34.56.78",
        ] {
            assert!(is_phone(p), "{p}");
            assert_eq!(classify(p), Some(Shape::Phone), "{p}");
        }
        for not in [
            "2024-01-15",
            "12345",
            "1234567890",
            "ORD-00012345",
            "2024-01-15 10:00:00",
            "555-0100",
            "0000123456",
            "1.2.3",
        ] {
            assert!(!is_phone(not), "{not}");
        }
    }

    #[test]
    fn ips_tokens_and_hashes() {
        assert_eq!(classify("192.168.10.4"), Some(Shape::Ip));
        assert_eq!(classify("2001:db8::1"), Some(Shape::Ip));
        assert_eq!(classify("10.0.0.0/8"), Some(Shape::Ip));
        assert_eq!(classify("1.4.12"), None);
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        assert!(is_jwt(jwt));
        assert_eq!(classify(jwt), Some(Shape::Jwt));
        assert!(!is_jwt("eyJhbGciOiJIUzI1NiJ9"));
        for t in [
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "xoxb-123456789012-abcdefABCDEF",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert_eq!(classify(t), Some(Shape::ApiToken), "{t}");
        }
        assert_eq!(
            classify("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"),
            Some(Shape::PasswordHash)
        );
        assert_eq!(
            classify("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"),
            Some(Shape::PasswordHash)
        );
        assert_eq!(
            classify("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            Some(Shape::HexSecret)
        );
        assert_eq!(
            classify("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpL"),
            Some(Shape::Base64Secret)
        );
        assert_eq!(classify("550e8400-e29b-41d4-a716-446655440000"), None);
        assert_eq!(
            classify("The quick brown fox jumps over the lazy dog"),
            None
        );
        assert_eq!(classify("alice.martin@example.com"), Some(Shape::Email));
    }

    #[test]
    fn free_text() {
        let found = find_in_text("Please call me at +44 20 7946 0958 or mail bob@example.org.");
        assert!(
            found.contains(&Shape::Email) && found.contains(&Shape::Phone),
            "{found:?}"
        );
        assert!(find_in_text("Order 123456789 shipped on 2024-01-15, 3 items").is_empty());
        assert_eq!(
            find_in_text("card 4111 1111 1111 1111 declined"),
            vec![Shape::Card]
        );
        assert_eq!(find_in_text("login from 10.1.2.3"), vec![Shape::Ip]);
        let mut t = Tally::default();
        for i in 0..50 {
            t.add(&format!("Delivered to the front desk, parcel {i}"));
        }
        assert_eq!(t.verdict(VALUE_SHARE, true), None);
        t.add("Ring +1 415 555 0100 on arrival");
        let v = t.verdict(VALUE_SHARE, true).unwrap();
        assert!(
            v.free_text && v.shape == Shape::Phone && v.matched == 1,
            "{v:?}"
        );
        assert_eq!(
            v.describe("values"),
            "1 of 51 sampled values contain phone numbers (free text)"
        );
    }

    #[test]
    fn share_threshold() {
        let mut t = Tally::default();
        for i in 0..9 {
            t.add(&format!("note {i}"));
        }
        t.add("someone@example.com");
        let v = t.verdict(VALUE_SHARE, true).unwrap();
        assert_eq!((v.shape, v.free_text, v.matched), (Shape::Email, false, 1));
        assert_eq!(
            v.describe("values"),
            "10% of 10 sampled values are email addresses"
        );
        let mut hex = Tally::default();
        hex.add("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assert!(hex.verdict(VALUE_SHARE, false).is_none());
    }

    #[test]
    fn json_paths() {
        let mut j = JsonTally::default();
        j.add(
            r#"{"customer": {"email": "a@example.com", "name": "Alice"},
                "items": [{"sku": "X1", "gift": {"to": "b@example.com"}}, {"sku": "X2"}],
                "by id": {"12345": {"phone": "+1 415 555 0100"}}, "ok": true, "n": 3}"#,
        );
        j.add("not json");
        assert_eq!((j.documents, j.invalid), (1, 1));
        let paths: Vec<&str> = j.paths.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "$.customer.email",
                "$.customer.name",
                "$.items[*].gift.to",
                "$.items[*].sku",
                "$.n",
                "$.ok",
                "$[\"by id\"][*].phone",
            ]
        );
        let email = &j.paths["$.customer.email"];
        assert_eq!(email.keys, ["customer", "email"]);
        assert_eq!(
            email.tally.verdict(VALUE_SHARE, true).unwrap().shape,
            Shape::Email
        );
        assert_eq!(j.paths["$.items[*].sku"].tally.sampled, 2);
        assert_eq!(j.paths["$.ok"].booleans, 1);
    }
}
