//! The stream's health line: events applied (with the last applied
//! sequence in `data-seq`), what the app rejected and what the feed's own
//! sources rejected, each with its latest reason on hover, the app's
//! latest reason in the details line, and, for a feed that sends no
//! heartbeat, that its staleness cannot be judged.

use super::status::NO_HEARTBEAT;
use leptos::prelude::*;
use zitiscope_core::client::Beats;
use zitiscope_core::ClientStats;

/// The line.
#[component]
pub fn Problems(
    /// Stream counters.
    #[prop(into)]
    stats: Signal<ClientStats>,
    /// The sequence of the last applied snapshot or batch.
    #[prop(into)]
    seq: Signal<Option<u64>>,
    /// What the feed has shown of its heartbeat.
    #[prop(into, optional)]
    beats: Signal<Beats>,
) -> impl IntoView {
    let last_error = move || stats.with(|s| s.last_error.clone().unwrap_or_default());
    // The feed's reason quotes lines it could not read: it is only ever an
    // attribute's text (the core has capped it), never markup.
    let feed_error = move || stats.with(|s| s.feed_last_error.clone());
    let feed_rejected = move || {
        let n = stats.with(ClientStats::feed_rejected);
        format!("{n} {} rejected by the feed", if n == 1 { "line" } else { "lines" })
    };
    view! {
        <footer class="stream">
            <span data-testid="events-applied" data-seq=move || seq.get().map(|s| s.to_string())>
                {move || stats.with(|s| s.events)}
            </span>
            " events · "
            <span class="rejected" class:has-rejected=move || stats.with(|s| s.rejected > 0)
                  title=last_error data-testid="rejected">
                {move || stats.with(|s| s.rejected)}
                " rejected"
            </span>
            " · "
            <span data-testid="skipped">{move || stats.with(|s| s.skipped)}</span>
            " skipped"
            // Only once a heartbeat said what the feed's sources did: an
            // older feed tells nothing, which is not zero.
            <Show when=move || stats.with(|s| !s.feed_sources.is_empty())>
                " · "
                <span class="rejected" class:has-rejected=move || stats.with(|s| s.feed_rejected() > 0)
                      title=feed_error data-testid="feed-rejected">
                    {feed_rejected}
                </span>
            </Show>
            // A third-party producer: live while open, and its silence
            // means nothing, which the operator should know.
            <Show when=move || !beats.get().judged()>
                " · "
                <span class="no-heartbeat" data-testid="no-heartbeat">{NO_HEARTBEAT}</span>
            </Show>
            <Show when=move || stats.with(|s| s.last_error.is_some())>
                <p class="last-error" data-testid="last-error">"Last rejected: " {last_error}</p>
            </Show>
        </footer>
    }
}
