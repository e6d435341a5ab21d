//! The latest state changes, newest first. Every name is rendered as text,
//! never as HTML.

use super::format_clock;
use leptos::prelude::*;
use zitiscope_core::{Change, ConnState};

/// How many changes are shown.
pub const SHOWN: usize = 15;

/// The list.
#[component]
pub fn ChangeList(
    /// Recent changes, newest first.
    #[prop(into)]
    changes: Signal<Vec<Change>>,
) -> impl IntoView {
    let rows = move || {
        changes.with(|all| {
            all.iter()
                .take(SHOWN)
                .map(|c| {
                    let up = c.to == ConnState::Connected;
                    let dst = if c.key.dst.is_empty() { String::new() } else { format!(" → {}", c.key.dst) };
                    view! {
                        <li class=if up { "change change-up" } else { "change change-down" }>
                            <time>{format_clock(c.at)}</time>
                            <span class="change-state">{if up { "▲ connected" } else { "▼ disconnected" }}</span>
                            <span class="change-kind">{c.key.kind.as_str()}</span>
                            <span class="change-who">{c.key.src.clone()}{dst}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="changes">
            <h2>"Latest changes"</h2>
            <ol class="change-list" data-testid="changes">{rows}</ol>
        </section>
    }
}
