//! The feed-status badge: connecting, live, or reconnecting with a
//! countdown. Shown by icon, text and colour, never colour alone. A feed
//! that sends no heartbeat is live all the same; the badge's title (and
//! the footer) say that its staleness cannot be judged.

use crate::feed::FeedStatus;
use crate::web::use_now;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::client::Beats;

/// What the footer and the badge's title say of a feed without heartbeats.
pub const NO_HEARTBEAT: &str = "this feed sends no heartbeat, so staleness cannot be judged";

/// The text the badge shows for a status at browser time `now_ms`.
pub fn status_text(status: FeedStatus, now_ms: f64) -> String {
    match status {
        FeedStatus::Connecting => "connecting".into(),
        FeedStatus::Live => "live".into(),
        FeedStatus::Reconnecting { at_ms, .. } => {
            let secs = ((at_ms - now_ms) / 1000.0).ceil().max(0.0) as u64;
            format!("reconnecting in {secs} s")
        }
    }
}

/// The badge.
#[component]
pub fn StatusBadge(
    /// The feed connection status.
    #[prop(into)]
    status: Signal<FeedStatus>,
    /// Browser time (ms) of the latest update, shown as "updated N s ago".
    #[prop(into)]
    last_update: Signal<Option<f64>>,
    /// What the feed has shown of its heartbeat.
    #[prop(into, optional)]
    beats: Signal<Beats>,
) -> impl IntoView {
    let title = move || (!beats.get().judged()).then_some(NO_HEARTBEAT);
    let now = use_now(Duration::from_millis(250));
    let class = move || match status.get() {
        FeedStatus::Connecting => "status status-connecting",
        FeedStatus::Live => "status status-live",
        FeedStatus::Reconnecting { .. } => "status status-reconnecting",
    };
    let icon = move || match status.get() {
        FeedStatus::Connecting => "◌",
        FeedStatus::Live => "●",
        FeedStatus::Reconnecting { .. } => "↻",
    };
    let age =
        move || last_update.get().map(|t| format!("updated {} s ago", ((now.get() - t) / 1000.0).max(0.0).floor()));
    view! {
        <span class=class role="status" aria-live="polite" data-testid="feed-status" title=title>
            <span class="status-icon" aria-hidden="true">{icon}</span>
            // `now` only paces the countdown; read the clock afresh so a
            // status that just changed is not judged against an old tick.
            <span class="status-text">
                {move || {
                    now.track();
                    status_text(status.get(), crate::web::epoch_ms())
                }}
            </span>
        </span>
        <span class="last-update" data-testid="last-update">{age}</span>
    }
}
