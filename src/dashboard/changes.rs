//! The latest state changes, newest first, filtered by the filter language
//! (`docs/filter.md`, the change fields). Every name is rendered as text,
//! never as HTML.

use super::format_clock;
use crate::filter::FilterInput;
use leptos::prelude::*;
use zitiscope_core::filter::{Filter, CHANGE_SCHEMA};
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
    let text = RwSignal::new(String::new());
    let filter = RwSignal::new(Filter::default());
    let rows = move || {
        filter.with(|f| {
            changes.with(|all| {
                all.iter()
                    .filter(|c| f.matches(*c))
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
        })
    };
    view! {
        <section class="changes">
            <h2>"Latest changes"</h2>
            <FilterInput
                schema=&CHANGE_SCHEMA
                text=text
                filter=filter
                class="network-filter"
                placeholder="filter: laptop, kind=edge-to-router AND !good…"
                label="Filter changes (the filter language)"
                testid="change-filter"
                presets="zitiscope.filters.changes"
            />
            <ol class="change-list" data-testid="changes">{rows}</ol>
        </section>
    }
}
