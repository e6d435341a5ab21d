//! The page, at the top of the app, on one screen that never scrolls: the
//! feed's status (and a banner when it is stale or lost, or one of its
//! sources is down) in the top bar; the stage, which takes the free space,
//! with the time bar over it and one view at a time in it (the map, the
//! list, the latest changes, the event log, the analysis, the availability
//! report, the maintenance windows; [`tabs`]) and the
//! details drawer over it; and a side column with the counters, the alert
//! board (which scrolls on its own) and the stream's health. Toasts float.
//! In wall mode: the map, the counters and the firing alerts only.
//!
//! It builds the shown state once ([`crate::shown::provide_shown`]) and
//! lays the features out; they read what they show from that context, so
//! it hands them no selection or topology. Its own small parts are here.

mod changes;
mod counters;
mod problems;
mod status;
mod tabs;

pub use changes::ChangeList;
pub use counters::Counters;
pub use problems::Problems;
pub use status::StatusBadge;
pub use tabs::{use_tab, Tab, Tabs};

use crate::alerts::{AlertPanel, Toasts, UseAlertsReturn};
use crate::analysis::AnalysisPanel;
use crate::events::EventLog;
use crate::export::ExportMenu;
use crate::feed::FeedStatus;
use crate::maintenance::MaintenancePanel;
use crate::map::{NodeDrawer, TopologyMap};
use crate::network::NetworkList;
use crate::report::ReportPanel;
use crate::shown::provide_shown;
use crate::store::LiveStore;
use crate::travel::{use_time_travel, TimeBar};
use crate::wall::{
    source_lines, use_playlist, use_theme, use_wake_lock, use_wall, FeedBanner, PlaylistBar, SourceBanner, Theme,
    WallMode,
};
use leptos::prelude::*;
use zitiscope_core::client::Beats;

/// The whole first screen.
#[component]
pub fn Dashboard(
    /// The reactive store to render.
    store: LiveStore,
    /// The feed connection status.
    #[prop(into)]
    status: Signal<FeedStatus>,
    /// The feed URL in use, shown in the header.
    #[prop(into)]
    feed_url: Signal<String>,
    /// The alert board.
    alerts: UseAlertsReturn,
    /// The feed's heartbeat period (ms), for the stale banner.
    #[prop(into)]
    heartbeat_ms: Signal<f64>,
    /// What the feed has shown of its heartbeat: a feed that sends none is
    /// never called stale, and the footer says why.
    #[prop(into, optional)]
    beats: Signal<Beats>,
    /// Why `config.json` could not be used, if it could not.
    #[prop(into, optional)]
    config_error: Signal<Option<String>>,
) -> impl IntoView {
    let wall = use_wall();
    provide_context(WallMode(wall));
    let theme = use_theme();
    provide_context(theme);
    use_wake_lock(wall.into());
    // What the views show: the live network, or the one time travel
    // fetched; provided once for every view below.
    let travel = use_time_travel(store);
    provide_shown(store, travel, feed_url);
    let tab = use_tab();
    // The wall shows the map, unless a playlist runs: then its views.
    let playlist = use_playlist(store, alerts);
    let map_only = move || wall.get() && !playlist.running.get();
    // Silence is staleness only from a feed that beats: without a time to
    // judge from, the banner has nothing to be stale about.
    let stale_clock = Signal::derive(move || store.last_update.get().filter(|_| beats.get().judged()));
    let toggle_theme =
        move |_| theme.update(|t| *t = if *t == Theme::HighContrast { Theme::Dark } else { Theme::HighContrast });
    // The feed's sources that are down, as the board says (silences hold).
    let down_sources = Memo::new(move |_| alerts.board.with(|b| source_lines(b, |k| alerts.is_silenced(k))));
    view! {
        <header class="topbar">
            <h1 class="brand">"zitiscope"</h1>
            <StatusBadge status=status last_update=store.last_update beats=beats />
            <span class="feed-url" title="feed">{move || feed_url.get()}</span>
            <ExportMenu events_url=feed_url />
            <button
                type="button"
                class="topbar-toggle"
                aria-pressed=move || (theme.get() == Theme::HighContrast).to_string()
                data-testid="toggle-contrast"
                on:click=toggle_theme
            >
                "High contrast"
            </button>
            <button
                type="button"
                class="topbar-toggle"
                aria-pressed=move || wall.get().to_string()
                data-testid="toggle-wall"
                title="Wall display: the map, big counters and firing alerts (?wall)"
                on:click=move |_| wall.update(|w| *w = !*w)
            >
                "Wall"
            </button>
        </header>
        <FeedBanner status=status last_update=stale_clock heartbeat_ms=heartbeat_ms />
        <SourceBanner lines=down_sources />
        <PlaylistBar playlist=playlist />
        <Toasts toasts=alerts.toasts />
        <main class="dashboard">
            <div class="stage">
                // Time travel is a desk tool: a wall display always shows live.
                {move || (!wall.get()).then(|| view! {
                    <div class="stage-head">
                        <Tabs tab=tab />
                        <TimeBar travel=travel />
                    </div>
                })}
                <div class="stage-body">
                    {move || match (map_only(), tab.get()) {
                        (true, _) | (false, Tab::Map) => view! { <TopologyMap /> }.into_any(),
                        (false, Tab::List) => view! { <NetworkList /> }.into_any(),
                        (false, Tab::Changes) => view! { <ChangeList changes=store.recent /> }.into_any(),
                        (false, Tab::Events) => view! { <EventLog /> }.into_any(),
                        (false, Tab::Analysis) => view! { <AnalysisPanel /> }.into_any(),
                        (false, Tab::Report) => view! { <ReportPanel /> }.into_any(),
                        (false, Tab::Maintenance) => view! { <MaintenancePanel /> }.into_any(),
                    }}
                    <NodeDrawer />
                </div>
            </div>
            <aside class="side" aria-label="Counts and alerts">
                <Counters />
                {move || config_error.get().map(|e| view! { <p class="config-error" role="status">{e}</p> })}
                {move || if wall.get() {
                    view! { <AlertPanel alerts=alerts compact=true /> }.into_any()
                } else {
                    view! {
                        <AlertPanel alerts=alerts />
                        <Problems stats=store.stats seq=store.seq beats=beats />
                    }
                        .into_any()
                }}
            </aside>
        </main>
    }
}
