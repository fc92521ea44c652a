//! Ctrl-C and SIGTERM (a CronJob's deadline, `systemctl stop`) during a sync: drop the half-built
//! `<target>__pgward_new` right away and exit 1, rather than leave it (and its disk) until the next
//! run. Staging itself is untouched either way; SIGKILL cannot be caught, and the next run cleans
//! up after it.
//!
//! The swap holds [`swapping`]'s guard while it renames: a signal arriving then waits for the two
//! renames to finish, so the target never stays missing.

use std::sync::{Mutex, OnceLock};

use crate::pg::connect::Endpoint;

use super::swap::Admin;

/// What the handler drops: the target server and the new database's name, once it exists.
static LOADING: Mutex<Option<(Endpoint, String)>> = Mutex::new(None);
/// Held during the swap's renames (an async mutex: both sides hold it across awaits).
static SWAP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static INSTALLED: OnceLock<()> = OnceLock::new();

/// Starts listening for SIGINT and SIGTERM (once per process).
pub fn install() {
    INSTALLED.get_or_init(|| {
        std::thread::spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    return;
                };
                let name = tokio::select! {
                    _ = int.recv() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                };
                let _swap = SWAP.lock().await;
                let loading = LOADING.lock().unwrap_or_else(|e| e.into_inner()).clone();
                match loading {
                    Some((target, new)) => {
                        eprintln!("pgward: {name}: stopping; dropping {new}, staging is untouched");
                        if let Ok(admin) = Admin::connect(&target).await {
                            let _ = admin.drop_database(&new).await;
                        }
                    }
                    None => eprintln!("pgward: {name}: stopping; nothing was written"),
                }
                std::process::exit(1);
            });
        });
    });
}

/// From now on an interruption drops `new` on `target`'s server.
pub fn loading(target: &Endpoint, new: &str) {
    *LOADING.lock().unwrap_or_else(|e| e.into_inner()) = Some((target.clone(), new.to_owned()));
}

/// The load is over (swapped in or dropped): nothing to clean up any more.
pub fn done() {
    *LOADING.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Keeps an interruption from landing between the swap's two renames while it is held.
pub async fn swapping() -> tokio::sync::MutexGuard<'static, ()> {
    SWAP.lock().await
}
