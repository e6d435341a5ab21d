//! The page, at the top of the app: feed status (and a banner when it is
//! stale or lost, or one of its sources is down), live counters, the alert board and its toasts, the map
//! (or its list), the details drawer, the latest state changes, and the
//! stream's error line. In wall mode: the counters, the map and the firing
//! alerts only.
//!
//! It builds the shown state once ([`crate::shown::provide_shown`]) and
//! lays the features out; they read what they show from that context, so
//! it hands them no selection or topology. Its own small parts are here.

mod changes;
mod counters;
mod problems;
mod status;

pub use changes::ChangeList;
pub use counters::Counters;
pub use problems::Problems;
pub use status::StatusBadge;

use crate::alerts::{AlertPanel, Toasts, UseAlertsReturn};
use crate::analysis::AnalysisPanel;
use crate::events::EventLog;
use crate::export::ExportMenu;
use crate::feed::FeedStatus;
use crate::map::{NodeDrawer, TopologyMap};
use crate::network::NetworkList;
use crate::shown::provide_shown;
use crate::store::LiveStore;
use crate::travel::{use_time_travel, TimeBar};
use crate::wall::{source_lines, use_theme, use_wake_lock, use_wall, FeedBanner, SourceBanner, Theme};
use crate::web::{set_url_params, url_param, Param};
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
    let theme = use_theme();
    provide_context(theme);
    use_wake_lock(wall.into());
    // What the views show: the live network, or the one time travel
    // fetched; provided once for every view below.
    let travel = use_time_travel(store);
    provide_shown(store, travel, feed_url);
    // The map/list choice lives in the URL, so a link opens the same view.
    let list_view = RwSignal::new(url_param(Param::View).as_deref() == Some("list"));
    Effect::new(move |_| set_url_params(&[(Param::View, list_view.get().then(|| "list".to_string()))]));
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
        <Toasts toasts=alerts.toasts />
        <main class="dashboard">
            // Time travel is a desk tool: a wall display always shows live.
            {move || (!wall.get()).then(|| view! { <TimeBar travel=travel /> })}
            <Counters />
            {move || config_error.get().map(|e| view! { <p class="config-error" role="status">{e}</p> })}
            {move || {
                if wall.get() {
                    view! {
                        <div class="wall-grid">
                            <TopologyMap />
                            <AlertPanel alerts=alerts compact=true />
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <AlertPanel alerts=alerts />
                        <div class="view-toggle" role="group" aria-label="Network view">
                            <button type="button" aria-pressed=move || (!list_view.get()).to_string() data-testid="show-map" on:click=move |_| list_view.set(false)>
                                "Map"
                            </button>
                            <button type="button" aria-pressed=move || list_view.get().to_string() data-testid="show-list" on:click=move |_| list_view.set(true)>
                                "List"
                            </button>
                        </div>
                        <Show
                            when=move || list_view.get()
                            fallback=move || view! { <TopologyMap /> }
                        >
                            <NetworkList />
                        </Show>
                        <AnalysisPanel />
                        <EventLog />
                        <ChangeList changes=store.recent />
                        <Problems stats=store.stats seq=store.seq beats=beats />
                    }
                        .into_any()
                }
            }}
            <NodeDrawer />
        </main>
    }
}
