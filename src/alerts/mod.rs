//! The alert board in the browser. The worker runs the core's
//! [`AlertEngine`](zitiscope_core::alerts::AlertEngine) on the feed's clock
//! (`zitiscope_core::sync::Engine`), with the acks, silences and maintenance
//! windows the feed shares with every screen ([`zitiscope_core::ops`]);
//! the page shows its board, sends the operator's acks and silences to the
//! feed, and tells people about what fires: toasts, an optional sound and
//! desktop notification, the page title and the favicon.
//!
//! - [`panel`]: the board (firing first, filter, ack with a comment,
//!   silence, who acked and why, what is in maintenance);
//! - [`toasts`]: one toast per new firing alert, rate-limited;
//! - [`notify`]: sound, desktop notification, title, favicon, and the
//!   personal preferences remembered in this browser (the operator's
//!   name, sound, notifications: never an ack or a silence).

mod notify;
mod panel;
mod toasts;

pub use notify::{Prefs, PrefsStore};
pub use panel::AlertPanel;
pub use toasts::{Toast, Toasts};

use crate::feed::{write, Write};
use crate::store::LiveStore;
use leptos::prelude::*;
use zitiscope_core::alerts::{Alert, AlertConfig, AlertCounts, AlertKey};
use zitiscope_core::ops::{AckRequest, SilenceRequest};
use zitiscope_core::sync::Command;

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
    events_url: Signal<String>,
    /// Every alert kept, in board order (firing first, worst first).
    pub board: RwSignal<Vec<Alert>>,
    pub counts: RwSignal<AlertCounts>,
    /// The toasts on screen.
    pub toasts: RwSignal<Vec<Toast>>,
    /// The preferences remembered in this browser.
    pub prefs: PrefsStore,
    /// Why the feed refused the last ack or silence (shown as text).
    pub error: RwSignal<Option<String>>,
}

impl UseAlertsReturn {
    /// Acknowledges an alert with `comment`, as the operator named in the
    /// preferences: the feed keeps it and every screen shows it.
    pub fn ack(&self, key: &AlertKey, comment: String) {
        let by = self.prefs.get().operator;
        let req = AckRequest { rule: key.rule, subject: key.subject.clone(), by, comment };
        self.send("/acks", Write::Post(serde_json::to_string(&req).unwrap_or_default()), "ack");
    }

    /// Silences what `scope` says about an alert for `minutes`, for every
    /// screen.
    pub fn silence(&self, key: &AlertKey, scope: Scope, minutes: u32) {
        let rule = (scope != Scope::Subject).then_some(key.rule);
        let subject = (scope != Scope::Rule).then(|| key.subject.clone());
        let by = self.prefs.get().operator;
        let req = SilenceRequest { rule, subject, minutes, by, comment: String::new() };
        self.send("/silences", Write::Post(serde_json::to_string(&req).unwrap_or_default()), "silence");
    }

    /// Ends the silences over an alert, for every screen.
    pub fn unsilence(&self, key: &AlertKey) {
        let now = self.store.now();
        let ids: Vec<i64> = (self.store.ops)
            .with_untracked(|o| o.silences.iter().filter(|s| s.silence.covers(key, now)).map(|s| s.id).collect());
        for id in ids {
            self.send(&format!("/silences/{id}"), Write::Delete, "unsilence");
        }
    }

    /// The shared silence over an alert now, if any: who made it, until
    /// when. Tracked.
    pub fn silenced_by(&self, key: &AlertKey) -> Option<(String, zitiscope_core::Timestamp)> {
        let now = self.store.now();
        (self.store.ops).with(|o| o.silence_for(key, now).map(|s| (s.by.clone(), s.silence.until)))
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

    /// Sends a write; the feed pushes the outcome to every screen (this
    /// one too), so only a refusal is kept here.
    fn send(&self, path: &str, what: Write, name: &'static str) {
        let (url, error, path) = (self.events_url.get_untracked(), self.error, path.to_owned());
        leptos::task::spawn_local(async move {
            let outcome = write(&url, &path, what, name).await;
            let _ = error.try_set(outcome.err());
        });
    }
}

/// Shows the worker's alert board from `store`, sends acks and silences
/// to the feed of `events_url`, and tells people about the alerts that
/// fire.
pub fn use_alerts(store: LiveStore, events_url: Signal<String>) -> UseAlertsReturn {
    let prefs = PrefsStore::load();
    let this = UseAlertsReturn {
        store,
        events_url,
        board: store.board,
        counts: store.counts,
        toasts: RwSignal::new(Vec::new()),
        prefs,
        error: RwSignal::new(None),
    };
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

/// Tells people about alerts that fired neither silenced, in maintenance
/// nor already acked (an ack made while it was pending covers it).
fn told(this: UseAlertsReturn, fired: Vec<(Alert, bool)>) {
    let fresh: Vec<Alert> = fired.into_iter().filter(|(a, quiet)| !quiet && a.ack.is_none()).map(|(a, _)| a).collect();
    if !fresh.is_empty() {
        toasts::push(this.toasts, &fresh);
        notify::announce(this, &fresh);
    }
}
