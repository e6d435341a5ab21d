//! The details drawer: the selected node's state and how long it has held
//! it, its last change, transitions and flaps, its recent history (the
//! core's per-connection rings, merged), its connections with latency, and
//! its identities (a virtualised list, opened from the badge). Every value
//! is rendered as text.

use super::identities::IdentityList;
use crate::network::health_icon;
use crate::shown::{use_shown, Shown};
use crate::web::format_clock;
use leptos::prelude::*;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::EdgeKind;
use zitiscope_core::timestamp::human_duration;
use zitiscope_core::ConnKind;

/// The drawer of the selected node; hidden while nothing is selected (or
/// the node is not in the network shown). The close button clears the
/// selection.
#[component]
pub fn NodeDrawer() -> impl IntoView {
    let Shown { topology, selected, .. } = use_shown();
    // The drawer is rebuilt only when the node changes (or appears), so a
    // live update never resets the identity list's scroll or filter.
    let shown = Memo::new(move |_| selected.get().filter(|n| topology.with(|t| t.row(n).is_some())));
    view! {
        {move || {
            shown
                .get()
                .map(|node| {
                    let kind = node.kind();
                    let id = node.id().to_owned();
                    // The name follows a rename; the id stays the key.
                    let name = {
                        let node = node.clone();
                        move || topology.with(|t| t.name(&node).map(str::to_owned))
                    };
                    let label = name().unwrap_or_else(|| id.clone());
                    view! {
                        <aside class="drawer" aria-label=format!("Details of {kind} {label}") data-testid="drawer">
                            <header class="drawer-head">
                                <h2>
                                    <span class="node-kind">{kind}</span>
                                    " "
                                    {
                                        let id = id.clone();
                                        move || {
                                            name()
                                                .filter(|n| *n != id)
                                                .map(|n| view! { <span class="drawer-name" data-testid="drawer-name">{n}</span> " " })
                                        }
                                    }
                                    <span class="node-id" data-testid="drawer-id">{id.clone()}</span>
                                </h2>
                                <button type="button" class="drawer-close" aria-label="Close details" on:click=move |_| selected.set(None)>
                                    "✕"
                                </button>
                            </header>
                            <HealthLine node=node.clone() />
                            <Facts />
                            <Identities />
                            <Connections node=node />
                            <History />
                        </aside>
                    }
                })
        }}
    }
}

/// Health as an icon and a word, with the role or controller count.
#[component]
fn HealthLine(
    /// The selected node.
    node: NodeId,
) -> impl IntoView {
    let topology = use_shown().topology;
    move || {
        topology.with(|t| t.row(&node)).map(|row| {
            let health = row.health.as_str();
            view! {
                <p class=format!("drawer-health health-{health}") data-testid="drawer-health">
                    <span aria-hidden="true">{health_icon(row.health)}</span>
                    " "
                    {health}
                    " · "
                    {row.detail}
                </p>
            }
        })
    }
}

/// The node's edges on the map, with their state and latency (flagged
/// when the newest sample is too old to stand for now).
#[component]
fn Connections(
    /// The selected node.
    node: NodeId,
) -> impl IntoView {
    let topology = use_shown().topology;
    let links = move || {
        topology.with(|t| {
            t.edges
                .iter()
                .filter(|e| e.a == node || e.b == node)
                .map(|e| {
                    let other = if e.a == node { &e.b } else { &e.a };
                    let name = match &e.link {
                        Some(id) => format!("{} ({id})", other.id()),
                        None => other.id().to_owned(),
                    };
                    (name, e.up, e.latency_ms.map(|ms| (ms, e.latency_stale)), e.kind)
                })
                .collect::<Vec<_>>()
        })
    };
    move || {
        let links = links();
        let count = links.len();
        view! {
            <h3>{format!("connections ({count})")}</h3>
            <ul class="drawer-edges">
                {links
                    .into_iter()
                    .map(|(name, up, latency, kind)| {
                        let what = match kind {
                            EdgeKind::Control => "control",
                            EdgeKind::Peer => "peer",
                            EdgeKind::Link => "link",
                        };
                        // An old reading is still worth seeing, said to be old:
                        // it judges the latency, never whether the edge is up.
                        let latency = match latency {
                            Some((ms, false)) => format!(" · {ms:.1} ms"),
                            Some((ms, true)) => format!(" · {ms:.1} ms (stale)"),
                            None => String::new(),
                        };
                        view! {
                            <li class=if up { "edge-up" } else { "edge-down" }>
                                <span aria-hidden="true">{if up { "▲ " } else { "▼ " }}</span>
                                {format!("{what} {name} {}{latency}", if up { "up" } else { "down" })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    }
}

/// Uptime (or downtime), the last change, transitions, flaps and stale
/// connections, as a definition list.
#[component]
fn Facts() -> impl IntoView {
    let Shown { details, now, .. } = use_shown();
    move || {
        details.get().map(|d| {
            let now = now.get();
            let held = match (d.up, d.since) {
                (Some(up), Some(since)) => format!(
                    "{} for {} (since {})",
                    if up { "up" } else { "down" },
                    human_duration(now.0.saturating_sub(since.0)),
                    format_clock(since)
                ),
                _ => "nothing observed yet".into(),
            };
            let last = d.last_change.map_or_else(
                || "—".into(),
                |t| format!("{} ago ({})", human_duration(now.0.saturating_sub(t.0)), format_clock(t)),
            );
            let (flapping, stale) = (d.flapping > 0, d.stale > 0);
            view! {
                <dl class="drawer-facts" data-testid="drawer-facts">
                    <dt>"state"</dt>
                    <dd data-testid="drawer-uptime">{held}</dd>
                    <dt>"last change"</dt>
                    <dd>{last}</dd>
                    <dt>"transitions"</dt>
                    <dd data-testid="drawer-transitions">{d.transitions.to_string()}</dd>
                    <dt>"flapping"</dt>
                    <dd class:warn=flapping>{format!("{} connections", d.flapping)}</dd>
                    <dt>"stale"</dt>
                    <dd class:warn=stale>{format!("{} connections", d.stale)}</dd>
                </dl>
            }
        })
    }
}

/// The identity counts as a button that opens the list.
#[component]
fn Identities() -> impl IntoView {
    let Shown { details, identities_open: open, identities: rows, now, .. } = use_shown();
    let counts = move || {
        details.with(|d| {
            d.as_ref().map(|d| {
                let c = d.identities;
                format!("identities: {} online, {} offline, {} recently dropped", c.online, c.offline, c.recent)
            })
        })
    };
    view! {
        <button
            type="button"
            class="drawer-identities"
            data-testid="drawer-identities"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {counts}
        </button>
        <Show when=move || open.get()>
            <IdentityList rows=rows now=now />
        </Show>
    }
}

/// The node's recent up/down history, newest first.
#[component]
fn History() -> impl IntoView {
    let details = use_shown().details;
    move || {
        details.get().map(|d| {
            let n = d.history.len();
            view! {
                <h3>{format!("recent history ({n})")}</h3>
                <ol class="drawer-history" data-testid="drawer-history">
                    {d
                        .history
                        .into_iter()
                        .map(|h| {
                            let what = if h.kind == ConnKind::CtrlToCtrl { "peer" } else { "control" };
                            let (icon, word) = if h.up { ("▲ ", "up") } else { ("▼ ", "down") };
                            view! {
                                <li class=if h.up { "edge-up" } else { "edge-down" }>
                                    <time>{format_clock(h.at)}</time>
                                    " "
                                    <span aria-hidden="true">{icon}</span>
                                    {format!("{what} {} {word}", h.peer)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
        })
    }
}
