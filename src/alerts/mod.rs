//! The alert board in the browser. `use_alerts` runs the core's
//! [`AlertEngine`] on the feed's clock whenever the topology is rebuilt and
//! once a second (so time-driven rules, such as a stale feed or a feed
//! source that stays down, need no event), and tells people about what fires: toasts, an optional sound and
//! desktop notification, the page title and the favicon.
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

use crate::feed::FeedStatus;
use crate::store::LiveStore;
use crate::web::use_now;
use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use zitiscope_core::alerts::{
    Alert, AlertConfig, AlertCounts, AlertEngine, AlertKey, FeedHealth, Notice, Silence, SourceDown,
};
use zitiscope_core::client::Beats;
use zitiscope_core::Timestamp;

/// The least time between two evaluations driven by topology changes.
pub const EVALUATE_EVERY_MS: f64 = 250.0;

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

/// Options of [`use_alerts`].
#[derive(Clone, Debug, Default)]
pub struct UseAlertsOptions {
    /// Thresholds (from `config.json`); they may arrive later, see
    /// [`UseAlertsReturn::set_config`].
    pub config: AlertConfig,
    /// What the feed has shown of its heartbeat (`UseFeedReturn::beats`).
    /// A feed that sends none is never judged stale, whatever an earlier
    /// feed of this page last said; `None` judges every feed (ours).
    pub beats: Option<Signal<Beats>>,
}

/// What [`use_alerts`] gives back. Every field is a cheap handle.
#[derive(Clone, Copy)]
pub struct UseAlertsReturn {
    engine: StoredValue<RefCell<AlertEngine>, LocalStorage>,
    store: LiveStore,
    /// Every alert kept, in board order (firing first, worst first).
    pub board: RwSignal<Vec<Alert>>,
    pub counts: RwSignal<AlertCounts>,
    /// The toasts on screen.
    pub toasts: RwSignal<Vec<Toast>>,
    /// The preferences remembered in this browser.
    pub prefs: PrefsStore,
    /// Bumped to make the board evaluate now (after an ack or a silence).
    poke: RwSignal<u64>,
}

impl UseAlertsReturn {
    /// The thresholds in force (time travel judges past moments by them).
    pub fn config(&self) -> zitiscope_core::alerts::AlertConfig {
        self.engine.with_value(|e| e.borrow().config().clone())
    }

    /// Acknowledges an alert as the operator named in the preferences.
    pub fn ack(&self, key: &AlertKey) {
        let by = self.prefs.get().operator;
        let now = self.store.now();
        if self.engine.with_value(|e| e.borrow_mut().ack(key, &by, now)) {
            self.prefs.remember_ack(key, now, &by, self.since_of(key));
            self.poke.update(|n| *n += 1);
        }
    }

    /// Silences what `scope` says about an alert for `minutes`,
    /// remembered across reloads.
    pub fn silence(&self, key: &AlertKey, scope: Scope, minutes: i64) {
        let until = Timestamp(self.store.now().0.saturating_add(minutes * 60_000_000_000));
        let rule = (scope != Scope::Subject).then_some(key.rule);
        let subject = (scope != Scope::Rule).then(|| key.subject.clone());
        let s = Silence { rule, subject, until };
        self.engine.with_value(|e| e.borrow_mut().silence(s));
        self.save_silences();
    }

    /// Ends the silences over an alert.
    pub fn unsilence(&self, key: &AlertKey) {
        let now = self.store.now();
        self.engine.with_value(|e| e.borrow_mut().unsilence(key, now));
        self.save_silences();
    }

    /// Whether an alert is silenced now.
    pub fn is_silenced(&self, key: &AlertKey) -> bool {
        let now = self.store.now();
        self.engine.with_value(|e| e.borrow().is_silenced(key, now))
    }

    /// New thresholds (e.g. once `config.json` arrives).
    pub fn set_config(&self, cfg: AlertConfig) {
        self.engine.with_value(|e| e.borrow_mut().set_config(cfg));
        self.poke.update(|n| *n += 1);
    }

    fn save_silences(&self) {
        let silences = self.engine.with_value(|e| e.borrow().silences().to_vec());
        self.prefs.set_silences(silences);
        self.poke.update(|n| *n += 1);
    }

    fn since_of(&self, key: &AlertKey) -> Option<Timestamp> {
        self.engine.with_value(|e| e.borrow().get(key).map(|a| a.since))
    }
}

/// Runs the alert engine over `store`, with the feed's `status` as the
/// feed rules' input.
pub fn use_alerts(store: LiveStore, status: Signal<FeedStatus>, options: UseAlertsOptions) -> UseAlertsReturn {
    let prefs = PrefsStore::load();
    let mut engine = AlertEngine::new(options.config);
    for s in prefs.get().silences {
        engine.silence(s);
    }
    let this = UseAlertsReturn {
        engine: StoredValue::new_local(RefCell::new(engine)),
        store,
        board: RwSignal::new(Vec::new()),
        counts: RwSignal::new(AlertCounts::default()),
        toasts: RwSignal::new(Vec::new()),
        prefs,
        poke: RwSignal::new(0),
    };
    // When the feed's connection last changed state, on the feed's clock.
    let status_since = RwSignal::new(store.now());
    Effect::new(move |prev: Option<bool>| {
        let live = status.with(|s| matches!(s, FeedStatus::Live));
        if prev.is_some_and(|p| p != live) {
            status_since.set(store.now());
        }
        live
    });
    let tick = use_now(Duration::from_secs(1));
    // At most every EVALUATE_EVERY_MS on topology changes (a storm changes
    // it ten times a second); the tick and any poke always evaluate, so a
    // skipped change is taken up within a second.
    let last_eval = StoredValue::new_local(f64::NEG_INFINITY);
    let topology_changed = Memo::new(move |n: Option<&u64>| {
        store.topology.track();
        n.map_or(0, |n| n + 1)
    });
    let beats = options.beats;
    Effect::new(move |prev: Option<(u64, f64, u64, bool, bool)>| {
        let (changes, ticked, poked) = (topology_changed.get(), tick.get(), this.poke.get());
        let connected = status.with(|s| matches!(s, FeedStatus::Live));
        let judged = beats.is_none_or(|b| b.get().judged());
        let seen = (changes, ticked, poked, connected, judged);
        let now = js_sys::Date::now();
        let only_topology =
            prev.is_some_and(|(_, t, p, c, j)| t == ticked && p == poked && c == connected && j == judged);
        if only_topology && now - last_eval.get_value() < EVALUATE_EVERY_MS {
            return seen;
        }
        last_eval.set_value(now);
        // Untracked: the stats move every frame; the tick covers heartbeats
        // (and the sources' state, which only they bring).
        let (last_heard, sources_down) =
            store.stats.with_untracked(|s| (s.server_time.map(|(t, _)| t), SourceDown::from_counters(&s.feed_sources)));
        // No heartbeat to miss: an older feed's last one says nothing now.
        let last_heard = last_heard.filter(|_| judged);
        let feed = FeedHealth { connected, since: status_since.get(), last_heard, sources_down };
        evaluate(this, &feed);
        seen
    });
    notify::follow(this);
    notify::wake_audio_on_gesture(prefs);
    this
}

/// One evaluation: publishes the board if it changed, and tells people
/// about what fired.
fn evaluate(this: UseAlertsReturn, feed: &FeedHealth) {
    let now = this.store.now();
    let (notices, board, counts) = this.store.topology.with_untracked(|t| {
        this.store.with_core(|core| {
            this.engine.with_value(|e| {
                let mut e = e.borrow_mut();
                let notices = e.evaluate(core, t, Some(feed), now);
                let board: Vec<Alert> = e.board("").into_iter().cloned().collect();
                (notices, board, e.counts(now))
            })
        })
    });
    for n in &notices {
        if let Notice::Fired { key, .. } = n {
            // An ack given before a reload still stands for the same episode.
            if let Some(by) = this.prefs.ack_for(key, board.iter().find(|a| a.key == *key).map(|a| a.since)) {
                this.engine.with_value(|e| e.borrow_mut().ack(key, &by.0, by.1));
            }
        }
    }
    let board = if notices.is_empty() {
        board
    } else {
        this.engine.with_value(|e| e.borrow().board("").into_iter().cloned().collect())
    };
    if this.board.with_untracked(|b| *b != board) {
        this.board.set(board);
    }
    if this.counts.get_untracked() != counts {
        this.counts.set(counts);
    }
    let fired: Vec<Alert> = notices
        .iter()
        .filter_map(|n| match n {
            Notice::Fired { key, silenced: false } => {
                this.board.with_untracked(|b| b.iter().find(|a| a.key == *key).cloned())
            }
            _ => None,
        })
        // Not already acked (an ack remembered from before a reload).
        .filter(|a| a.ack.is_none())
        .collect();
    if !fired.is_empty() {
        toasts::push(this.toasts, &fired);
        notify::announce(this, &fired);
    }
}
