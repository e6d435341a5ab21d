//! The shell: reads options from the URL, creates the store, connects the
//! feed and lays out the dashboard.

use crate::dashboard::Dashboard;
use crate::feed::{use_feed, UseFeedOptions};
use crate::store::LiveStore;
use leptos::prelude::*;

/// The feed's events URL: `?feed=<base or events URL>` when given, else the
/// page's own origin; a `?token=` on the page is passed on to the feed
/// (EventSource cannot send headers, and a cookie does not cross origins).
pub fn feed_url_from_location() -> String {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let param = |name: &str| params.as_ref().and_then(|p| p.get(name)).filter(|v| !v.trim().is_empty());
    let url = events_url(param("feed").as_deref());
    match param("token") {
        Some(token) => crate::feed::with_param(&url, "token", token.trim()),
        None => url,
    }
}

/// Where to find `/events`, given the optional `feed` parameter.
pub fn events_url(feed: Option<&str>) -> String {
    match feed {
        None => "/events".to_string(),
        Some(f) => {
            let f = f.trim().trim_end_matches('/');
            if f.ends_with("/events") {
                f.to_string()
            } else {
                format!("{f}/events")
            }
        }
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let store = LiveStore::new();
    provide_context(store);
    let feed = use_feed(UseFeedOptions { url: feed_url_from_location(), ..Default::default() }, store);
    view! { <Dashboard store=store status=feed.status feed_url=feed.url /> }
}
