//! The dispatcher: the observer pattern over the store's changes.
//!
//! Any number of subscribers, each with an [`Interest`]. A subscription is a
//! handle: dropping it unsubscribes. Two kinds of sink:
//! - a **queue** ([`Dispatcher::subscribe`]): changes wait in a bounded
//!   queue until the subscriber drains it. A slow subscriber can only
//!   overflow its own queue, which drops its oldest changes and counts them;
//! - a **callback** ([`Dispatcher::on`]): called during dispatch. A callback
//!   that panics is removed and counted; the others still run. (Catching a
//!   panic needs unwinding: in the app's `panic = "abort"` build, use queues.)
//!
//! Callbacks run outside the registry's lock, so they may subscribe or
//! unsubscribe.

mod interest;

pub(crate) use interest::is_up;
pub use interest::{glob, Direction, Interest};

use crate::store::Change;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

type Callback = Box<dyn FnMut(&Change) + Send>;

enum Sink {
    Queue { queue: VecDeque<Change>, cap: usize, dropped: u64 },
    Callback(Callback),
}

struct Entry {
    id: u64,
    interest: Interest,
    sink: Sink,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    entries: Vec<Entry>,
    /// Ids unsubscribed while their entry was out for a dispatch.
    gone: Vec<u64>,
    failed: u64,
}

/// See the module docs. Cloning gives another handle to the same registry.
#[derive(Clone, Default)]
pub struct Dispatcher {
    registry: Arc<Mutex<Registry>>,
}

/// A subscription; dropping it unsubscribes.
pub struct Subscription {
    id: u64,
    registry: Weak<Mutex<Registry>>,
}

/// What one dispatch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Changes handed to subscribers (one per change per subscriber).
    pub delivered: u64,
    /// Changes that pushed an older one out of a full queue.
    pub dropped: u64,
    /// Callbacks that panicked (and were removed).
    pub failed: u64,
}

fn lock(m: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    // Callbacks run outside the lock, so a poisoned lock only means a
    // panic elsewhere; the registry itself is whole.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Dispatcher {
    /// An empty dispatcher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribes a bounded queue of at most `cap` changes.
    pub fn subscribe(&self, interest: Interest, cap: usize) -> Subscription {
        self.add(interest, Sink::Queue { queue: VecDeque::new(), cap: cap.max(1), dropped: 0 })
    }

    /// Subscribes a callback.
    pub fn on(&self, interest: Interest, f: impl FnMut(&Change) + Send + 'static) -> Subscription {
        self.add(interest, Sink::Callback(Box::new(f)))
    }

    fn add(&self, interest: Interest, sink: Sink) -> Subscription {
        let mut r = lock(&self.registry);
        r.next_id += 1;
        let id = r.next_id;
        r.entries.push(Entry { id, interest, sink });
        Subscription { id, registry: Arc::downgrade(&self.registry) }
    }

    /// How many subscriptions are live.
    pub fn len(&self) -> usize {
        lock(&self.registry).entries.len()
    }

    /// Whether nobody is subscribed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Callbacks removed for panicking, so far.
    pub fn failed(&self) -> u64 {
        lock(&self.registry).failed
    }

    /// Hands every change to every subscriber whose interest it passes.
    pub fn dispatch(&self, changes: &[Change]) -> DispatchReport {
        let mut report = DispatchReport::default();
        if changes.is_empty() {
            return report;
        }
        let mut entries = std::mem::take(&mut lock(&self.registry).entries);
        entries.retain_mut(|e| match &mut e.sink {
            Sink::Queue { queue, cap, dropped } => {
                let matching = changes.iter().filter(|c| e.interest.matches(c)).count();
                // Only the newest `cap` can stay: the ones before them would
                // be queued and pushed out again within this dispatch, so
                // they are counted as dropped without being copied.
                let mut skip = matching.saturating_sub(*cap);
                let lost = (queue.len() + matching).saturating_sub(*cap);
                queue.drain(..lost - skip);
                for change in changes.iter().filter(|c| e.interest.matches(c)) {
                    if skip > 0 {
                        skip -= 1;
                    } else {
                        queue.push_back(change.clone());
                    }
                }
                *dropped += lost as u64;
                report.dropped += lost as u64;
                report.delivered += matching as u64;
                true
            }
            Sink::Callback(f) => {
                for change in changes.iter().filter(|c| e.interest.matches(c)) {
                    if catch_unwind(AssertUnwindSafe(|| f(change))).is_err() {
                        report.failed += 1;
                        return false;
                    }
                    report.delivered += 1;
                }
                true
            }
        });
        let mut r = lock(&self.registry);
        let gone = std::mem::take(&mut r.gone);
        entries.retain(|e| !gone.contains(&e.id));
        // Subscriptions made during the dispatch were added to the (empty)
        // live list; keep them after the older ones.
        entries.append(&mut r.entries);
        r.entries = entries;
        r.failed += report.failed;
        report
    }
}

impl Subscription {
    /// Takes every queued change, oldest first (empty for callbacks).
    pub fn drain(&self) -> Vec<Change> {
        self.with_queue(|queue, _| queue.drain(..).collect()).unwrap_or_default()
    }

    /// Changes this subscription lost to a full queue.
    pub fn dropped(&self) -> u64 {
        self.with_queue(|_, dropped| *dropped).unwrap_or(0)
    }

    fn with_queue<T>(&self, f: impl FnOnce(&mut VecDeque<Change>, &mut u64) -> T) -> Option<T> {
        let registry = self.registry.upgrade()?;
        let mut r = lock(&registry);
        match r.entries.iter_mut().find(|e| e.id == self.id).map(|e| &mut e.sink) {
            Some(Sink::Queue { queue, dropped, .. }) => Some(f(queue, dropped)),
            _ => None,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade() {
            let mut r = lock(&registry);
            let before = r.entries.len();
            r.entries.retain(|e| e.id != self.id);
            if r.entries.len() == before {
                // Out for a dispatch right now: drop it when it comes back.
                r.gone.push(self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests;
