//! Direct versions of the `fake` 5.1.0 `en` generators the transformers use.
//!
//! `fake` builds each value with chains of `str::replace` on templates and per-character
//! `collect`s, one `String` per step; here each value is built in one `String`. The output is the
//! same for every seed: each generator makes the same `rand` calls in the same order as `fake`
//! 5.1.0 (pinned, `=5.1.0` in Cargo.toml) and uses `fake`'s own word lists and templates. The
//! tests below compare both, output and RNG state, over hundreds of thousands of seeds.

use fake::locales::{Data, EN};
use rand::RngExt;
use rand::seq::IndexedRandom;

/// `slice.choose(rng)`, as `fake` picks a word (one `random_range(..len)`; no draw if empty).
fn pick<R: RngExt + ?Sized>(list: &'static [&'static str], rng: &mut R) -> &'static str {
    list.choose(rng).copied().unwrap_or_default()
}

/// Appends `tpl` with each `{Key}` of `vars` replaced by its value, in one pass. Same result as
/// `fake`'s `tpl.replace(k1, v1).replace(k2, v2)...` because no value contains `{` (tested), so
/// no substituted text can form a placeholder that a later `replace` would substitute; unknown
/// `{...}` stay as they are, as with `replace`.
fn render_into(out: &mut String, tpl: &str, vars: &[(&str, &str)]) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let hit = vars.iter().find(|(key, _)| tail.starts_with(key));
        match hit {
            Some((key, value)) => {
                out.push_str(value);
                rest = &tail[key.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

fn capacity(tpl: &str, vars: &[(&str, &str)]) -> usize {
    tpl.len() + vars.iter().map(|(_, v)| v.len()).sum::<usize>()
}

fn render(tpl: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(capacity(tpl, vars));
    render_into(&mut out, tpl, vars);
    out
}

/// `fake`'s `numerify_sym`: `^` is a digit in 1..10, `#` one in 0..10, one `random_range` each,
/// left to right.
fn numerify_into<R: RngExt + ?Sized>(out: &mut String, fmt: &str, rng: &mut R) {
    for c in fmt.chars() {
        let digit = match c {
            '^' => rng.random_range(1u32..10),
            '#' => rng.random_range(0u32..10),
            other => {
                out.push(other);
                continue;
            }
        };
        // The digit is below 10, so this is an ASCII digit.
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Appends `s` lowercased (`str::to_lowercase`, as `fake`'s internet generators do).
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

fn first_name<R: RngExt + ?Sized>(rng: &mut R) -> &'static str {
    pick(EN::NAME_FIRST_NAME, rng)
}

fn last_name<R: RngExt + ?Sized>(rng: &mut R) -> &'static str {
    pick(EN::NAME_LAST_NAME, rng)
}

/// `fake::faker::name::en::Name()`: first name, then last name, into `NAME_TPL`.
pub(crate) fn name<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let first = first_name(rng);
    let last = last_name(rng);
    render(
        EN::NAME_TPL,
        &[("{FirstName}", first), ("{LastName}", last)],
    )
}

/// `fake::faker::address::en::CityName()`: `random_range(0u8..5)` picks the shape; 0 is prefix,
/// full name, suffix; 1 is first name and suffix; 2..5 last name and suffix.
pub(crate) fn city_name<R: RngExt + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0u8..5) {
        0 => {
            let prefix = pick(EN::ADDRESS_CITY_PREFIX, rng);
            let name = name(rng);
            let suffix = pick(EN::ADDRESS_CITY_SUFFIX, rng);
            render(
                EN::ADDRESS_CITY_WITH_PREFIX_TPL,
                &[
                    ("{CityPrefix}", prefix),
                    ("{CityName}", &name),
                    ("{CitySuffix}", suffix),
                ],
            )
        }
        shape => {
            let name = if shape == 1 {
                first_name(rng)
            } else {
                last_name(rng)
            };
            let suffix = pick(EN::ADDRESS_CITY_SUFFIX, rng);
            render(
                EN::ADDRESS_CITY_TPL,
                &[("{CityName}", name), ("{CitySuffix}", suffix)],
            )
        }
    }
}

/// `BuildingNumber()` then `StreetName()` (both `fake::faker::address::en`), joined by a space:
/// the `address` transformer's value.
pub(crate) fn street_address<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let fmt = pick(EN::ADDRESS_BUILDING_NUMBER_FORMATS, rng);
    // StreetName: `Faker.fake::<bool>()` is `random::<bool>()`; true takes a first name.
    let mut out = String::with_capacity(fmt.len() + 1 + EN::ADDRESS_STREET_TPL.len() + 24);
    numerify_into(&mut out, fmt, rng);
    out.push(' ');
    let name = if rng.random::<bool>() {
        first_name(rng)
    } else {
        last_name(rng)
    };
    let suffix = pick(EN::ADDRESS_STREET_SUFFIX, rng);
    render_into(
        &mut out,
        EN::ADDRESS_STREET_TPL,
        &[("{StreetName}", name), ("{StreetSuffix}", suffix)],
    );
    out
}

/// `fake::faker::phone_number::en::PhoneNumber()`: a format, then its digits.
pub(crate) fn phone_number<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let fmt = pick(EN::PHONE_NUMBER_FORMATS, rng);
    let mut out = String::with_capacity(fmt.len());
    numerify_into(&mut out, fmt, rng);
    out
}

/// `fake::faker::company::en::CompanyName()`: a template, then two last names (both drawn even
/// when the template uses one) and a suffix.
pub(crate) fn company_name<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let tpl = pick(EN::COMPANY_NAME_TPLS, rng);
    let name_1 = last_name(rng);
    let name_2 = last_name(rng);
    let suffix = pick(EN::COMPANY_SUFFIX, rng);
    render(
        tpl,
        &[
            ("{Name_1}", name_1),
            ("{Name_2}", name_2),
            ("{Suffix}", suffix),
        ],
    )
}

/// `fake::faker::internet::en::Username()`: `random::<u8>()` picks the shape (0: first name;
/// 1-2: word.first; 3-4: first name and another `random::<u8>()`; else first_word), names
/// lowercased.
pub(crate) fn username<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let shape = rng.random::<u8>();
    // At most 26 bytes with EN's lists, plus room for the transformer's `_` and 6-character suffix.
    let mut out = String::with_capacity(40);
    match shape {
        0 => push_lowercase(&mut out, first_name(rng)),
        1 | 2 => {
            out.push_str(pick(EN::LOREM_WORD, rng));
            out.push('.');
            push_lowercase(&mut out, first_name(rng));
        }
        3 | 4 => {
            push_lowercase(&mut out, first_name(rng));
            push_u8(&mut out, rng.random::<u8>());
        }
        _ => {
            push_lowercase(&mut out, first_name(rng));
            out.push('_');
            out.push_str(pick(EN::LOREM_WORD, rng));
        }
    }
    out
}

/// Appends `n` in decimal, as `format!("{n}")` does.
fn push_u8(out: &mut String, n: u8) {
    if n >= 100 {
        out.push(char::from(b'0' + n / 100));
    }
    if n >= 10 {
        out.push(char::from(b'0' + n / 10 % 10));
    }
    out.push(char::from(b'0' + n % 10));
}

#[cfg(test)]
mod tests {
    use fake::Fake;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use rand_xoshiro::rand_core::SeedableRng;

    use super::*;
    use crate::anonymize::keyed::Salt;

    /// Seeds per generator: `seed_from_u64(0..)`, plus as many seeded the way the transformers
    /// seed (HMAC digests as `from_seed` bytes).
    const SEEDS: u64 = 200_000;

    type Gen = fn(&mut Xoshiro256PlusPlus) -> String;

    /// Asserts that `ours` and `fake`'s generator give the same value and leave the RNG in the
    /// same state (so every draw matched, and later draws from the same RNG would too).
    fn same_as_fake(kind: &str, ours: Gen, theirs: Gen) {
        let keyed = Salt::new("fakes-equivalence").keyed();
        let check = |seed: &str, mut a: Xoshiro256PlusPlus| {
            let mut b = a.clone();
            let got = ours(&mut a);
            let want = theirs(&mut b);
            assert_eq!(got, want, "{kind}: value for {seed}");
            assert_eq!(a, b, "{kind}: RNG state after {seed} (value {want:?})");
            assert_eq!(a.random::<u64>(), b.random::<u64>());
        };
        for i in 0..SEEDS {
            check(
                &format!("seed_from_u64({i})"),
                Xoshiro256PlusPlus::seed_from_u64(i),
            );
            check(
                &format!("digest {i}"),
                Xoshiro256PlusPlus::from_seed(keyed.digest(kind, &i.to_le_bytes())),
            );
        }
        // One RNG carried through many values: states that are not fresh from seeding.
        let mut a = Xoshiro256PlusPlus::seed_from_u64(u64::MAX);
        let mut b = a.clone();
        for i in 0..SEEDS {
            assert_eq!(ours(&mut a), theirs(&mut b), "{kind}: value {i} of one RNG");
        }
        assert_eq!(a, b, "{kind}: RNG state after {SEEDS} values of one RNG");
    }

    #[test]
    fn name_is_fakes() {
        same_as_fake("name", name, |rng| {
            fake::faker::name::en::Name().fake_with_rng(rng)
        });
    }

    #[test]
    fn city_name_is_fakes() {
        same_as_fake("city", city_name, |rng| {
            fake::faker::address::en::CityName().fake_with_rng(rng)
        });
    }

    #[test]
    fn street_address_is_fakes() {
        same_as_fake("address", street_address, |rng| {
            let number: String = fake::faker::address::en::BuildingNumber().fake_with_rng(rng);
            let street: String = fake::faker::address::en::StreetName().fake_with_rng(rng);
            format!("{number} {street}")
        });
    }

    #[test]
    fn phone_number_is_fakes() {
        same_as_fake("phone", phone_number, |rng| {
            fake::faker::phone_number::en::PhoneNumber().fake_with_rng(rng)
        });
    }

    #[test]
    fn company_name_is_fakes() {
        same_as_fake("company", company_name, |rng| {
            fake::faker::company::en::CompanyName().fake_with_rng(rng)
        });
    }

    #[test]
    fn username_is_fakes() {
        same_as_fake("username", username, |rng| {
            fake::faker::internet::en::Username().fake_with_rng(rng)
        });
    }

    /// `render_into` equals a `replace` chain only if no value contains `{`.
    #[test]
    fn words_hold_no_placeholder_brace() {
        for list in [
            EN::NAME_FIRST_NAME,
            EN::NAME_LAST_NAME,
            EN::ADDRESS_CITY_PREFIX,
            EN::ADDRESS_CITY_SUFFIX,
            EN::ADDRESS_STREET_SUFFIX,
            EN::COMPANY_SUFFIX,
            EN::LOREM_WORD,
        ] {
            assert!(!list.is_empty());
            for w in list {
                assert!(!w.contains('{'), "{w:?}");
            }
        }
    }

    #[test]
    fn render_matches_replace_chains() {
        let vars = [("{A}", "x"), ("{B}", "yy")];
        for tpl in [
            "{A} {B}",
            "{A}{A}",
            "{{A}}",
            "{C} {A",
            "",
            "no braces",
            "{B}{A}{",
        ] {
            let want = tpl.replace("{A}", "x").replace("{B}", "yy");
            assert_eq!(render(tpl, &vars), want, "{tpl:?}");
        }
    }

    #[test]
    fn push_u8_is_display() {
        for n in 0..=u8::MAX {
            let mut s = String::new();
            push_u8(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
