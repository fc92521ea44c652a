//! `pgward demo`: the README's first sync command, end to end on its own throwaway cluster.

use std::process::Command;

#[test]
fn demo_syncs_and_shows_masked_rows() {
    let out = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .arg("demo")
        .env_remove("STAGING_SAFETY_LOCK")
        .env_remove("PGWARD_SALT")
        .output()
        .expect("run pgward demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    let (before, after) = stdout
        .split_once("Staging database")
        .unwrap_or_else(|| panic!("no after section:\n{stdout}"));
    let emails = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .filter(|w| w.contains('@'))
            .map(str::to_owned)
            .collect()
    };
    let (real, masked) = (emails(before), emails(after));
    assert_eq!(real.len(), 3, "three sample rows before:\n{before}");
    assert_eq!(masked.len(), 3, "three sample rows after:\n{after}");
    for email in &masked {
        assert!(!real.contains(email), "{email} survived the sync");
        assert!(
            [
                ".example.com",
                ".example.net",
                ".example.org",
                "@example.com",
                "@example.net",
                "@example.org"
            ]
            .iter()
            .any(|d| email.ends_with(d)),
            "{email} is not on a reserved domain"
        );
    }
    assert!(
        stdout.contains("STEP") || stderr.contains("STEP"),
        "stages are shown"
    );
    assert!(stdout.contains("stopped and removed"), "{stdout}");
}
