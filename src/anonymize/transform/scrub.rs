//! `scrub`: free text with its PII-shaped substrings replaced and everything else kept byte for
//! byte: email addresses (by the `email` fake of the same address, so they match the email
//! columns), IPv4/IPv6 addresses (by the `ip` fake), card numbers (13-19 digits passing the Luhn
//! check, digits replaced by keyed digits, separators kept) and phone numbers (9-15 digits with
//! optional `+`, spaces, dots, dashes, a leading `(area)`; digits replaced by keyed digits). Shorter
//! digit runs (dates, amounts, ids) are kept. Deterministic. No options.
//! Example (salt `snapshot-salt`): `mail alice@corp.com or call +1 415 555 0100, order 42` ->
//! `mail franco.feil.elggd8p94f@example.org or call +6 783 423 6107, order 42`.

use std::net::IpAddr;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::email::Email;
use super::ip::Ip;
use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, text_only};
use crate::anonymize::detect::values::luhn;
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str =
    "replace email, phone, IP and card-number shaped substrings of free text.";

/// One pass, leftmost match first; at one position emails win over IPs over digit runs.
static PII: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})
        | (?P<ipv4>\b(?:\d{1,3}\.){3}\d{1,3}\b)
        | (?P<ipv6>\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})
        | (?P<digits>\+?(?:\(\d{1,4}\)[\x20.-]?)?\d[\d\x20.-]{6,}\d)
        ",
    )
    .expect("static regex")
});

struct Scrub {
    keyed: Keyed,
    email: Email,
    ip: Ip,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Scrub {
        keyed: ctx.keyed.clone(),
        email: Email(ctx.keyed.clone()),
        ip: Ip(ctx.keyed.clone()),
    }))
}

impl Scrub {
    /// Replaces each digit with a keyed digit, keeping separators.
    fn redigit(&self, kind: &str, s: &str) -> String {
        let d = self.keyed.digest(kind, s.as_bytes());
        let mut i = 0;
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    let b = d[i % d.len()] ^ (i / d.len()) as u8;
                    i += 1;
                    char::from(b'0' + b % 10)
                } else {
                    c
                }
            })
            .collect()
    }

    fn replace(&self, caps: &Captures) -> String {
        let all = &caps[0];
        if let Some(m) = caps.name("email") {
            return self.email.fake(m.as_str());
        }
        if caps.name("ipv4").is_some() || caps.name("ipv6").is_some() {
            return match all.parse::<IpAddr>() {
                Ok(addr) => self.ip.fake(addr).to_string(),
                Err(_) => all.to_owned(), // `10:30:00`, `999.1.1.1`: not addresses
            };
        }
        // A run of digits and separators on one line.
        let digits: Vec<u8> = all
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let card = (13..=19).contains(&digits.len()) && luhn(&digits);
        if card {
            self.redigit("scrub_card", all)
        } else if (9..=15).contains(&digits.len()) {
            self.redigit("scrub_phone", all)
        } else {
            all.to_owned()
        }
    }
}

impl Transform for Scrub {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(
            PII.replace_all(value, |caps: &Captures| self.replace(caps))
                .into_owned(),
        ))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("scrub", ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_check() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }
}
