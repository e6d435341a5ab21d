//! `NetworkList`: a table of every node. Sorting and filtering are the
//! core's ([`Topology::rows`], the filter language); this only renders. The
//! filter's text is kept in the URL (`?filter=`). Status is an icon, a word
//! and a colour, never colour alone; every string is rendered as text.

use crate::filter::FilterInput;
use crate::shown::use_shown;
use crate::web::{use_url_text, Param};
use leptos::prelude::*;
use zitiscope_core::filter::{Filter, NODE_SCHEMA};
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

/// The table of the network shown; a row's name selects its node (and so
/// opens its details drawer).
#[component]
pub fn NetworkList() -> impl IntoView {
    let shown = use_shown();
    let (topology, selected) = (shown.topology, shown.selected);
    let query = use_url_text(Param::Filter);
    let filter = RwSignal::new(Filter::default());
    let sort = RwSignal::new((SortBy::Name, true));
    let rows = Memo::new(move |_| {
        let (by, ascending) = sort.get();
        filter.with(|f| topology.with(|t| t.rows(f, by, ascending)))
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
                <FilterInput
                    schema=&NODE_SCHEMA
                    text=query
                    filter=filter
                    class="network-filter"
                    placeholder="filter: edge-eu, down, type=router AND identities>100…"
                    label="Filter nodes (the filter language: see docs/filter.md)"
                    testid="network-filter"
                    presets="zitiscope.filters.nodes"
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
                    // Keyed by node only: a row that changes is updated in
                    // place, so a focused button in it keeps the focus.
                    <For each=move || rows.get() key=|row: &NodeRow| row.node.clone() let:row>
                        <Row node=row.node topology=topology selected=selected />
                    </For>
                </tbody>
            </table>
        </section>
    }
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

/// One node's row; its cells follow that node in the topology.
/// (The list hands each row the shown topology and selection: one context
/// lookup, not one per row.)
#[component]
fn Row(
    /// The row's node.
    node: NodeId,
    /// The network shown.
    topology: Signal<Topology>,
    /// The selected node.
    selected: RwSignal<Option<NodeId>>,
) -> impl IntoView {
    let kind = node.kind();
    let id = node.id().to_owned();
    let data_node = node.to_param();
    let row = {
        let node = node.clone();
        Memo::new(move |_| topology.with(|t| t.row(&node)))
    };
    let health = move || row.with(|r| r.as_ref().map_or(Health::Unknown, |r| r.health));
    let is_selected = {
        let node = node.clone();
        move || selected.with(|s| s.as_ref() == Some(&node)).to_string()
    };
    view! {
        <tr class=move || format!("node-row health-{}", health().as_str()) data-node=data_node>
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
                    {
                        let id = id.clone();
                        move || {
                            row.with(|r| r.as_ref().map(|r| r.name.clone()))
                                .filter(|n| *n != id)
                                .map(|n| view! { <span class="node-label">{n}</span> " " })
                        }
                    }
                    <span class="node-id">{id}</span>
                </button>
            </th>
            <td class="node-health">
                <span aria-hidden="true">{move || health_icon(health())}</span>
                " "
                {move || health().as_str()}
            </td>
            <td class="node-detail">{move || row.with(|r| r.as_ref().map(|r| r.detail.clone()))}</td>
            <td class="node-identities">{move || row.with(|r| r.as_ref().map(identities_cell))}</td>
        </tr>
    }
}
