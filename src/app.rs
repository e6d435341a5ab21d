//! The shell: reads options from the URL, creates the store, connects the
//! feed and lays out the dashboard.

use crate::alerts::use_alerts;
use crate::dashboard::Dashboard;
use crate::feed::{use_feed, FeedStatus, UseFeedOptions};
use crate::store::LiveStore;
use crate::web::{url_param, Param};
use leptos::prelude::*;
use zitiscope_core::alerts::{AlertConfig, AppConfig};
use zitiscope_core::client::events_url;
use zitiscope_core::store::LinkLimits;

/// The feed's events URL: `?feed=<base or events URL>` when given, else the
/// page's own origin; a `?token=` on the page is passed on (see
/// [`zitiscope_core::client::events_url`], which the worker reads too).
pub fn feed_url_from_location() -> String {
    events_url(url_param(Param::Feed).as_deref(), url_param(Param::Token).as_deref())
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let store = LiveStore::new();
    provide_context(store);
    // The feed's heartbeat period, from `config.json` (the feed fills it in
    // when it serves that file): the stale banner, the stale alert and the
    // watchdog are all judged by it (for a feed that sends heartbeats).
    let heartbeat_ms = RwSignal::new(AlertConfig::default().heartbeat_ms as f64);
    let options = UseFeedOptions {
        url: feed_url_from_location(),
        heartbeat_ms: heartbeat_ms.get_untracked(),
        ..Default::default()
    };
    let feed = use_feed(options, store);
    // What the map judges links by: the alert thresholds (one rule for the
    // link's colour and its alert, `store::grade`).
    let link_limits = RwSignal::new(LinkLimits::default());
    provide_context(link_limits);
    let alerts = use_alerts(store, feed.url);
    let config_error = RwSignal::new(None::<String>);
    // A worker that cannot run leaves the page without a feed: say why
    // where the settings' errors show.
    Effect::new(move |_| {
        if let Some(e) = feed.error.get() {
            config_error.set(Some(e));
        }
    });
    // The settings come from the feed's side (its `/config.json`, or the
    // one beside a static build), read again each time the feed is live:
    // a restarted feed may have another heartbeat or other thresholds.
    let config_url = config_url_from_location();
    Effect::new(move |_| {
        if feed.status.get() != FeedStatus::Live {
            return;
        }
        let url = config_url.clone();
        leptos::task::spawn_local(async move {
            match fetch_config(&url).await {
                Ok(Some(cfg)) => {
                    config_error.set(None);
                    heartbeat_ms.set(cfg.alerts.heartbeat_ms as f64);
                    link_limits.set(cfg.alerts.link_limits());
                    alerts.set_config(cfg.alerts);
                }
                Ok(None) => config_error.set(None),
                Err(e) => config_error.set(Some(format!("{e} (using the defaults)"))),
            }
        });
    });
    view! {
        <Dashboard
            store=store
            status=feed.status
            feed_url=feed.url
            alerts=alerts
            heartbeat_ms=heartbeat_ms
            beats=feed.beats
            config_error=config_error
        />
    }
}

/// Where the settings are: beside the feed named by `?feed=` (it serves
/// them with its own heartbeat), else beside this page.
pub fn config_url_from_location() -> String {
    config_url(url_param(Param::Feed).as_deref())
}

/// `config.json` for the optional `feed` parameter (see [`events_url`]).
pub fn config_url(feed: Option<&str>) -> String {
    let events = events_url(feed, None);
    match events.strip_suffix("/events") {
        Some("") | None => "config.json".to_string(),
        Some(base) => format!("{base}/config.json"),
    }
}

/// `config.json`: `Ok(None)` when there is none (the defaults hold), an
/// error that names the problem when it is unreadable.
async fn fetch_config(url: &str) -> Result<Option<AppConfig>, String> {
    let reply = gloo_net::http::Request::get(url).send().await.map_err(|e| format!("config.json: {e}"))?;
    if reply.status() == 404 {
        return Ok(None);
    }
    if !reply.ok() {
        return Err(format!("config.json: HTTP {}", reply.status()));
    }
    let text = reply.text().await.map_err(|e| format!("config.json: {e}"))?;
    AppConfig::from_json(&text).map(Some)
}
