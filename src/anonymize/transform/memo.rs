//! A small cache of a transformer's recent results, so a value that comes back (a customer's
//! billing address on each of their invoices, a common name, a city) is masked once, not each
//! time: the keyed digest, the fake and, for `json`, the parse and print are skipped.
//!
//! Sound because transformers are pure: a transformer that reads no other column of the row
//! returns the same output for the same input, every time (keyed by the salt, which does not change
//! during a run). The cache is direct-mapped: a value's hash picks one slot, which holds the last
//! value stored there and its output; a hit compares the whole value, so a collision only costs a
//! recompute. Each slot has its own lock, so the pipeline's threads rarely wait for each other.
//!
//! A column of unique values (emails, phone numbers) gains nothing: such a cache finds out within
//! its first [`PROBE`] lookups and turns itself off.
//!
//! Bounded: [`SLOTS`] slots, each holding a value and its output of at most [`MAX_BYTES`] bytes
//! (longer ones are not cached), allocated on the first use: at most about 8 MiB per transformer.
//! The values stay in memory only while the transformer exists (the run), like the batches being
//! masked; nothing is written anywhere.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// Slots per transformer.
pub(crate) const SLOTS: usize = 8192;
/// Longest value (and output) kept, in bytes.
pub(crate) const MAX_BYTES: usize = 512;
/// Lookups after which a cache that hits less than one time in [`MIN_HIT_RATIO`] turns itself
/// off (a column of unique values: emails, phone numbers), so it costs nothing from then on.
pub(crate) const PROBE: u32 = 16384;
pub(crate) const MIN_HIT_RATIO: u32 = 8;

const PROBING: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;

/// A value and its output (`None`: NULL); the strings keep their allocations when replaced.
#[derive(Default)]
struct Slot {
    used: bool,
    key: String,
    output: Option<String>,
}

#[derive(Default)]
pub(crate) struct Memo {
    slots: OnceLock<Box<[Mutex<Slot>]>>,
    state: AtomicU8,
    lookups: AtomicU32,
    hits: AtomicU32,
}

impl Memo {
    fn slot(&self, value: &str) -> &Mutex<Slot> {
        let slots = self
            .slots
            .get_or_init(|| (0..SLOTS).map(|_| Mutex::default()).collect());
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(value);
        &slots[(hash as usize) % SLOTS]
    }

    /// Counts a lookup while probing; decides on or off once [`PROBE`] lookups were made.
    fn count(&self, hit: bool) {
        if hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        if self.lookups.fetch_add(1, Ordering::Relaxed) + 1 == PROBE {
            let on = self.hits.load(Ordering::Relaxed) * MIN_HIT_RATIO >= PROBE;
            self.state
                .store(if on { ON } else { OFF }, Ordering::Relaxed);
        }
    }

    /// The output of `value`, from the cache or from `compute` (then cached). Errors are not
    /// cached.
    pub(crate) fn get_or<E>(
        &self,
        value: &str,
        compute: impl FnOnce() -> Result<Option<String>, E>,
    ) -> Result<Option<String>, E> {
        let state = self.state.load(Ordering::Relaxed);
        if state == OFF || value.len() > MAX_BYTES {
            return compute();
        }
        let slot = self.slot(value);
        {
            let slot = slot.lock().unwrap_or_else(|e| e.into_inner());
            if slot.used && slot.key == value {
                let output = slot.output.clone();
                drop(slot);
                if state == PROBING {
                    self.count(true);
                }
                return Ok(output);
            }
        }
        if state == PROBING {
            self.count(false);
        }
        let output = compute()?;
        if output.as_ref().is_none_or(|o| o.len() <= MAX_BYTES) {
            let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
            slot.used = true;
            slot.key.clear();
            slot.key.push_str(value);
            match (&mut slot.output, &output) {
                (Some(kept), Some(new)) => {
                    kept.clear();
                    kept.push_str(new);
                }
                (kept, new) => *kept = new.clone(),
            }
        }
        Ok(output)
    }

    #[cfg(test)]
    fn is_off(&self) -> bool {
        self.state.load(Ordering::Relaxed) == OFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn computes_once_per_value_and_keeps_collisions_apart() {
        let memo = Memo::default();
        let calls = Cell::new(0);
        let upper = |v: &str| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(Some(v.to_uppercase()))
        };
        assert_eq!(memo.get_or("ada", || upper("ada")), Ok(Some("ADA".into())));
        assert_eq!(memo.get_or("ada", || upper("ada")), Ok(Some("ADA".into())));
        assert_eq!(calls.get(), 1);
        // More values than slots (fewer than PROBE lookups: still on): every answer is still
        // the value's own.
        for i in 0..SLOTS + 100 {
            let v = format!("v{i}");
            assert_eq!(memo.get_or(&v, || upper(&v)), Ok(Some(v.to_uppercase())));
        }
        let long = "x".repeat(MAX_BYTES + 1);
        let before = calls.get();
        memo.get_or(&long, || upper(&long)).unwrap();
        memo.get_or(&long, || upper(&long)).unwrap();
        assert_eq!(calls.get(), before + 2, "long values are not cached");
        assert_eq!(memo.get_or("n", || Ok::<_, ()>(None)), Ok(None));
        assert_eq!(
            memo.get_or("n", || Err(())),
            Ok(None),
            "NULL outputs are cached"
        );
        assert_eq!(memo.get_or("e", || Err::<Option<String>, _>(7)), Err(7));
        assert_eq!(
            memo.get_or("e", || Ok::<_, i32>(None)),
            Ok(None),
            "errors are not"
        );
        assert!(!memo.is_off());
    }

    #[test]
    fn turns_itself_off_on_unique_values_and_stays_correct() {
        let memo = Memo::default();
        for i in 0..PROBE + 10 {
            let v = format!("unique{i}");
            assert_eq!(
                memo.get_or(&v, || Ok::<_, ()>(Some(v.clone()))),
                Ok(Some(v))
            );
        }
        assert!(memo.is_off());
        assert_eq!(
            memo.get_or("x", || Ok::<_, ()>(Some("y".into()))),
            Ok(Some("y".into()))
        );
    }
}
