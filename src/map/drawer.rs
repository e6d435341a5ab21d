//! The details drawer: the selected node's state, counts and connections.
//! Every value is rendered as text.

use crate::network::health_icon;
use leptos::prelude::*;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{EdgeKind, Topology};

/// The drawer; hidden while nothing is selected. Escape or the close
/// button clears the selection.
#[component]
pub fn NodeDrawer(
    /// The map's nodes and edges.
    #[prop(into)]
    topology: Signal<Topology>,
    /// The selected node.
    selected: RwSignal<Option<NodeId>>,
) -> impl IntoView {
    let details = move || {
        let node = selected.get()?;
        topology.with(|t| {
            let row = t.row(&node)?;
            let links: Vec<(String, bool, Option<f64>, EdgeKind)> = t
                .edges
                .iter()
                .filter(|e| e.a == node || e.b == node)
                .map(|e| {
                    let other = if e.a == node { &e.b } else { &e.a };
                    let name = match (&e.link, e.kind) {
                        (Some(id), _) => format!("{} ({id})", other.id()),
                        _ => other.id().to_owned(),
                    };
                    (name, e.up, e.latency_ms, e.kind)
                })
                .collect();
            Some((node.clone(), row, links))
        })
    };
    view! {
        {move || {
            details()
                .map(|(node, row, links)| {
                    let health = row.health.as_str();
                    let kind = node.kind();
                    let id = node.id().to_owned();
                    let count = links.len();
                    view! {
                        <aside class="drawer" aria-label=format!("Details of {kind} {id}") data-testid="drawer">
                            <header class="drawer-head">
                                <h2>
                                    <span class="node-kind">{kind}</span>
                                    " "
                                    <span class="node-id" data-testid="drawer-id">{id.clone()}</span>
                                </h2>
                                <button type="button" class="drawer-close" aria-label="Close details" on:click=move |_| selected.set(None)>
                                    "✕"
                                </button>
                            </header>
                            <p class=format!("drawer-health health-{health}") data-testid="drawer-health">
                                <span aria-hidden="true">{health_icon(row.health)}</span>
                                " "
                                {health}
                                " · "
                                {row.detail.clone()}
                            </p>
                            {matches!(node, NodeId::Router(_)).then(|| view! {
                                <p class="drawer-identities">
                                    {format!("identities: {} online, {} offline", row.identities.online, row.identities.offline)}
                                </p>
                            })}
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
                                        let latency = latency.map(|ms| format!(" · {ms:.1} ms")).unwrap_or_default();
                                        view! {
                                            <li class=if up { "edge-up" } else { "edge-down" }>
                                                <span aria-hidden="true">{if up { "▲ " } else { "▼ " }}</span>
                                                {format!("{what} {name} {}{latency}", if up { "up" } else { "down" })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </aside>
                    }
                })
        }}
    }
}
