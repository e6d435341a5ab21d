//! The dashboard's first screen: feed status (and a banner when it is
//! stale or lost), live counters, the alert board and its toasts, the map
//! (or its list), the details drawer, the latest state changes, and the
//! stream's error line. In wall mode: the counters, the map and the firing
//! alerts only.

mod changes;
mod clock;
mod counters;
mod problems;
mod status;

pub use changes::ChangeList;
pub use clock::{format_clock, use_now};
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
use crate::store::LiveStore;
use crate::travel::{use_time_travel, TimeBar};
use crate::wall::{use_theme, use_wake_lock, use_wall, FeedBanner, Theme};
use leptos::prelude::*;
use zitiscope_core::layout::NodeId;

/// A query parameter of the page's URL.
pub fn url_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Sets (or, with `None`, removes) query parameters without reloading or
/// adding history entries; the others (`feed`, `token`) stay.
pub fn set_url_params(params: &[(&str, Option<String>)]) {
    let location = window().location();
    let Ok(search) = location.search() else { return };
    let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) else { return };
    for (name, value) in params {
        match value {
            Some(v) => query.set(name, v),
            None => query.delete(name),
        }
    }
    let qs = String::from(query.to_string());
    let path = location.pathname().unwrap_or_default();
    let url = if qs.is_empty() { path } else { format!("{path}?{qs}") };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A text kept in the URL as `name` (left out while empty): it starts from
/// the URL, and each change goes back to it, so a link opens the same view.
pub fn use_url_text(name: &'static str) -> RwSignal<String> {
    let text = RwSignal::new(url_param(name).unwrap_or_default());
    Effect::new(move |_| {
        let t = text.get();
        set_url_params(&[(name, (!t.is_empty()).then_some(t))]);
    });
    text
}

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
    /// Why `config.json` could not be used, if it could not.
    #[prop(into, optional)]
    config_error: Signal<Option<String>>,
) -> impl IntoView {
    let wall = use_wall();
    let theme = use_theme();
    // What the views show: the live network, or the one time travel fetched.
    let travel = use_time_travel(feed_url, Signal::derive(move || alerts.config()));
    let topology = Memo::new(move |_| travel.topology.get().unwrap_or_else(|| store.topology.get()));
    let summary = Memo::new(move |_| travel.summary.get().unwrap_or_else(|| store.summary.get()));
    provide_context(theme);
    use_wake_lock(wall.into());
    // The selected node and the map/list choice live in the URL, so a link
    // opens the same view.
    let selected = RwSignal::new(url_param("node").and_then(|p| NodeId::from_param(&p)));
    let list_view = RwSignal::new(url_param("view").as_deref() == Some("list"));
    let identities_open = RwSignal::new(url_param("identities").is_some());
    // Closing the drawer closes its identity list, so the next node opens plain.
    Effect::new(move |_| {
        if selected.with(Option::is_none) {
            identities_open.set(false);
        }
    });
    Effect::new(move |_| {
        let node = selected.get().map(|n| n.to_param());
        let view = list_view.get().then(|| "list".to_string());
        let identities = (identities_open.get() && node.is_some()).then(String::new);
        set_url_params(&[("node", node), ("view", view), ("identities", identities)]);
    });
    // The drawer's facts are the store's, on the feed's clock, or the
    // store's at the moment time travel holds: they follow the topology's
    // rebuilds and a one-second tick (ages move on).
    let tick = use_now(std::time::Duration::from_secs(1));
    let now = Signal::derive(move || {
        tick.track();
        travel.moment(|_, at| at).flatten().unwrap_or_else(|| store.now())
    });
    let details = Memo::new(move |_| {
        store.topology.track();
        tick.track();
        let node = selected.get()?;
        match travel.moment(|s, at| s.node_details(&node, at)) {
            Some(past) => past.flatten(),
            None => store.node_details(&node),
        }
    });
    let identities = Memo::new(move |_| {
        store.topology.track();
        tick.track();
        match (identities_open.get(), selected.get()) {
            (true, Some(n)) => match travel.moment(|s, at| s.identities_at(&n, at)) {
                Some(past) => past.unwrap_or_default(),
                None => store.identities_at(&n),
            },
            _ => Vec::new(),
        }
    });
    let toggle_theme =
        move |_| theme.update(|t| *t = if *t == Theme::HighContrast { Theme::Dark } else { Theme::HighContrast });
    view! {
        <header class="topbar">
            <h1 class="brand">"zitiscope"</h1>
            <StatusBadge status=status last_update=store.last_update />
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
        <FeedBanner status=status last_update=store.last_update heartbeat_ms=heartbeat_ms />
        <Toasts toasts=alerts.toasts selected=selected />
        <main class="dashboard">
            // Time travel is a desk tool: a wall display always shows live.
            {move || (!wall.get()).then(|| view! { <TimeBar travel=travel /> })}
            <Counters summary=summary />
            {move || config_error.get().map(|e| view! { <p class="config-error" role="status">{e}" (using the defaults)"</p> })}
            {move || {
                if wall.get() {
                    view! {
                        <div class="wall-grid">
                            <TopologyMap topology=topology selected=selected identities_open=identities_open />
                            <AlertPanel alerts=alerts selected=selected compact=true />
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <AlertPanel alerts=alerts selected=selected moment=travel.alerts />
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
                            fallback=move || view! { <TopologyMap topology=topology selected=selected identities_open=identities_open /> }
                        >
                            <NetworkList topology=topology selected=selected />
                        </Show>
                        <AnalysisPanel events_url=feed_url at=travel.settled />
                        <EventLog events_url=feed_url at=travel.settled />
                        <ChangeList changes=store.recent events_url=feed_url at=travel.settled />
                        <Problems stats=store.stats seq=store.seq />
                    }
                        .into_any()
                }
            }}
            <NodeDrawer
                topology=topology
                selected=selected
                details=details
                identities_open=identities_open
                identities=identities
                now=now
            />
        </main>
    }
}
