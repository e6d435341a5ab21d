//! The stream's health line: events applied (with the last applied
//! sequence in `data-seq`), what the app rejected and what the feed's own
//! sources rejected, each with its latest reason on hover, whether the
//! feed's sources are up (each one's state on hover), the app's latest
//! reason in the details line, and, for a feed that sends no heartbeat,
//! that its staleness cannot be judged.

use super::status::NO_HEARTBEAT;
use leptos::prelude::*;
use std::collections::BTreeMap;
use zitiscope_core::client::Beats;
use zitiscope_core::wire::SourceCounters;
use zitiscope_core::{ClientStats, Timestamp};

/// The feed's sources in a few words ("3 sources up", "ctrl2 down · 2 of 3
/// sources up"), and each one's state for the hover text.
pub fn sources_line(sources: &BTreeMap<String, SourceCounters>) -> (String, String) {
    let down: Vec<&str> = (sources.iter()).filter(|(_, s)| s.down_since.is_some()).map(|(n, _)| n.as_str()).collect();
    let (n, up) = (sources.len(), sources.len() - down.len());
    let plural = if n == 1 { "source" } else { "sources" };
    let text = if down.is_empty() {
        format!("{n} {plural} up")
    } else {
        format!("{} down · {up} of {n} {plural} up", down.join(", "))
    };
    let detail = (sources.iter())
        .map(|(name, s)| {
            let mut line = match s.down_since {
                Some(t) => format!("{name}: down since {}", clock(t)),
                None => format!("{name}: up, {} lines", s.lines),
            };
            if let (Some(reason), Some(_)) = (&s.reason, s.down_since) {
                line.push_str(&format!(" ({reason})"));
            }
            if s.restarts > 0 {
                line.push_str(&format!(", restarted {} times", s.restarts));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, detail)
}

/// `HH:MM:SS` (UTC) of a feed time.
fn clock(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    text.get(11..19).unwrap_or(&text).to_owned()
}

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
            <Show when=move || stats.with(|s| !s.feed_sources.is_empty())>
                " · "
                <span class="sources" class:has-rejected=move || stats.with(|s| s.feed_sources.values().any(|c| c.down_since.is_some()))
                      title=move || stats.with(|s| sources_line(&s.feed_sources).1) data-testid="feed-sources">
                    {move || stats.with(|s| sources_line(&s.feed_sources).0)}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_line_names_those_down_and_details_each() {
        let mut sources = BTreeMap::new();
        sources.insert("ctrl1".to_string(), SourceCounters { lines: 12, ..Default::default() });
        assert_eq!(sources_line(&sources).0, "1 source up");
        let down = SourceCounters {
            down_since: Some(Timestamp(3_723_000_000_000)),
            reason: Some("exited with status 0".into()),
            restarts: 2,
            ..Default::default()
        };
        sources.insert("ctrl2".to_string(), down);
        sources.insert("ctrl3".to_string(), SourceCounters::default());
        let (text, detail) = sources_line(&sources);
        assert_eq!(text, "ctrl2 down · 2 of 3 sources up");
        assert_eq!(
            detail,
            "ctrl1: up, 12 lines\nctrl2: down since 01:02:03 (exited with status 0), restarted 2 times\nctrl3: up, 0 lines"
        );
    }
}
