//! The page's URL parameters: [`Param`] names each one once, and the
//! helpers read and write them by that name. The view is kept in the URL
//! (the selected node, the filters, the moment shown, wall mode…), so a
//! link opens the same view; the names are part of those links and of
//! the end-to-end tests, so they never change.

use leptos::prelude::*;

/// A query parameter of the page's URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// `?feed=`: the feed's base or events URL (default: this page's origin).
    Feed,
    /// `?token=`: the feed's token, passed on to the feed.
    Token,
    /// `?node=router:edge-eu-1`: the selected node, its drawer open.
    Node,
    /// `?identities`: the selected node's identity list is open.
    Identities,
    /// `?view=list`: the network as a list instead of the map.
    View,
    /// `?wall`: the wall display.
    Wall,
    /// `?filter=`: the network list's filter.
    Filter,
    /// `?find=`: the map's find expression.
    Find,
    /// `?only`: the map draws only the nodes `find` passes.
    Only,
    /// `?at=2026-12-01T03:12:00Z`: the time-travel moment.
    At,
    /// `?play=10`: the playback speed while time travel plays.
    Play,
    /// `?alerts=`: the alert board's filter.
    Alerts,
    /// `?changes=`: the change log's filter.
    Changes,
    /// `?events=`: the event log's filter.
    Events,
    /// `?follow=on|off`: the map pans to a node that calls for attention
    /// (default: on on the wall, off at a desk).
    Follow,
    /// `?playlist=`: views the wall rotates through (`|` between), or
    /// `@name` for one saved in this browser.
    Playlist,
    /// `?every=30`: how long the playlist shows each view (s).
    Every,
}

impl Param {
    /// Every parameter.
    pub const ALL: [Param; 17] = [
        Param::Feed,
        Param::Token,
        Param::Node,
        Param::Identities,
        Param::View,
        Param::Wall,
        Param::Filter,
        Param::Find,
        Param::Only,
        Param::At,
        Param::Play,
        Param::Alerts,
        Param::Changes,
        Param::Events,
        Param::Follow,
        Param::Playlist,
        Param::Every,
    ];

    /// Its name in the URL.
    pub fn name(self) -> &'static str {
        match self {
            Param::Feed => "feed",
            Param::Token => "token",
            Param::Node => "node",
            Param::Identities => "identities",
            Param::View => "view",
            Param::Wall => "wall",
            Param::Filter => "filter",
            Param::Find => "find",
            Param::Only => "only",
            Param::At => "at",
            Param::Play => "play",
            Param::Alerts => "alerts",
            Param::Changes => "changes",
            Param::Events => "events",
            Param::Follow => "follow",
            Param::Playlist => "playlist",
            Param::Every => "every",
        }
    }
}

/// A query parameter of the page's URL (`Some("")` for a bare `?wall`).
pub fn url_param(param: Param) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(param.name())
}

/// Sets (or, with `None`, removes) query parameters without reloading or
/// adding history entries; the others (`feed`, `token`) stay.
pub fn set_url_params(params: &[(Param, Option<String>)]) {
    let location = window().location();
    let Ok(search) = location.search() else { return };
    let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) else { return };
    for (param, value) in params {
        match value {
            Some(v) => query.set(param.name(), v),
            None => query.delete(param.name()),
        }
    }
    let qs = String::from(query.to_string());
    let path = location.pathname().unwrap_or_default();
    let url = if qs.is_empty() { path } else { format!("{path}?{qs}") };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The window event that says the URL's view changed under the page (the
/// wall's playlist showing its next view): what reads the URL reads again.
const URL_CHANGED: &str = "zitiscope-url";

/// Sets the URL's parameters as [`set_url_params`] does, then tells every
/// [`on_url_change`] (the views follow it, as on a fresh load).
pub fn change_url_params(params: &[(Param, Option<String>)]) {
    set_url_params(params);
    if let Ok(event) = web_sys::Event::new(URL_CHANGED) {
        let _ = window().dispatch_event(&event);
    }
}

/// Runs `f` each time [`change_url_params`] changes the URL, for as long
/// as the calling component lives.
pub fn on_url_change(f: impl Fn() + 'static) {
    let handle = window_event_listener_untyped(URL_CHANGED, move |_| f());
    on_cleanup(move || handle.remove());
}

/// A text kept in the URL as `param` (left out while empty): it starts
/// from the URL, each change goes back to it, so a link opens the same
/// view, and a change of the URL under the page comes back to it.
pub fn use_url_text(param: Param) -> RwSignal<String> {
    let text = RwSignal::new(url_param(param).unwrap_or_default());
    Effect::new(move |_| {
        let t = text.get();
        set_url_params(&[(param, (!t.is_empty()).then_some(t))]);
    });
    on_url_change(move || {
        let now = url_param(param).unwrap_or_default();
        if text.get_untracked() != now {
            text.set(now);
        }
    });
    text
}

/// A flag kept in the URL as a bare `?param` (left out while off), and
/// following it as [`use_url_text`] does.
pub fn use_url_flag(param: Param) -> RwSignal<bool> {
    let on = RwSignal::new(url_param(param).is_some());
    Effect::new(move |_| set_url_params(&[(param, on.get().then(String::new))]));
    on_url_change(move || {
        let now = url_param(param).is_some();
        if on.get_untracked() != now {
            on.set(now);
        }
    });
    on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_its_own_name() {
        let mut names: Vec<&str> = Param::ALL.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Param::ALL.len());
        assert_eq!(Param::Node.name(), "node");
        assert_eq!(Param::Identities.name(), "identities");
    }
}
