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

use regex::{Captures, Regex, Replacer};

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
    /// Appends `s` with each digit replaced by a keyed digit, separators kept.
    fn redigit_into(&self, kind: &str, s: &str, out: &mut String) {
        let d = self.keyed.digest(kind, s.as_bytes());
        let mut i = 0;
        out.extend(s.chars().map(|c| {
            if c.is_ascii_digit() {
                let b = d[i % d.len()] ^ (i / d.len()) as u8;
                i += 1;
                char::from(b'0' + b % 10)
            } else {
                c
            }
        }));
    }

    /// Appends the replacement of one match to `out`.
    fn replace_into(&self, caps: &Captures, out: &mut String) {
        let all = &caps[0];
        if let Some(m) = caps.name("email") {
            self.email.fake_into(m.as_str(), out);
            return;
        }
        if caps.name("ipv4").is_some() || caps.name("ipv6").is_some() {
            match all.parse::<IpAddr>() {
                Ok(addr) => {
                    use std::fmt::Write;
                    let _ = write!(out, "{}", self.ip.fake(addr));
                }
                Err(_) => out.push_str(all), // `10:30:00`, `999.1.1.1`: not addresses
            }
            return;
        }
        // A run of digits and separators on one line: a card number (13-19 digits passing the
        // Luhn check), a phone number (9-15 digits) or kept.
        let count = all.bytes().filter(u8::is_ascii_digit).count();
        let card = (13..=19).contains(&count) && {
            let mut digits = [0u8; 19];
            for (d, b) in digits
                .iter_mut()
                .zip(all.bytes().filter(u8::is_ascii_digit))
            {
                *d = b - b'0';
            }
            luhn(&digits[..count])
        };
        if card {
            self.redigit_into("scrub_card", all, out)
        } else if (9..=15).contains(&count) {
            self.redigit_into("scrub_phone", all, out)
        } else {
            out.push_str(all)
        }
    }
}

/// Appends each match's replacement straight into the output (no string per match).
struct Replace<'a>(&'a Scrub);

impl Replacer for Replace<'_> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        self.0.replace_into(caps, dst);
    }
}

impl Transform for Scrub {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(PII.replace_all(value, Replace(self)).into_owned()))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("scrub", ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::keyed::Salt;
    use crate::anonymize::transform::NoRow;

    /// The implementation before the appending [`Replace`]r.
    fn reference(s: &Scrub, value: &str) -> String {
        fn redigit(s: &Scrub, kind: &str, text: &str) -> String {
            let d = s.keyed.digest(kind, text.as_bytes());
            let mut i = 0;
            text.chars()
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
        let replace = |caps: &Captures| -> String {
            let all = &caps[0];
            if let Some(m) = caps.name("email") {
                return s.email.fake(m.as_str());
            }
            if caps.name("ipv4").is_some() || caps.name("ipv6").is_some() {
                return match all.parse::<IpAddr>() {
                    Ok(addr) => s.ip.fake(addr).to_string(),
                    Err(_) => all.to_owned(),
                };
            }
            let digits: Vec<u8> = all
                .bytes()
                .filter(u8::is_ascii_digit)
                .map(|b| b - b'0')
                .collect();
            if (13..=19).contains(&digits.len()) && luhn(&digits) {
                redigit(s, "scrub_card", all)
            } else if (9..=15).contains(&digits.len()) {
                redigit(s, "scrub_phone", all)
            } else {
                all.to_owned()
            }
        };
        PII.replace_all(value, replace).into_owned()
    }

    #[test]
    fn same_output_as_the_reference_over_random_text() {
        let keyed = Salt::new("reference-salt").keyed();
        let scrub = Scrub {
            keyed: keyed.clone(),
            email: Email(keyed.clone()),
            ip: Ip(keyed),
        };
        let parts = [
            "hello ",
            "a",
            " ",
            ",",
            ".",
            "\n",
            "\t",
            "-",
            "+",
            "(",
            ")",
            ":",
            "::",
            "@",
            "é",
            "日本",
            "١٢٣",
            "٤",
            "0",
            "7",
            "42",
            "2024-01-02",
            "10:30:00",
            "alice@corp.com",
            "Bob.Smith+x@mail.example.org",
            "x@y",
            "10.1.2.3",
            "999.1.1.1",
            "a12.34.56.78",
            "2a00:1450::1",
            "fe80::",
            "::1",
            "4111 1111 1111 1111",
            "4111111111111112",
            "378282246310005",
            "+1 415 555 0100",
            "(415) 555-0100",
            "555.0100",
            "1234.50",
            "12345678901234567890",
            "abc",
            "_",
            "card",
            "Σ",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut changed = 0;
        for _ in 0..20_000 {
            let len = next(12);
            let text: String = (0..len).map(|_| parts[next(parts.len())]).collect();
            let want = reference(&scrub, &text);
            changed += usize::from(want != text);
            assert_eq!(scrub.apply(&text, &NoRow), Ok(Some(want)), "{text:?}");
        }
        assert!(changed > 5000, "{changed}");
    }

    #[test]
    fn luhn_check() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }
}
