//! PII detection by column name: the sync's fail-closed pre-flight. A column whose name looks
//! personal must be named in the profile (even as `keep`) before any row is copied.
//!
//! Names are cut into words (`_`, `-`, spaces, digits, camelCase), and a word from [`PII_WORDS`]
//! flags the column, unless the last word says the column is about the value rather than the
//! value itself (`address_id`, `email_verified`, `phone_count`). Booleans are never flagged.

/// Words that make a column name look personal, and what they suggest.
pub const PII_WORDS: &[(&str, &str)] = &[
    ("email", "an email address"),
    ("mail", "an email address"),
    ("phone", "a phone number"),
    ("mobile", "a phone number"),
    ("name", "a name"),
    ("firstname", "a name"),
    ("lastname", "a name"),
    ("fullname", "a name"),
    ("surname", "a name"),
    ("username", "a user name"),
    ("address", "an address"),
    ("street", "an address"),
    ("ip", "an IP address"),
    ("ipaddress", "an IP address"),
    ("ipaddr", "an IP address"),
    ("token", "a secret token"),
    ("password", "a password or its hash"),
    ("passwd", "a password or its hash"),
    ("secret", "a secret"),
    ("ssn", "a national id number"),
    ("birth", "a birth date"),
    ("birthday", "a birth date"),
    ("birthdate", "a birth date"),
    ("dob", "a birth date"),
];

/// Last words that describe the value rather than hold it: `address_id` is a key, `email_verified`
/// a flag, `ip_count` a number.
const NOT_THE_VALUE: &[&str] = &[
    "id",
    "ids",
    "count",
    "at",
    "verified",
    "confirmed",
    "enabled",
    "type",
    "kind",
    "status",
    "hash_algorithm",
    "length",
    "len",
    "sent",
    "expires",
    "expiry",
];

/// Why a column looks personal, or `None`. `type_name` is the column's type as `format_type`
/// spells it.
pub fn column_looks_personal(column: &str, type_name: &str) -> Option<&'static str> {
    if type_name == "boolean" {
        return None;
    }
    let words = words(column);
    if words
        .last()
        .is_some_and(|w| NOT_THE_VALUE.contains(&w.as_str()))
    {
        return None;
    }
    words.iter().find_map(|w| {
        // Plurals too: `cc_emails`, `addresses`.
        let singulars = [Some(w.as_str()), w.strip_suffix('s'), w.strip_suffix("es")];
        PII_WORDS
            .iter()
            .find(|(word, _)| singulars.contains(&Some(*word)))
            .map(|(_, why)| *why)
    })
}

/// `billingAddress2` -> ["billing", "address"]; `E-Mail` -> ["e", "mail"].
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphabetic() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_personal_names() {
        for name in [
            "email",
            "Requester Email",
            "cc_emails",
            "billingAddress",
            "phone_number",
            "first_name",
            "last_login_ip",
            "api_token",
            "hashed_password",
            "client_secret",
            "ssn",
            "date_of_birth",
            "birth_date",
            "e_mail",
            "addresses",
            "IPAddress",
            "username",
            "name",
        ] {
            assert!(
                column_looks_personal(name, "text").is_some(),
                "{name} should be flagged"
            );
        }
    }

    #[test]
    fn leaves_keys_flags_and_counts_alone() {
        for (name, ty) in [
            ("address_id", "integer"),
            ("email_verified", "boolean"),
            ("email_confirmed_at", "timestamp with time zone"),
            ("ip_count", "integer"),
            ("id", "bigint"),
            ("created_at", "timestamp with time zone"),
            ("description", "text"),
            ("emailable", "boolean"),
            ("rename_count", "integer"),
            ("shipping", "text"),
        ] {
            assert_eq!(column_looks_personal(name, ty), None, "{name}");
        }
    }

    #[test]
    fn cuts_names_into_words() {
        assert_eq!(words("billingAddress2"), ["billing", "address"]);
        assert_eq!(words("Requester Email"), ["requester", "email"]);
        assert_eq!(words("E-Mail"), ["e", "mail"]);
        assert_eq!(words("IPAddress"), ["ipaddress"]);
    }
}
