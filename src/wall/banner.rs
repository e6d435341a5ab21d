//! A banner across the page when the feed is stale or reconnecting, and
//! one for each of the feed's sources that is down ("ctrl2 stream down for
//! 40 s"): big enough to read across a room, announced to screen readers,
//! and gone by itself when the feed or the source is back (no click, ever).

use crate::feed::FeedStatus;
use crate::web::use_now;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::config::STALE_BEATS;
use zitiscope_core::alerts::{Alert, AlertKey, AlertState, Rule};

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
        banner_text(status.get(), last_update.get(), heartbeat_ms.get(), crate::web::epoch_ms())
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

/// The source banners' lines, `(source, what)`: the board's firing
/// `source-down` alerts that nobody silenced. The alert's own hold time
/// decides when a source is down long enough to say so, so the banner and
/// the board never disagree.
pub fn source_lines(board: &[Alert], silenced: impl Fn(&AlertKey) -> bool) -> Vec<(String, String)> {
    (board.iter())
        .filter(|a| a.key.rule == Rule::SourceDown && a.state == AlertState::Firing && !silenced(&a.key))
        .map(|a| (a.key.subject.clone(), a.message.clone()))
        .collect()
}

/// A banner for each source that is down.
#[component]
pub fn SourceBanner(
    /// `(source, what)`, from [`source_lines`].
    #[prop(into)]
    lines: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <For each=move || lines.get() key=|line| line.clone() let:line>
            <div class="feed-banner source-banner" role="alert" data-testid="source-banner" data-source=line.0>
                <span aria-hidden="true">"⚠ "</span>
                {line.1}
            </div>
        </For>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::alerts::Severity;
    use zitiscope_core::Timestamp;

    fn alert(rule: Rule, subject: &str, state: AlertState) -> Alert {
        Alert {
            key: AlertKey { rule, subject: subject.into() },
            severity: Severity::Major,
            state,
            node: None,
            message: format!("{subject} stream down for 40 s"),
            grouped: 0,
            since: Timestamp(0),
            first_seen: Timestamp(0),
            last_seen: Timestamp(0),
            fired_at: None,
            resolved_at: None,
            count: 1,
            ack: None,
            maintenance: None,
        }
    }

    #[test]
    fn source_lines_are_the_firing_unsilenced_source_alerts() {
        let board = [
            alert(Rule::SourceDown, "ctrl2", AlertState::Firing),
            alert(Rule::SourceDown, "ctrl3", AlertState::Pending),
            alert(Rule::SourceDown, "ctrl4", AlertState::Resolved),
            alert(Rule::SourceDown, "ctrl5", AlertState::Firing),
            alert(Rule::RouterDown, "edge-1", AlertState::Firing),
        ];
        let lines = source_lines(&board, |k| k.subject == "ctrl5");
        assert_eq!(lines, [("ctrl2".to_string(), "ctrl2 stream down for 40 s".to_string())]);
    }

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
