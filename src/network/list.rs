//! `NetworkList`: a table of every node. Sorting and filtering are the
//! core's ([`Topology::rows`]); this only renders. Status is an icon, a word
//! and a colour, never colour alone; every string is rendered as text.

use leptos::prelude::*;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{Health, NodeRow, SortBy, Topology};

/// The icon that goes with a health word.
pub fn health_icon(h: Health) -> &'static str {
    match h {
        Health::Ok => "●",
        Health::Degraded => "◐",
        Health::Unknown => "○",
        Health::Down => "▼",
    }
}

/// The table.
#[component]
pub fn NetworkList(
    /// The map's nodes and edges.
    #[prop(into)]
    topology: Signal<Topology>,
    /// The selected node: a row's name opens its details drawer.
    selected: RwSignal<Option<NodeId>>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new((SortBy::Name, true));
    let rows = Memo::new(move |_| {
        let (by, ascending) = sort.get();
        topology.with(|t| t.rows(&query.get(), by, ascending))
    });
    // A header button: click to sort by it, again to reverse.
    let header = move |by: SortBy, label: &'static str| {
        let aria = move || match sort.get() {
            (b, true) if b == by => "ascending",
            (b, false) if b == by => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| sort.update(|(b, asc)| {
                        if *b == by {
                            *asc = !*asc;
                        } else {
                            *b = by;
                            *asc = true;
                        }
                    })
                >
                    {label}
                </button>
            </th>
        }
    };
    view! {
        <section class="network" aria-labelledby="network-title">
            <div class="network-head">
                <h2 id="network-title">"Network"</h2>
                <input
                    type="search"
                    class="network-filter"
                    placeholder="filter: name, router, controller, down…"
                    aria-label="Filter nodes"
                    data-testid="network-filter"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <span class="network-count" data-testid="network-count" aria-live="polite">
                    {move || format!("{} of {}", rows.with(Vec::len), topology.with(|t| t.controllers.len() + t.routers.len()))}
                </span>
            </div>
            <table class="network-table" data-testid="network-table">
                <thead>
                    <tr>
                        {header(SortBy::Name, "Node")}
                        {header(SortBy::Health, "Status")}
                        <th scope="col">"Detail"</th>
                        {header(SortBy::Identities, "Identities")}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row: &NodeRow| (row.node.clone(), row_key(row)) let:row>
                        <Row row=row selected=selected />
                    </For>
                </tbody>
            </table>
        </section>
    }
}

/// Re-render a row when anything it shows changes.
fn row_key(row: &NodeRow) -> (Health, String, zitiscope_core::store::IdentityBadge, u32) {
    (row.health, row.detail.clone(), row.identities, row.rest_only)
}

/// A router's identities (with its recent drops), a controller's REST-only ones.
fn identities_cell(row: &NodeRow) -> String {
    let b = row.identities;
    match (&row.node, b.recent, row.rest_only) {
        (NodeId::Router(_), 0, _) => format!("{} online, {} offline", b.online, b.offline),
        (NodeId::Router(_), n, _) => format!("{} online, {} offline ({n} recently dropped)", b.online, b.offline),
        (NodeId::Controller(_), _, 0) => "—".to_string(),
        (NodeId::Controller(_), _, n) => format!("{n} REST-only"),
    }
}

#[component]
fn Row(row: NodeRow, selected: RwSignal<Option<NodeId>>) -> impl IntoView {
    let (kind, id) = match &row.node {
        NodeId::Controller(id) => ("controller", id.clone()),
        NodeId::Router(id) => ("router", id.clone()),
    };
    let health = row.health.as_str();
    let data_node = format!("{kind}:{id}");
    let node = row.node.clone();
    let is_selected = {
        let node = node.clone();
        move || selected.with(|s| s.as_ref() == Some(&node)).to_string()
    };
    view! {
        <tr class=format!("node-row health-{health}") data-node=data_node>
            <th scope="row" class="node-name">
                <button
                    type="button"
                    class="node-open"
                    aria-pressed=is_selected
                    title="Show its details"
                    on:click=move |_| selected.set(Some(node.clone()))
                >
                    <span class="node-kind">{kind}</span>
                    " "
                    <span class="node-id">{id}</span>
                </button>
            </th>
            <td class="node-health">
                <span aria-hidden="true">{health_icon(row.health)}</span>
                " "
                {health}
            </td>
            <td class="node-detail">{row.detail.clone()}</td>
            <td class="node-identities">{identities_cell(&row)}</td>
        </tr>
    }
}
