//! The name signal: column names (and JSON keys) read against a curated dictionary.
//!
//! # How a name is read
//!
//! 1. It is cut into words at `_`, `-`, spaces, dots, digits and camelCase humps
//!    (`billingAddress2` -> `billing address`, `IPAddress` -> `ip address`), lower-cased, accents
//!    folded (`prénom` -> `prenom`, `Straße` -> `strasse`). A single word glued from a dictionary
//!    word and something else is cut once more (`useremail` -> `user email`, see [`AFFIXABLE`]).
//! 2. Runs of up to four consecutive words are looked up, glued (`first_name`, `firstName` and
//!    `firstname` all read `firstname`), also without a plural `s`/`es` (`cc_emails`, `addresses`).
//!    The longest run wins, then the rightmost (`password_reset_token` is a token).
//! 3. The match is dropped when:
//!    - the column is a boolean;
//!    - a word after the match says the column is about the value, not the value
//!      ([`NOT_THE_VALUE`]: `email_verified`, `phone_count`, `email_confirmed_at`, `card_type`);
//!    - the type cannot hold that kind of value (an `integer` is no email, a `timestamp` only a
//!      birth date: `password_changed_at`, `token_expires` are record keeping);
//!    - the column is an integer or uuid whose last word is `id`/`ids`/`fk` outside the match
//!      (`address_id`: a foreign key, the address lives in its own table);
//!    - a bare `name` (or `nom`, `nombre`, `nome`) follows a word that names a thing
//!      ([`THING_QUALIFIERS`]: `product_name`, `file_name`, `host_name`).
//! 4. Weak words (a bare `name`, `city`) are only personal on a person-like table or when the
//!    values look like person names: the caller decides with the sampled values (see
//!    [`super::scan`]), using [`is_person_table`] and [`looks_like_person_names`].
//!
//! Extend it per profile with [`super::DetectOptions::extra_words`] (a word and a kind) and
//! silence a word with [`super::DetectOptions::ignore_words`].

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::{DetectOptions, PiiKind};
use crate::anonymize::transform::PgType;

/// How a dictionary word flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Personal wherever it appears (type and qualifier checks aside).
    Strong,
    /// Personal on person-like tables, or when the values look like person names (`name`, `city`).
    Weak,
    /// Only as the last word of the name (`lat`, `long`: `long_description` is not a longitude).
    LastOnly,
}

/// One dictionary entry.
#[derive(Debug, Clone, Copy)]
pub struct Word {
    /// Lower-case, unaccented, words separated by spaces (`first name`).
    pub word: &'static str,
    pub kind: PiiKind,
    /// What the word means, and its language when not English.
    pub note: &'static str,
    /// The transformer to suggest.
    pub suggested: &'static str,
    pub strength: Strength,
}

const fn w(word: &'static str, kind: PiiKind, note: &'static str) -> Word {
    Word {
        word,
        kind,
        note,
        suggested: kind.transformer(),
        strength: Strength::Strong,
    }
}

const fn weak(word: &'static str, kind: PiiKind, note: &'static str) -> Word {
    Word {
        strength: Strength::Weak,
        ..w(word, kind, note)
    }
}

const fn last(word: &'static str, kind: PiiKind, note: &'static str) -> Word {
    Word {
        strength: Strength::LastOnly,
        ..w(word, kind, note)
    }
}

use PiiKind::*;

/// The dictionary: common spellings in English, French, Spanish, German, Italian and Portuguese.
/// Each entry gives the kind of personal data, a note and (through the kind) the transformer
/// `profile init` writes.
pub const DICTIONARY: &[Word] = &[
    // Email addresses.
    w("email", Email, "email address"),
    w("mail", Email, "email address"),
    w("email address", Email, "email address"),
    w("mail address", Email, "email address"),
    w("courriel", Email, "email address (French)"),
    w("adresse mail", Email, "email address (French)"),
    w("adresse email", Email, "email address (French)"),
    w("correo", Email, "email address (Spanish)"),
    w("correo electronico", Email, "email address (Spanish)"),
    w("epost", Email, "email address (Scandinavian)"),
    // Phone numbers.
    w("phone", Phone, "phone number"),
    w("phone number", Phone, "phone number"),
    w("mobile", Phone, "mobile phone number"),
    w("mobile number", Phone, "mobile phone number"),
    w("cell", Phone, "cell phone number"),
    w("cellphone", Phone, "cell phone number"),
    w("tel", Phone, "telephone number"),
    w("telephone", Phone, "telephone number"),
    w("fax", Phone, "fax number"),
    w("msisdn", Phone, "mobile phone number"),
    w("whatsapp", Phone, "WhatsApp number"),
    w("telefono", Phone, "phone number (Spanish, Italian)"),
    w("telefone", Phone, "phone number (Portuguese)"),
    w("telefon", Phone, "phone number (German)"),
    w("handy", Phone, "mobile phone number (German)"),
    w("movil", Phone, "mobile phone number (Spanish)"),
    w(
        "celular",
        Phone,
        "mobile phone number (Spanish, Portuguese)",
    ),
    // Person names.
    w("first name", FirstName, "first name"),
    w("given name", FirstName, "given name"),
    w("forename", FirstName, "first name"),
    w("name first", FirstName, "first name"),
    w("prenom", FirstName, "first name (French)"),
    w("vorname", FirstName, "first name (German)"),
    w("last name", LastName, "last name"),
    w("family name", LastName, "family name"),
    w("surname", LastName, "surname"),
    w("maiden name", LastName, "maiden name"),
    w("name last", LastName, "last name"),
    w("nachname", LastName, "last name (German)"),
    w("familienname", LastName, "family name (German)"),
    w("apellido", LastName, "last name (Spanish)"),
    w("cognome", LastName, "last name (Italian)"),
    w("sobrenome", LastName, "last name (Portuguese)"),
    w("nom de famille", LastName, "family name (French)"),
    w("full name", PersonName, "full name"),
    w("middle name", PersonName, "middle name"),
    w("display name", PersonName, "display name"),
    w("legal name", PersonName, "legal name"),
    w("real name", PersonName, "real name"),
    w("nickname", PersonName, "nickname"),
    w("cardholder", PersonName, "card holder's name"),
    w("name full", PersonName, "full name"),
    w("nom complet", PersonName, "full name (French)"),
    w("nombre completo", PersonName, "full name (Spanish)"),
    weak("name", PersonName, "a name"),
    weak("nom", PersonName, "a name (French)"),
    weak("nombre", PersonName, "a name (Spanish)"),
    weak("nome", PersonName, "a name (Italian, Portuguese)"),
    // Log-in names.
    w("username", Username, "user name"),
    w("user name", Username, "user name"),
    w("login", Username, "login name"),
    w("screen name", Username, "screen name"),
    // Postal addresses.
    w("address", Address, "postal address"),
    w("address line", Address, "postal address line"),
    w("street", Address, "street address"),
    w("street name", Address, "street address"),
    w("house number", Address, "house number"),
    w("adresse", Address, "postal address (French, German)"),
    w("direccion", Address, "postal address (Spanish)"),
    w("indirizzo", Address, "postal address (Italian)"),
    w("endereco", Address, "postal address (Portuguese)"),
    w("strasse", Address, "street (German)"),
    w("hausnummer", Address, "house number (German)"),
    w("rue", Address, "street (French)"),
    w("calle", Address, "street (Spanish)"),
    w("zip", PostalCode, "ZIP code"),
    w("zipcode", PostalCode, "ZIP code"),
    w("zip code", PostalCode, "ZIP code"),
    w("postcode", PostalCode, "postcode"),
    w("postal", PostalCode, "postal code"),
    w("postal code", PostalCode, "postal code"),
    w("code postal", PostalCode, "postal code (French)"),
    w(
        "codigo postal",
        PostalCode,
        "postal code (Spanish, Portuguese)",
    ),
    w("plz", PostalCode, "postal code (German)"),
    w("postleitzahl", PostalCode, "postal code (German)"),
    weak("city", City, "city"),
    w("city name", City, "city"),
    w("town", City, "town"),
    w("ville", City, "city (French)"),
    w("ciudad", City, "city (Spanish)"),
    w("stadt", City, "city (German)"),
    w("wohnort", City, "home town (German)"),
    // Birth dates.
    w("birth", BirthDate, "birth date"),
    w("birthday", BirthDate, "birthday"),
    w("birthdate", BirthDate, "birth date"),
    w("dob", BirthDate, "date of birth"),
    w("date of birth", BirthDate, "date of birth"),
    w("born", BirthDate, "birth date"),
    w("geburtsdatum", BirthDate, "birth date (German)"),
    w("geburtstag", BirthDate, "birthday (German)"),
    w("naissance", BirthDate, "birth (French)"),
    w("date de naissance", BirthDate, "birth date (French)"),
    w("nacimiento", BirthDate, "birth (Spanish)"),
    w("fecha de nacimiento", BirthDate, "birth date (Spanish)"),
    w("nascimento", BirthDate, "birth (Portuguese)"),
    // Government ids.
    w("ssn", NationalId, "US social security number"),
    w("social security", NationalId, "social security number"),
    w(
        "social security number",
        NationalId,
        "social security number",
    ),
    w("national id", NationalId, "national id number"),
    w(
        "national insurance",
        NationalId,
        "UK national insurance number",
    ),
    w("nino", NationalId, "UK national insurance number"),
    w("identity number", NationalId, "identity document number"),
    w("id number", NationalId, "identity document number"),
    w("id card", NationalId, "identity card number"),
    w("passport", NationalId, "passport number"),
    w("passport number", NationalId, "passport number"),
    w("driver license", NationalId, "driver's license number"),
    w("drivers license", NationalId, "driver's license number"),
    w("driving licence", NationalId, "driving licence number"),
    w("tax id", NationalId, "tax id"),
    w("taxid", NationalId, "tax id"),
    w("tax number", NationalId, "tax number"),
    w("tin", NationalId, "taxpayer id number"),
    w("dni", NationalId, "national id (Spain)"),
    w("nif", NationalId, "tax id (Spain, Portugal)"),
    w("cpf", NationalId, "taxpayer id (Brazil)"),
    w("personnummer", NationalId, "national id (Sweden)"),
    w("steuernummer", NationalId, "tax number (German)"),
    w(
        "numero securite sociale",
        NationalId,
        "social security number (French)",
    ),
    // Payment data.
    w("iban", BankAccount, "international bank account number"),
    w("bank account", BankAccount, "bank account number"),
    w("account number", BankAccount, "bank account number"),
    w("card", CardNumber, "payment card number"),
    w("card number", CardNumber, "payment card number"),
    w("credit card", CardNumber, "credit card number"),
    w("cc number", CardNumber, "credit card number"),
    w("pan", CardNumber, "primary account number (card)"),
    w("cvv", CardSecurityCode, "card security code"),
    w("cvc", CardSecurityCode, "card security code"),
    w("cvv2", CardSecurityCode, "card security code"),
    w("security code", CardSecurityCode, "card security code"),
    // Network identifiers.
    w("ip", IpAddress, "IP address"),
    w("ip address", IpAddress, "IP address"),
    w("ipaddr", IpAddress, "IP address"),
    w("ipv", IpAddress, "IP address (ipv4/ipv6)"),
    w("remote addr", IpAddress, "remote IP address"),
    w("mac address", IpAddress, "device MAC address"),
    w("user agent", UserAgent, "browser user agent"),
    w("useragent", UserAgent, "browser user agent"),
    // Credentials.
    w("password", Password, "password or its hash"),
    w("passwd", Password, "password or its hash"),
    w("pwd", Password, "password or its hash"),
    w("passwort", Password, "password (German)"),
    w("contrasena", Password, "password (Spanish)"),
    w("mot de passe", Password, "password (French)"),
    w("pin", Password, "PIN code"),
    w("secret", Secret, "secret"),
    w("token", Secret, "secret token"),
    w("api key", Secret, "API key"),
    w("apikey", Secret, "API key"),
    w("access key", Secret, "access key"),
    w("secret key", Secret, "secret key"),
    w("private key", Secret, "private key"),
    w("credential", Secret, "credential"),
    w("otp", Secret, "one-time password secret"),
    w("totp", Secret, "one-time password secret"),
    w("recovery code", Secret, "account recovery code"),
    w("salt", Secret, "password salt"),
    // Location.
    w("latitude", Geolocation, "latitude"),
    w("longitude", Geolocation, "longitude"),
    w("geolocation", Geolocation, "geolocation"),
    w("geo", Geolocation, "geolocation"),
    w("gps", Geolocation, "GPS position"),
    w("coordinates", Geolocation, "coordinates"),
    last("lat", Geolocation, "latitude"),
    last("lng", Geolocation, "longitude"),
    last("lon", Geolocation, "longitude"),
    last("long", Geolocation, "longitude"),
    // Pictures of people.
    w("photo", Photo, "photo"),
    w("picture", Photo, "picture"),
    w("avatar", Photo, "avatar picture"),
    w("selfie", Photo, "selfie"),
    w("portrait", Photo, "portrait"),
    w("headshot", Photo, "headshot"),
];

/// Words that may be glued to another word in a single-word name (`useremail`, `homephone`,
/// `clientsecret`): such a word is cut in two. Short words are left out (`hotel` is no `tel`,
/// `automobile` no `mobile`, `velocity` no `city`).
pub const AFFIXABLE: &[&str] = &[
    "email",
    "phone",
    "address",
    "password",
    "passwd",
    "birthday",
    "birthdate",
    "surname",
    "firstname",
    "lastname",
    "fullname",
    "username",
    "token",
    "secret",
    "street",
    "telephone",
    "apikey",
    "postcode",
    "zipcode",
];

/// Last words that say the column is about the value, not the value: `email_verified`,
/// `phone_count`, `card_type`, `email_confirmed_at`, `address_label`.
pub const NOT_THE_VALUE: &[&str] = &[
    "count",
    "counts",
    "total",
    "length",
    "len",
    "size",
    "at",
    "on",
    "verified",
    "verification",
    "confirmed",
    "confirmation",
    "enabled",
    "disabled",
    "type",
    "kind",
    "status",
    "format",
    "valid",
    "validated",
    "visible",
    "visibility",
    "public",
    "sent",
    "expires",
    "expiry",
    "expired",
    "expiration",
    "changed",
    "updated",
    "provider",
    "template",
    "subject",
    "domain",
    "version",
    "algorithm",
    "algo",
    "method",
    "strength",
    "attempts",
    "tries",
    "source",
    "mode",
    "frequency",
    "policy",
    "preference",
    "preferences",
    "settings",
    "optin",
    "optout",
    "in",
    "out",
    "required",
    "allowed",
    "notification",
    "notifications",
    "bounced",
    "bounce",
    "unsubscribed",
    "subscribed",
    "language",
    "lang",
    "locale",
    "label",
    "rule",
    "rules",
    "pattern",
    "regex",
    "field",
    "column",
    "last",
    "suffix",
    "prefix",
    "mask",
    "masked",
    "brand",
    "country",
    "region",
    "code",
    "scope",
    "scopes",
    "hint",
    "flag",
    "flags",
    "level",
    "score",
    "index",
    "order",
    "rank",
    "position",
    "ttl",
    "lifetime",
    "url",
    "uri",
    "link",
    "endpoint",
    "page",
    "host",
    "server",
    "port",
    "path",
];

/// Words before a bare `name` that make it the name of a thing: `product_name`, `host_name`.
pub const THING_QUALIFIERS: &[&str] = &[
    "product",
    "file",
    "host",
    "table",
    "column",
    "field",
    "schema",
    "database",
    "db",
    "company",
    "business",
    "brand",
    "category",
    "tag",
    "role",
    "group",
    "team",
    "project",
    "app",
    "application",
    "service",
    "server",
    "domain",
    "bucket",
    "queue",
    "job",
    "task",
    "event",
    "plan",
    "feature",
    "branch",
    "repo",
    "repository",
    "package",
    "module",
    "class",
    "method",
    "function",
    "variable",
    "key",
    "index",
    "constraint",
    "country",
    "state",
    "region",
    "store",
    "shop",
    "organization",
    "organisation",
    "org",
    "department",
    "dept",
    "unit",
    "item",
    "sku",
    "model",
    "device",
    "browser",
    "os",
    "platform",
    "channel",
    "campaign",
    "list",
    "template",
    "theme",
    "layout",
    "page",
    "site",
    "website",
    "image",
    "asset",
    "document",
    "attachment",
    "folder",
    "directory",
    "path",
    "style",
    "color",
    "colour",
    "size",
    "vendor",
    "supplier",
    "merchant",
    "bank",
    "network",
    "currency",
    "language",
    "locale",
    "timezone",
    "zone",
    "course",
    "lesson",
    "game",
    "level",
    "stage",
    "step",
    "status",
    "type",
    "kind",
    "metric",
    "series",
    "trigger",
    "sequence",
    "view",
    "permission",
    "scope",
    "topic",
    "stream",
    "source",
    "target",
    "env",
    "environment",
    "cluster",
    "node",
    "container",
    "volume",
    "release",
    "version",
    "build",
    "pipeline",
    "workflow",
    "test",
    "report",
    "dashboard",
    "widget",
    "menu",
    "section",
    "screen",
    "component",
    "resource",
    "record",
    "entity",
    "object",
    "attribute",
    "property",
    "param",
    "parameter",
    "option",
    "setting",
    "config",
    "mime",
    "content",
    "media",
    "album",
    "track",
    "song",
    "book",
    "venue",
    "location",
    "place",
    "room",
    "building",
    "warehouse",
    "route",
    "station",
    "airport",
    "airline",
    "vehicle",
    "plant",
    "species",
    "breed",
    "pet",
    "animal",
    "dish",
    "recipe",
    "ingredient",
    "font",
    "icon",
    "label",
    "badge",
    "award",
    "prize",
    "tier",
    "segment",
    "audience",
    "cohort",
    "experiment",
    "variant",
    "flag",
    "region",
    "pool",
    "partition",
    "shard",
    "host",
    "machine",
    "instance",
    "queue",
    "printer",
    "sensor",
];

/// Words of a table name that make its rows people: a bare `name` there is a person's.
pub const PERSON_TABLES: &[&str] = &[
    "user",
    "customer",
    "client",
    "staff",
    "person",
    "people",
    "employee",
    "member",
    "contact",
    "author",
    "patient",
    "account",
    "profile",
    "applicant",
    "candidate",
    "student",
    "teacher",
    "guest",
    "subscriber",
    "recipient",
    "sender",
    "owner",
    "visitor",
    "participant",
    "attendee",
    "passenger",
    "driver",
    "doctor",
    "physician",
    "buyer",
    "seller",
    "lead",
    "prospect",
    "volunteer",
    "donor",
    "beneficiary",
    "resident",
    "citizen",
    "voter",
    "player",
    "athlete",
    "worker",
    "agent",
    "admin",
    "manager",
    "spouse",
    "parent",
    "guardian",
    "individual",
    "consumer",
    "shopper",
    "identity",
    "kunde",
    "benutzer",
    "mitarbeiter",
    "utilisateur",
    "personne",
    "usuario",
    "cliente",
    "empleado",
    "persona",
    "utente",
    "signup",
    "registration",
    "billing",
    "shipping",
    "recipient",
    "addressee",
    "emergency",
];

/// A name the dictionary flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub kind: PiiKind,
    /// The dictionary (or extra) word that matched, as written in the dictionary.
    pub word: String,
    /// The dictionary note (`phone number (German)`).
    pub note: String,
    pub suggested: &'static str,
    pub strength: Strength,
}

impl NameMatch {
    /// `the name says "telefon" (phone number (German))`.
    pub fn reason(&self) -> String {
        format!("the name says \"{}\" ({})", self.word, self.note)
    }
}

/// What a column's type can hold, for the type checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    Text,
    Number,
    DateTime,
    Boolean,
    Json,
    Bytes,
    Network,
    Uuid,
    SearchVector,
    /// `oid` or the `lo` extension's domain: a large object reference.
    LargeObjectRef,
    /// Anything else (enums, composites, geometry...).
    Other,
}

impl TypeClass {
    /// The class of a type as `format_type` spells it, and whether it is an array.
    pub fn of(type_name: &str) -> (TypeClass, bool) {
        let t = PgType::parse(type_name);
        let array = t.array_dims > 0;
        let scalar = if array { t.element() } else { t.clone() };
        let mut scalar = scalar;
        scalar.array_dims = 0;
        let class = if scalar.is_text() || scalar.base == "xml" {
            TypeClass::Text
        } else if scalar.is_numeric() {
            TypeClass::Number
        } else if scalar.is_datetime()
            || matches!(
                scalar.base.as_str(),
                "time" | "time without time zone" | "time with time zone" | "timetz" | "interval"
            )
        {
            TypeClass::DateTime
        } else if scalar.is_json() {
            TypeClass::Json
        } else {
            match scalar.base.as_str() {
                "boolean" | "bool" => TypeClass::Boolean,
                "bytea" => TypeClass::Bytes,
                "inet" | "cidr" | "macaddr" | "macaddr8" => TypeClass::Network,
                "uuid" => TypeClass::Uuid,
                "tsvector" => TypeClass::SearchVector,
                "oid" | "lo" => TypeClass::LargeObjectRef,
                _ => TypeClass::Other,
            }
        };
        (class, array)
    }
}

/// Whether a kind of personal data can sit in a column of this class.
fn kind_fits(kind: PiiKind, class: TypeClass) -> bool {
    use TypeClass as T;
    match class {
        T::Boolean => false,
        T::Text | T::Json | T::Other => true,
        T::Bytes => matches!(kind, Photo | Password | Secret),
        T::Number => matches!(
            kind,
            Phone
                | PostalCode
                | NationalId
                | BankAccount
                | CardNumber
                | CardSecurityCode
                | BirthDate
                | Geolocation
                | Password
        ),
        T::DateTime => kind == BirthDate,
        T::Network => kind == IpAddress,
        T::Uuid => kind == Secret,
        T::SearchVector => false,
        T::LargeObjectRef => matches!(kind, Photo),
    }
}

static INDEX: LazyLock<HashMap<String, &'static Word>> = LazyLock::new(|| {
    DICTIONARY
        .iter()
        .map(|w| (w.word.replace(' ', ""), w))
        .collect()
});

/// Cuts a name into lower-case, unaccented words: `billingAddress2` -> `billing address`,
/// `IPAddress` -> `ip address`, `E-Mail` -> `e mail`.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphabetic() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // `billingAddress`: a hump; `IPAddress`: the last capital of a run starts a word.
            if prev.is_lowercase() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        for l in c.to_lowercase() {
            fold(l, &mut current);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Folds common accents: `é` -> `e`, `ß` -> `ss`, `ñ` -> `n`.
fn fold(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ß' => {
            out.push_str("ss");
            return;
        }
        other => other,
    };
    out.push(folded);
}

/// The words of a name, a glued dictionary word cut out (`useremail` -> `user email`).
fn split_compounds(words: Vec<String>, known: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for word in words {
        if known(&word) || known(singular(&word).unwrap_or("")) {
            out.push(word);
            continue;
        }
        let cut = AFFIXABLE.iter().find_map(|a| {
            if word.len() > a.len() + 1 {
                if let Some(rest) = word.strip_suffix(a) {
                    return Some((rest.to_owned(), (*a).to_owned()));
                }
                if let Some(rest) = word.strip_prefix(a) {
                    return Some(((*a).to_owned(), rest.to_owned()));
                }
            }
            None
        });
        match cut {
            Some((a, b)) => {
                out.push(a);
                out.push(b);
            }
            None => out.push(word),
        }
    }
    out
}

fn singular(word: &str) -> Option<&str> {
    word.strip_suffix("es")
        .filter(|w| w.ends_with("ss") || w.ends_with('x') || w.ends_with("sh"))
        .or_else(|| word.strip_suffix('s'))
}

/// A dictionary word, or an extra word from the options, for a glued run of words.
fn lookup(glued: &str, options: &DetectOptions) -> Option<NameMatch> {
    let hit = |g: &str| -> Option<NameMatch> {
        if options
            .ignore_words
            .iter()
            .any(|i| i.replace([' ', '_'], "") == g)
        {
            return None;
        }
        if let Some(extra) = options
            .extra_words
            .iter()
            .find(|e| e.word.to_lowercase().replace([' ', '_', '-'], "") == g)
        {
            return Some(NameMatch {
                kind: extra.kind,
                word: extra.word.clone(),
                note: format!("{}, an extra word of the profile", extra.kind.label()),
                suggested: extra.kind.transformer(),
                strength: Strength::Strong,
            });
        }
        INDEX.get(g).map(|w| NameMatch {
            kind: w.kind,
            word: w.word.to_owned(),
            note: w.note.to_owned(),
            suggested: w.suggested,
            strength: w.strength,
        })
    };
    hit(glued).or_else(|| singular(glued).and_then(hit))
}

/// Reads a column name (or a JSON key) against the dictionary. `type_name` is the type as
/// `format_type` spells it (for a JSON key: `text`, `numeric` or `boolean` by its values).
/// Weak matches are returned with [`Strength::Weak`]: the caller decides with the values.
pub fn match_name(name: &str, type_name: &str, options: &DetectOptions) -> Option<NameMatch> {
    let (class, _) = TypeClass::of(type_name);
    if class == TypeClass::Boolean {
        return None;
    }
    let raw = words(name);
    let words = split_compounds(raw, &|w| lookup(w, options).is_some());
    let n = words.len();
    // (length, start, match): the longest run wins, then the rightmost.
    let mut best: Option<(usize, usize, NameMatch)> = None;
    for start in 0..n {
        for len in 1..=4.min(n - start) {
            let glued: String = words[start..start + len].concat();
            if let Some(m) = lookup(&glued, options) {
                let better = best
                    .as_ref()
                    .is_none_or(|(l, s, _)| len > *l || (len == *l && start > *s));
                if better {
                    best = Some((len, start, m));
                }
            }
        }
    }
    let (len, start, m) = best?;
    let after = &words[start + len..];
    let before = &words[..start];
    if m.strength == Strength::LastOnly && !after.is_empty() {
        return None;
    }
    if let Some(last) = after.last() {
        // `born_on`, `birth_at`: for a birth date, the date is the value.
        let dated = matches!(last.as_str(), "at" | "on") && m.kind == BirthDate;
        if NOT_THE_VALUE.contains(&last.as_str()) && !dated {
            return None;
        }
        // An unknown type (`""`: the linter reads names before types are known) counts as a key.
        if matches!(last.as_str(), "id" | "ids" | "fk" | "pk")
            && (matches!(class, TypeClass::Number | TypeClass::Uuid) || type_name.trim().is_empty())
        {
            return None;
        }
    }
    if !kind_fits(m.kind, class) {
        return None;
    }
    if m.strength == Strength::Weak && m.kind == PersonName {
        if let Some(q) = before.last() {
            if THING_QUALIFIERS.contains(&q.as_str())
                || singular(q).is_some_and(|s| THING_QUALIFIERS.contains(&s))
            {
                return None;
            }
            if PERSON_TABLES.contains(&q.as_str())
                || singular(q).is_some_and(|s| PERSON_TABLES.contains(&s))
                || ["holder", "contact", "parent"].contains(&q.as_str())
            {
                return Some(NameMatch {
                    strength: Strength::Strong,
                    note: format!("{}'s name", q),
                    ..m
                });
            }
        }
    }
    Some(m)
}

/// Whether a table's (or a JSON object's) name makes its rows people: `app_user`,
/// `Customer Contacts`, `employees`.
pub fn is_person_table(name: &str) -> bool {
    words(name).iter().any(|w| {
        PERSON_TABLES.contains(&w.as_str())
            || singular(w).is_some_and(|s| PERSON_TABLES.contains(&s))
    })
}

/// First names of the `fake` crate's locales (English, French, German, Italian, Portuguese,
/// Dutch), lower-case, minus the ones that are also common words (`German`, `Florida`).
static FIRST_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    use fake::locales::{DE_DE, Data, EN, FR_FR, IT_IT, NL_NL, PT_BR};
    const COMMON_WORDS: &[&str] = &[
        "german", "america", "general", "florida", "green", "brown", "golden", "baby", "christ",
        "easter", "forest", "ford", "august", "april", "june", "may", "city", "english", "french",
        "asia", "china", "india", "paris", "london", "berlin", "art", "bell", "berry", "summer",
        "winter", "autumn", "dawn", "hope", "joy", "grace", "faith", "rose", "ruby", "pearl",
        "amber", "crystal", "diamond", "jade", "sky", "river", "stone", "king", "major", "pink",
    ];
    [
        EN::NAME_FIRST_NAME,
        FR_FR::NAME_FIRST_NAME,
        DE_DE::NAME_FIRST_NAME,
        IT_IT::NAME_FIRST_NAME,
        PT_BR::NAME_FIRST_NAME,
        NL_NL::NAME_FIRST_NAME,
    ]
    .iter()
    .flat_map(|l| l.iter())
    .map(|n| n.to_lowercase())
    .filter(|n| !COMMON_WORDS.contains(&n.as_str()))
    .collect()
});

/// Whether a word is a common first name.
pub fn is_first_name(word: &str) -> bool {
    FIRST_NAMES.contains(&word.to_lowercase())
}

/// The share of values whose first word is a common first name (`Alice Martin`, `Bruno`).
pub fn person_name_share<'a>(values: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut total = 0;
    let mut hits = 0;
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        total += 1;
        let first = v
            .split(|c: char| c.is_whitespace() || c == ',')
            .find(|s| !s.is_empty())
            .unwrap_or("");
        if is_first_name(first) {
            hits += 1;
        }
    }
    (hits, total)
}

/// Values look like person names when at least this share starts with a first name: more than
/// the one in six of a language list (`German`) and far less than a real name column.
pub const PERSON_NAME_SHARE: f64 = 0.3;

/// Whether sampled values look like person names.
pub fn looks_like_person_names<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    let (hits, total) = person_name_share(values);
    total > 0 && hits as f64 / total as f64 >= PERSON_NAME_SHARE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, ty: &str) -> Option<NameMatch> {
        match_name(name, ty, &DetectOptions::default())
    }

    #[test]
    fn cuts_names_into_words() {
        assert_eq!(words("billingAddress2"), ["billing", "address"]);
        assert_eq!(words("Requester Email"), ["requester", "email"]);
        assert_eq!(words("E-Mail"), ["e", "mail"]);
        assert_eq!(words("IPAddress"), ["ip", "address"]);
        assert_eq!(words("prénom"), ["prenom"]);
        assert_eq!(words("Straße"), ["strasse"]);
        assert_eq!(words("ipv4"), ["ipv"]);
    }

    #[test]
    fn flags_personal_names_in_several_languages() {
        for (name, ty, kind) in [
            ("email", "text", Email),
            ("e_mail", "text", Email),
            ("E-Mail", "text", Email),
            ("courriel", "text", Email),
            ("correo", "text", Email),
            ("useremail", "text", Email),
            ("cc_emails", "text[]", Email),
            ("billing_email_address", "text", Email),
            ("phone_number", "text", Phone),
            ("mobile", "text", Phone),
            ("tel", "text", Phone),
            ("Telefon", "text", Phone),
            ("telefono", "text", Phone),
            ("handy", "text", Phone),
            ("first_name", "text", FirstName),
            ("firstName", "text", FirstName),
            ("prénom", "text", FirstName),
            ("vorname", "text", FirstName),
            ("given_name", "text", FirstName),
            ("last_name", "text", LastName),
            ("surname", "text", LastName),
            ("nachname", "text", LastName),
            ("apellido", "text", LastName),
            ("family_name", "text", LastName),
            ("full_name", "text", PersonName),
            ("owner_name", "text", PersonName),
            ("username", "text", Username),
            ("address", "text", Address),
            ("address2", "text", Address),
            ("billingAddress", "text", Address),
            ("street", "text", Address),
            ("adresse", "text", Address),
            ("dirección", "text", Address),
            ("Straße", "text", Address),
            ("zip", "text", PostalCode),
            ("postcode", "text", PostalCode),
            ("postal_code", "text", PostalCode),
            ("PLZ", "text", PostalCode),
            ("birth_date", "date", BirthDate),
            ("date_of_birth", "date", BirthDate),
            ("dob", "date", BirthDate),
            ("birthday", "date", BirthDate),
            ("geburtsdatum", "date", BirthDate),
            ("birth_year", "integer", BirthDate),
            ("ssn", "text", NationalId),
            ("national_id", "text", NationalId),
            ("passport_number", "text", NationalId),
            ("tax_id", "text", NationalId),
            ("iban", "text", BankAccount),
            ("card_number", "text", CardNumber),
            ("cvv", "text", CardSecurityCode),
            ("last_login_ip", "inet", IpAddress),
            ("IPAddress", "text", IpAddress),
            ("ipv4", "inet", IpAddress),
            ("user_agent", "text", UserAgent),
            ("hashed_password", "text", Password),
            ("password_digest", "text", Password),
            ("client_secret", "text", Secret),
            ("api_token", "text", Secret),
            ("api_key", "text", Secret),
            ("password_reset_token", "text", Secret),
            ("salt", "text", Secret),
            ("lat", "double precision", Geolocation),
            ("home_long", "numeric", Geolocation),
            ("latitude", "numeric", Geolocation),
            ("picture", "bytea", Photo),
            ("name", "text", PersonName),
        ] {
            let got = m(name, ty).unwrap_or_else(|| panic!("{name} ({ty}) should be flagged"));
            assert_eq!(got.kind, kind, "{name}");
        }
    }

    #[test]
    fn leaves_keys_flags_counts_and_record_keeping_alone() {
        for (name, ty) in [
            ("address_id", "integer"),
            ("email_verified", "boolean"),
            ("email_confirmed_at", "timestamp with time zone"),
            ("password_changed_at", "timestamp with time zone"),
            ("token_expires", "timestamp with time zone"),
            ("ip_count", "integer"),
            ("email_count", "integer"),
            ("name_length", "integer"),
            ("ip_version", "smallint"),
            ("id", "bigint"),
            ("created_at", "timestamp with time zone"),
            ("updated_at", "timestamp with time zone"),
            ("description", "text"),
            ("long_description", "text"),
            ("emailable", "boolean"),
            ("rename_count", "integer"),
            ("shipping", "text"),
            ("product_name", "text"),
            ("hostname", "text"),
            ("file_name", "text"),
            ("card_type", "text"),
            ("card_brand", "text"),
            ("phone_country", "text"),
            ("hotel", "text"),
            ("velocity", "double precision"),
            ("is_admin", "boolean"),
            ("email", "integer"),
            ("customer_id", "uuid"),
            ("address_id", ""),
        ] {
            assert_eq!(m(name, ty), None, "{name} ({ty})");
        }
    }

    #[test]
    fn weak_names_are_marked_weak() {
        assert_eq!(m("name", "text").unwrap().strength, Strength::Weak);
        assert_eq!(m("city", "text").unwrap().strength, Strength::Weak);
        assert_eq!(m("first_name", "text").unwrap().strength, Strength::Strong);
    }

    #[test]
    fn options_add_and_silence_words() {
        let options = DetectOptions {
            extra_words: vec![super::super::ExtraWord {
                word: "matricule".into(),
                kind: NationalId,
            }],
            ignore_words: vec!["tel".into()],
            ..DetectOptions::default()
        };
        assert_eq!(
            match_name("matricule", "text", &options).unwrap().kind,
            NationalId
        );
        assert_eq!(match_name("tel", "text", &options), None);
        assert!(match_name("email", "text", &options).is_some());
    }

    #[test]
    fn person_tables_and_first_names() {
        assert!(is_person_table("app_user"));
        assert!(is_person_table("Customer Contacts"));
        assert!(is_person_table("employees"));
        assert!(!is_person_table("category"));
        assert!(!is_person_table("language"));
        assert!(is_first_name("Alice"));
        assert!(!is_first_name("German"));
        assert!(looks_like_person_names([
            "Alice Martin",
            "Bruno Keller",
            "x"
        ]));
        assert!(!looks_like_person_names([
            "English", "Italian", "Japanese", "Mandarin", "French", "German"
        ]));
    }
}
