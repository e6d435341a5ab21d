//! The latest state changes, newest first. Every name is rendered as text,
//! never as HTML.

use super::format_clock;
use leptos::prelude::*;
use zitiscope_core::Change;

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
                    let l = c.label();
                    let class = match l.good {
                        Some(true) => "change change-up",
                        Some(false) => "change change-down",
                        None => "change",
                    };
                    let icon = match l.good {
                        Some(true) => "▲ ",
                        Some(false) => "▼ ",
                        None => "● ",
                    };
                    view! {
                        <li class=class>
                            <time>{format_clock(l.at)}</time>
                            <span class="change-state">{icon}{l.state}</span>
                            <span class="change-kind">{l.what}</span>
                            <span class="change-who">{l.subject}</span>
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
