//! The wall's playlist: `?playlist=` names saved views (page queries, `|`
//! between; or `@name`, one saved in this browser) that the page shows in
//! turn every `?every=` seconds, holding on the view that shows a new
//! critical alert until someone acks it or it resolves (the core's
//! [`Rotation`]: the rules are there).
//!
//! A view is shown as a fresh load would show it: its parameters (the
//! stage's view, the map's find, the list's filter, the alert filter) are
//! written into the URL and the views read them again
//! ([`change_url_params`]).

use crate::alerts::UseAlertsReturn;
use crate::store::LiveStore;
use crate::web::{change_url_params, epoch_ms, storage, url_param, Param};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;
use zitiscope_core::playlist::{view_holds, Playlist, Rotation};

/// Where saved playlists are kept: name → `?playlist=` text.
const PRESETS_KEY: &str = "zitiscope.playlists";
/// How often the rotation is brought up to date.
const TICK: Duration = Duration::from_millis(500);
/// The parameters a view sets (the others, `feed`, `token`, `wall`, stay).
const VIEW_PARAMS: [Param; 5] = [Param::View, Param::Find, Param::Only, Param::Filter, Param::Alerts];

/// What the playlist bar shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaylistStatus {
    /// The view shown (from 0), and how many there are.
    pub index: usize,
    pub count: usize,
    /// Seconds to the next view; `None` while held.
    pub next_in_s: Option<u32>,
    /// The new critical alert it holds for, in words.
    pub held: Option<String>,
}

/// What [`use_playlist`] returns.
#[derive(Clone, Copy)]
pub struct UsePlaylistReturn {
    /// Whether a playlist runs (the wall then shows its views, not only
    /// the map).
    pub running: Signal<bool>,
    pub status: RwSignal<PlaylistStatus>,
    /// Why `?playlist=` is not one.
    pub error: RwSignal<Option<String>>,
    /// The playlist's text as the URL gave it (what "Save" keeps).
    pub text: StoredValue<String>,
}

/// The playlist of the page's URL, run over the alert board.
pub fn use_playlist(store: LiveStore, alerts: UseAlertsReturn) -> UsePlaylistReturn {
    let raw = url_param(Param::Playlist).unwrap_or_default();
    let text = match raw.strip_prefix('@') {
        Some(name) => presets().remove(name).unwrap_or_default(),
        None => raw.clone(),
    };
    let status = RwSignal::new(PlaylistStatus::default());
    let error = RwSignal::new(None);
    let parsed = (!raw.is_empty()).then(|| Playlist::parse(&text, url_param(Param::Every).as_deref()));
    let playlist = match parsed {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            let missing = raw.starts_with('@') && text.is_empty();
            error.set(Some(if missing {
                format!("playlist: no preset named {:?} in this browser", &raw[1..])
            } else {
                e
            }));
            None
        }
        None => None,
    };
    let running = playlist.is_some();
    if let Some(p) = playlist {
        run(p, store, alerts, status);
    }
    UsePlaylistReturn { running: Signal::stored(running), status, error, text: StoredValue::new(text) }
}

/// Shows the first view, then ticks the rotation while the page lives.
fn run(p: Playlist, store: LiveStore, alerts: UseAlertsReturn, status: RwSignal<PlaylistStatus>) {
    let views: Vec<Vec<(String, String)>> = p.views.iter().map(|v| pairs(v)).collect();
    show(&views[0]);
    let rotation = StoredValue::new(Rotation::new(epoch_ms()));
    let tick = move || {
        let now = epoch_ms();
        let board = alerts.board.get_untracked();
        let holds = |i: usize, a: &zitiscope_core::alerts::Alert| {
            let row = store.topology.with_untracked(|t| a.node.as_ref().and_then(|n| t.row(n)));
            view_holds(&views[i], row.as_ref())
        };
        let mut r = rotation.get_value();
        if let Some(i) = r.tick(&p, now, &board, |k| store.is_silenced_untracked(k), holds) {
            show(&views[i]);
        }
        let held = r.held().and_then(|k| board.iter().find(|a| a.key == *k)).map(|a| a.message.clone());
        let next_in_s = r.next_in(&p, now).map(|ms| (ms / 1_000.0).ceil() as u32);
        let _ = status.try_set(PlaylistStatus { index: r.index, count: p.views.len(), next_in_s, held });
        rotation.set_value(r);
    };
    if let Ok(handle) = set_interval_with_handle(tick, TICK) {
        on_cleanup(move || handle.clear());
    }
}

/// A view's query as name/value pairs (decoded as the page decodes its own).
fn pairs(view: &str) -> Vec<(String, String)> {
    let Ok(q) = web_sys::UrlSearchParams::new_with_str(view) else { return Vec::new() };
    VIEW_PARAMS.iter().filter_map(|p| q.get(p.name()).map(|v| (p.name().to_owned(), v))).collect()
}

/// Writes a view's parameters into the URL (those it does not name go).
fn show(view: &[(String, String)]) {
    let params: Vec<(Param, Option<String>)> =
        VIEW_PARAMS.iter().map(|p| (*p, view.iter().find(|(n, _)| n == p.name()).map(|(_, v)| v.clone()))).collect();
    change_url_params(&params);
}

/// The playlists saved in this browser.
fn presets() -> BTreeMap<String, String> {
    storage::json(PRESETS_KEY).unwrap_or_default()
}

/// Saves `text` as the preset `name` (`?playlist=@name` runs it).
pub fn save_preset(name: &str, text: &str) {
    let mut all = presets();
    all.insert(name.to_owned(), text.to_owned());
    storage::set_json(PRESETS_KEY, &all);
}

/// The bar that says where the playlist is, or why it holds.
#[component]
pub fn PlaylistBar(
    /// The playlist.
    playlist: UsePlaylistReturn,
) -> impl IntoView {
    let save = move |_| {
        let name = window().prompt_with_message("Save this playlist as (then open ?wall&playlist=@name):");
        if let Ok(Some(name)) = name {
            let name = name.trim().chars().take(64).collect::<String>();
            if !name.is_empty() {
                save_preset(&name, &playlist.text.get_value());
            }
        }
    };
    view! {
        {move || playlist.error.get().map(|e| view! { <p class="playlist-bar playlist-error" role="status" data-testid="playlist-error">{e}</p> })}
        {move || playlist.running.get().then(|| {
            let s = playlist.status.get();
            let held = s.held.is_some();
            let words = match (&s.held, s.next_in_s) {
                (Some(m), _) => format!("❚❚ Playlist held on a new critical alert: {m}. Ack it or let it resolve to go on."),
                (None, Some(n)) => format!("▶ Playlist {}/{} · next in {n} s", s.index + 1, s.count),
                (None, None) => format!("▶ Playlist {}/{}", s.index + 1, s.count),
            };
            view! {
                <p class="playlist-bar" class:held=held role="status" data-testid="playlist" data-index=s.index.to_string() data-held=held.to_string()>
                    <span>{words}</span>
                    <button type="button" class="playlist-save" on:click=save>"Save as preset"</button>
                </p>
            }
        })}
    }
}
