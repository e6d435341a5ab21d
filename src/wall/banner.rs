//! A banner across the page when the feed is stale or reconnecting:
//! big enough to read across a room, announced to screen readers, and
//! gone by itself when the feed is back (no click, ever).

use crate::feed::FeedStatus;
use crate::web::use_now;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::config::STALE_BEATS;

/// What the banner says at browser time `now_ms`, if anything: the feed
/// is stale once nothing (not even a heartbeat) came for twice the
/// heartbeat period.
pub fn banner_text(status: FeedStatus, last_update: Option<f64>, heartbeat_ms: f64, now_ms: f64) -> Option<String> {
    match status {
        FeedStatus::Reconnecting { at_ms, .. } => {
            let secs = ((at_ms - now_ms) / 1000.0).ceil().max(0.0);
            Some(format!("Feed lost: reconnecting in {secs} s"))
        }
        FeedStatus::Live | FeedStatus::Connecting => {
            let quiet = now_ms - last_update?;
            (quiet > STALE_BEATS * heartbeat_ms).then(|| format!("Feed stale for {} s", (quiet / 1000.0).floor()))
        }
    }
}

/// The banner.
#[component]
pub fn FeedBanner(
    #[prop(into)] status: Signal<FeedStatus>,
    /// Browser time (ms) of the latest update from the feed.
    #[prop(into)]
    last_update: Signal<Option<f64>>,
    /// The feed's heartbeat period.
    #[prop(into)]
    heartbeat_ms: Signal<f64>,
) -> impl IntoView {
    let now = use_now(Duration::from_millis(250));
    let text = move || {
        now.track();
        banner_text(status.get(), last_update.get(), heartbeat_ms.get(), js_sys::Date::now())
    };
    move || {
        text().map(|t| {
            view! {
                <div class="feed-banner" role="alert" data-testid="feed-banner">
                    <span aria-hidden="true">"⚠ "</span>
                    {t}
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_after_twice_the_heartbeat_and_lost_while_reconnecting() {
        let live = FeedStatus::Live;
        assert_eq!(banner_text(live, Some(1_000.0), 5_000.0, 11_000.0), None, "exactly 2× is not yet stale");
        assert_eq!(banner_text(live, Some(1_000.0), 5_000.0, 13_500.0).as_deref(), Some("Feed stale for 12 s"));
        assert_eq!(banner_text(live, None, 5_000.0, 99_000.0), None, "nothing yet to be stale about");
        let lost = FeedStatus::Reconnecting { at_ms: 10_000.0, attempt: 3 };
        assert_eq!(
            banner_text(lost, Some(9_000.0), 5_000.0, 7_100.0).as_deref(),
            Some("Feed lost: reconnecting in 3 s")
        );
    }
}
