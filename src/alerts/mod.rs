//! The alert board in the browser. The worker runs the core's
//! [`AlertEngine`](zitiscope_core::alerts::AlertEngine) on the feed's clock
//! (`zitiscope_core::sync::Engine`); the page shows its board, sends it the
//! operator's acks and silences, and tells people about what fires:
//! toasts, an optional sound and desktop notification, the page title and
//! the favicon.
//!
//! - [`panel`]: the board (firing first, filter, ack, silence);
//! - [`toasts`]: one toast per new firing alert, rate-limited;
//! - [`notify`]: sound, desktop notification, title, favicon, and the
//!   preferences remembered in this browser (acks and silences included).

mod notify;
mod panel;
mod toasts;

pub use notify::{Prefs, PrefsStore};
pub use panel::AlertPanel;
pub use toasts::{Toast, Toasts};

use crate::store::LiveStore;
use leptos::prelude::*;
use zitiscope_core::alerts::{Alert, AlertConfig, AlertCounts, AlertKey, Silence};
use zitiscope_core::sync::Command;
use zitiscope_core::Timestamp;

/// What a silence covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// This alert: its rule at its subject.
    Alert,
    /// Every alert about its subject (a router, a link), whatever the rule.
    Subject,
    /// Its rule, everywhere.
    Rule,
}

/// What [`use_alerts`] gives back. Every field is a cheap handle.
#[derive(Clone, Copy)]
pub struct UseAlertsReturn {
    store: LiveStore,
    /// Every alert kept, in board order (firing first, worst first).
    pub board: RwSignal<Vec<Alert>>,
    pub counts: RwSignal<AlertCounts>,
    /// The toasts on screen.
    pub toasts: RwSignal<Vec<Toast>>,
    /// The preferences remembered in this browser.
    pub prefs: PrefsStore,
}

impl UseAlertsReturn {
    /// Acknowledges an alert as the operator named in the preferences.
    pub fn ack(&self, key: &AlertKey) {
        let by = self.prefs.get().operator;
        let now = self.store.now();
        let since = self.board.with_untracked(|b| b.iter().find(|a| a.key == *key).map(|a| a.since));
        self.store.send(Command::Ack { key: key.clone(), by: by.clone(), at: now });
        self.prefs.remember_ack(key, now, &by, since);
    }

    /// Silences what `scope` says about an alert for `minutes`,
    /// remembered across reloads.
    pub fn silence(&self, key: &AlertKey, scope: Scope, minutes: i64) {
        let until = Timestamp(self.store.now().0.saturating_add(minutes * 60_000_000_000));
        let rule = (scope != Scope::Subject).then_some(key.rule);
        let subject = (scope != Scope::Rule).then(|| key.subject.clone());
        self.store.send(Command::Silence { silence: Silence { rule, subject, until } });
    }

    /// Ends the silences over an alert.
    pub fn unsilence(&self, key: &AlertKey) {
        self.store.send(Command::Unsilence { key: key.clone() });
    }

    /// Whether an alert is silenced now. Tracked.
    pub fn is_silenced(&self, key: &AlertKey) -> bool {
        self.store.is_silenced(key)
    }

    /// New thresholds (e.g. once `config.json` arrives): the worker's
    /// engine judges by them from now on, the past moments too.
    pub fn set_config(&self, cfg: AlertConfig) {
        self.store.send(Command::Settings { heartbeat_ms: cfg.heartbeat_ms as f64, alerts: cfg });
    }
}

/// Shows the worker's alert board from `store`, remembers the operator's
/// silences, and tells people about the alerts that fire.
pub fn use_alerts(store: LiveStore) -> UseAlertsReturn {
    let prefs = PrefsStore::load();
    let this =
        UseAlertsReturn { store, board: store.board, counts: store.counts, toasts: RwSignal::new(Vec::new()), prefs };
    // The worker started with the remembered silences: what it says later
    // is what to remember (not the empty list the page starts with).
    Effect::new(move |first: Option<()>| {
        let silences = store.silences.get();
        if first.is_some() && store.applied() > 0 {
            prefs.set_silences(silences);
        }
    });
    Effect::new(move |_| {
        let fired = store.take_fired();
        if !fired.is_empty() {
            told(this, fired);
        }
    });
    notify::follow(this);
    notify::wake_audio_on_gesture(prefs);
    notify::repeat_until_answered(this);
    this
}

/// Tells people about alerts that fired unsilenced, unless this browser
/// acked the same episode before a reload: the worker then hears of that
/// ack, silenced or not.
fn told(this: UseAlertsReturn, fired: Vec<(Alert, bool)>) {
    let fresh: Vec<Alert> = fired
        .into_iter()
        .filter(|(a, silenced)| match this.prefs.ack_for(&a.key, Some(a.since)) {
            Some((by, at)) => {
                this.store.send(Command::Ack { key: a.key.clone(), by, at });
                false
            }
            None => !silenced && a.ack.is_none(),
        })
        .map(|(a, _)| a)
        .collect();
    if !fresh.is_empty() {
        toasts::push(this.toasts, &fresh);
        notify::announce(this, &fresh);
    }
}
