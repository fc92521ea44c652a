//! Keyed hashing: the salt, and the per-value digests and RNGs that make masking deterministic.
//!
//! Every deterministic transformer derives its output from `HMAC-SHA256(salt, kind || 0 || value)`.
//! The same value gives the same output in every table, inside JSON and arrays, and in every run
//! with the same salt (joins on masked values keep working); another salt gives other output, and
//! without the salt the output says nothing about the input (unlike a plain hash, which can be
//! reversed by hashing guesses). `kind` separates the transformers, so `hash` output does not leak
//! through `uuid` output of the same value. The 32-byte digest seeds a Xoshiro256++ generator that
//! drives `fake` (about 250 ns per value with HMAC, see field-notes.md "Fake data").

use std::fmt;
use std::path::PathBuf;

use hmac::{Hmac, KeyInit, Mac};
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use sha2::Sha256;

use super::profile::ProfileError;

/// Where the salt comes from, as written in the profile's `[salt]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaltSource {
    /// `env = "PGWARD_SALT"`: an environment variable holding the salt.
    Env(String),
    /// `file = "path"`: a file whose content (trailing newline trimmed) is the salt. A relative
    /// path is resolved against the profile's directory when the profile was loaded from a file.
    File(PathBuf),
}

/// The secret key of deterministic masking. Its bytes are never printed (`Debug` hides them).
#[derive(Clone)]
pub struct Salt(Vec<u8>);

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(..)")
    }
}

impl Salt {
    /// A salt from raw bytes (tests, or a caller that obtained it elsewhere).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Salt {
        Salt(bytes.into())
    }

    /// Reads the salt from its source. A missing or empty variable or file is an error that names
    /// the variable or file and says how to provide it.
    pub fn resolve(source: &SaltSource) -> Result<Salt, ProfileError> {
        match source {
            SaltSource::Env(var) => match std::env::var_os(var) {
                Some(v) if !v.is_empty() => Ok(Salt(v.into_encoded_bytes())),
                _ => Err(ProfileError::SaltMissing {
                    what: format!("environment variable `{var}` is not set or empty"),
                    help: format!(
                        "Set {var} to a long random secret (e.g. `export {var}=$(openssl rand -hex 32)`) \
                         and keep it stable: the same salt gives the same masked values in every run."
                    ),
                }),
            },
            SaltSource::File(path) => match std::fs::read(path) {
                Ok(mut bytes) => {
                    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                        bytes.pop();
                    }
                    if bytes.is_empty() {
                        return Err(ProfileError::SaltMissing {
                            what: format!("salt file `{}` is empty", path.display()),
                            help: "Write a long random secret into it, e.g. `openssl rand -hex 32 > FILE`."
                                .to_owned(),
                        });
                    }
                    Ok(Salt(bytes))
                }
                Err(e) => Err(ProfileError::SaltMissing {
                    what: format!("cannot read salt file `{}`: {e}", path.display()),
                    help:
                        "Create it with a long random secret, e.g. `openssl rand -hex 32 > FILE`, \
                           or point `[salt] file` at the right path."
                            .to_owned(),
                }),
            },
        }
    }

    /// 16 hex characters that tell salts apart in run reports without revealing them: an HMAC of a
    /// fixed label, so the salt cannot be recovered from it.
    pub fn fingerprint(&self) -> String {
        self.keyed().digest("pgward salt fingerprint", b"")[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub(crate) fn keyed(&self) -> Keyed {
        Keyed {
            mac: Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length"),
        }
    }
}

/// A pre-keyed HMAC; cloned per value (cheap: two SHA-256 states).
#[derive(Clone)]
pub(crate) struct Keyed {
    mac: Hmac<Sha256>,
}

impl Keyed {
    /// `HMAC(salt, kind || 0 || value)`.
    pub(crate) fn digest(&self, kind: &str, value: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        mac.finalize().into_bytes().into()
    }

    /// A generator seeded from the digest: deterministic per (salt, kind, value).
    pub(crate) fn rng(&self, kind: &str, value: &[u8]) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::from_seed(self.digest(kind, value))
    }

    /// A generator seeded from a digest already computed (saves one HMAC).
    pub(crate) fn rng_from(digest: [u8; 32]) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::from_seed(digest)
    }

    /// A number in `0..n` (n > 0) from the digest; the modulo bias is below 2^-60 for small n.
    pub(crate) fn below(&self, kind: &str, value: &[u8], n: u64) -> u64 {
        let d = self.digest(kind, value);
        u64::from_le_bytes(d[..8].try_into().expect("8 bytes")) % n.max(1)
    }
}

/// Lowercase base-36 text of `len` characters from a digest (suffixes that keep values unique).
pub(crate) fn base36(digest: &[u8], len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = u128::from_le_bytes(digest[..16].try_into().expect("16 bytes"));
    (0..len)
        .map(|_| {
            let c = ALPHABET[(n % 36) as usize] as char;
            n /= 36;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_salt_kind_and_value() {
        let a = Salt::new("a").keyed();
        let b = Salt::new("b").keyed();
        assert_eq!(a.digest("email", b"x"), a.digest("email", b"x"));
        assert_ne!(a.digest("email", b"x"), b.digest("email", b"x"));
        assert_ne!(a.digest("email", b"x"), a.digest("hash", b"x"));
        assert_ne!(a.digest("email", b"x"), a.digest("email", b"y"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(a.digest("ab", b"c"), a.digest("a", b"bc"));
    }

    #[test]
    fn fingerprints_tell_salts_apart_without_showing_them() {
        let a = Salt::new("hunter2").fingerprint();
        assert_eq!(a.len(), 16);
        assert_eq!(a, Salt::new("hunter2").fingerprint());
        assert_ne!(a, Salt::new("hunter3").fingerprint());
        assert!(!a.contains("hunter2"));
    }

    #[test]
    fn salt_debug_hides_the_secret() {
        assert_eq!(format!("{:?}", Salt::new("hunter2")), "Salt(..)");
    }

    #[test]
    fn missing_env_salt_names_the_variable() {
        let err = Salt::resolve(&SaltSource::Env("PGWARD_TEST_SALT_UNSET_9f2".into())).unwrap_err();
        let text = format!("{err} {}", miette::Diagnostic::help(&err).unwrap());
        assert!(text.contains("PGWARD_TEST_SALT_UNSET_9f2"), "{text}");
    }
}
