//! How a firing alert reaches people beyond the board: an optional beep
//! and desktop notification (both opt-in, remembered in this browser), the
//! firing count in the page title and the favicon; and the preferences
//! themselves, kept in `localStorage` (personal ones only: the acks and
//! silences are the feed's, shared by every screen).

use super::UseAlertsReturn;
use crate::web::storage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use zitiscope_core::alerts::attention::unanswered;
use zitiscope_core::alerts::{Alert, Severity};

const KEY: &str = "zitiscope.prefs";

/// What this browser remembers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Who acks (shown on the alert).
    pub operator: String,
    /// Beep when an alert fires.
    pub sound: bool,
    /// With sound on: beep again every half minute while an alert that is
    /// critical or major fires unanswered (neither acked nor silenced).
    pub repeat: bool,
    /// A desktop notification when an alert fires.
    pub desktop: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs { operator: "this browser".into(), sound: false, repeat: false, desktop: false }
    }
}

/// The preferences as a signal, saved on every change.
#[derive(Clone, Copy)]
pub struct PrefsStore(RwSignal<Prefs>);

impl PrefsStore {
    /// Reads them (defaults when absent or unreadable).
    pub fn load() -> Self {
        PrefsStore(RwSignal::new(storage::json(KEY).unwrap_or_default()))
    }

    pub fn get(&self) -> Prefs {
        self.0.get_untracked()
    }

    /// The signal, for views.
    pub fn signal(&self) -> RwSignal<Prefs> {
        self.0
    }

    /// Changes and saves them.
    pub fn update(&self, f: impl FnOnce(&mut Prefs)) {
        self.0.update(f);
        // A full or disabled storage only costs the memory across reloads.
        self.0.with_untracked(|p| storage::set_json(KEY, p));
    }
}

/// Keeps the title and the favicon on the firing count.
pub fn follow(alerts: UseAlertsReturn) {
    // A memo: the counts change with every update while the firing count
    // rarely does, and a new favicon costs the page an SVG document's
    // parse and layout (5% of its main thread during the ingest figure).
    let firing = Memo::new(move |_| alerts.counts.with(|c| c.firing));
    Effect::new(move |_| {
        let firing = firing.get();
        document().set_title(&if firing > 0 { format!("({firing}) zitiscope") } else { "zitiscope".into() });
        set_favicon(firing);
    });
}

/// A dot, red with the count while anything fires, green otherwise.
fn set_favicon(firing: usize) {
    let (fill, text) = match firing {
        0 => ("#3fb950", String::new()),
        n => ("#f85149", if n > 99 { "99+".into() } else { n.to_string() }),
    };
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><circle cx='16' cy='16' r='15' fill='{fill}'/>\
         <text x='16' y='22' font-size='16' font-family='sans-serif' font-weight='bold' text-anchor='middle' fill='white'>{text}</text></svg>"
    );
    let href = format!("data:image/svg+xml,{}", String::from(js_sys::encode_uri_component(&svg)));
    let doc = document();
    let link = match doc.query_selector("link[rel=icon]").ok().flatten() {
        Some(l) => l,
        None => {
            let Ok(l) = doc.create_element("link") else { return };
            let _ = l.set_attribute("rel", "icon");
            if let Some(head) = doc.head() {
                let _ = head.append_child(&l);
            }
            l
        }
    };
    let _ = link.set_attribute("href", &href);
}

/// Beeps and notifies at most this often (a storm fires in bursts).
const ANNOUNCE_EVERY_MS: f64 = 5_000.0;

thread_local! {
    static LAST_ANNOUNCED: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NEG_INFINITY) };
}

/// Beeps and notifies, as the preferences say, for alerts that just fired
/// (once per [`ANNOUNCE_EVERY_MS`]: the toasts and the board carry the rest).
pub fn announce(alerts: UseAlertsReturn, fired: &[Alert]) {
    let now = js_sys::Date::now();
    if now - LAST_ANNOUNCED.with(|t| t.get()) < ANNOUNCE_EVERY_MS {
        return;
    }
    LAST_ANNOUNCED.with(|t| t.set(now));
    let prefs = alerts.prefs.get();
    let worst = fired.iter().map(|a| a.severity).min().unwrap_or(Severity::Info);
    if prefs.sound && worst <= Severity::Major {
        beep(if worst == Severity::Critical { 880.0 } else { 660.0 });
    }
    if prefs.desktop && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        let title = match fired.len() {
            1 => format!("zitiscope: {}", fired[0].severity.as_str()),
            n => format!("zitiscope: {n} alerts"),
        };
        let body: Vec<&str> = fired.iter().take(3).map(|a| a.message.as_str()).collect();
        let opts = web_sys::NotificationOptions::new();
        opts.set_body(&body.join("\n"));
        // One notification stands for the latest burst, not a pile of them.
        opts.set_tag("zitiscope-alerts");
        let _ = web_sys::Notification::new_with_options(&title, &opts);
    }
}

/// Asks for notification permission (call from a click).
pub fn ask_permission() {
    if let Ok(p) = web_sys::Notification::request_permission() {
        // The answer is read when the next alert fires.
        drop(p);
    }
}

thread_local! {
    /// One audio context for the page: browsers cap how many may exist.
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

/// The page's audio context, made (or woken) now. Browsers let a page
/// play sound only after a click or a key on it: the sound opt-in's click
/// makes it, and [`wake_audio_on_gesture`] wakes it after a reload.
fn audio() -> Option<web_sys::AudioContext> {
    let ctx = AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        a.clone()
    })?;
    if ctx.state() == web_sys::AudioContextState::Suspended {
        let _ = ctx.resume();
    }
    Some(ctx)
}

/// Call from a click: makes sound possible from now on.
pub fn prime_audio() {
    let _ = audio();
}

/// With sound on, the first click or key on the page (after a reload, on a
/// wall display) makes sound possible again.
pub fn wake_audio_on_gesture(prefs: PrefsStore) {
    use wasm_bindgen::JsCast;
    let wake = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        if prefs.0.try_with_untracked(|p| p.sound) == Some(true) {
            prime_audio();
        }
    });
    for event in ["pointerdown", "keydown"] {
        let _ = document().add_event_listener_with_callback(event, wake.as_ref().unchecked_ref());
    }
    // Lives as long as the page; it does nothing once the context runs.
    wake.forget();
}

/// How often the sound repeats while an alert fires unanswered.
const REPEAT_MS: u32 = 30_000;

/// With sound and repeat on, beeps every [`REPEAT_MS`] while a critical or
/// major alert fires unanswered (the core's `attention::unanswered`: the
/// same rule that makes the map's nodes blink).
pub fn repeat_until_answered(alerts: UseAlertsReturn) {
    let tick = move || {
        let Some(prefs) = alerts.prefs.0.try_get_untracked() else { return };
        if !(prefs.sound && prefs.repeat) {
            return;
        }
        let store = alerts.store;
        let worst = store.board.with_untracked(|b| unanswered(b, |k| store.is_silenced_untracked(k)));
        if let Some(worst) = worst.filter(|w| *w <= Severity::Major) {
            beep(if worst == Severity::Critical { 880.0 } else { 660.0 });
        }
    };
    // Lives as long as the page, as the alerts do.
    let _ = set_interval_with_handle(tick, std::time::Duration::from_millis(u64::from(REPEAT_MS)));
}

/// A short tone.
fn beep(hz: f32) {
    let Some(ctx) = audio() else { return };
    let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
    osc.frequency().set_value(hz);
    let t = ctx.current_time();
    let _ = gain.gain().set_value_at_time(0.15, t);
    let _ = gain.gain().exponential_ramp_to_value_at_time(0.001, t + 0.4);
    let _ = osc.connect_with_audio_node(&gain);
    let _ = gain.connect_with_audio_node(&ctx.destination());
    let _ = osc.start();
    let _ = osc.stop_with_when(t + 0.45);
}
