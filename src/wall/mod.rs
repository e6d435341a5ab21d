//! The wall display and the themes. `?wall` (or the Wall button, which
//! sets it, so a reload keeps it) drops the chrome for the map, big
//! counters and the firing alerts, and keeps the screen awake. The
//! high-contrast theme works everywhere and is remembered in this browser.
//! [`FeedBanner`] says loudly when the feed is stale or reconnecting, and
//! [`SourceBanner`] when one of its sources is down. A playlist
//! (`?playlist=`, [`use_playlist`]) rotates the wall through saved views.

mod banner;
mod playlist;
mod wake;

pub use banner::{banner_text, source_lines, FeedBanner, SourceBanner};
pub use playlist::{use_playlist, PlaylistBar, UsePlaylistReturn};
pub use wake::use_wake_lock;

use crate::web::storage;
use crate::web::{use_url_flag, Param};
use leptos::prelude::*;

const THEME_KEY: &str = "zitiscope.theme";

/// The page's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Dark,
    /// Black, white and saturated status colours, thick outlines.
    HighContrast,
}

/// Wall mode, for the views under the dashboard that behave differently
/// on a wall (the map follows problems there).
#[derive(Clone, Copy)]
pub struct WallMode(pub RwSignal<bool>);

/// Wall mode: from `?wall`, kept in the URL, shown as a class on `<html>`.
pub fn use_wall() -> RwSignal<bool> {
    let wall = use_url_flag(Param::Wall);
    Effect::new(move |_| root_class("wall", wall.get()));
    wall
}

/// The theme: remembered in `localStorage`, shown as a class on `<html>`
/// (the CSS tokens and the map's palette follow it).
pub fn use_theme() -> RwSignal<Theme> {
    let stored = storage::text(THEME_KEY);
    let theme =
        RwSignal::new(if stored.as_deref() == Some("high-contrast") { Theme::HighContrast } else { Theme::Dark });
    Effect::new(move |_| {
        let hc = theme.get() == Theme::HighContrast;
        root_class("hc", hc);
        storage::set_text(THEME_KEY, if hc { "high-contrast" } else { "dark" });
    });
    theme
}

fn root_class(name: &str, on: bool) {
    if let Some(root) = document().document_element() {
        let list = root.class_list();
        let _ = if on { list.add_1(name) } else { list.remove_1(name) };
    }
}
