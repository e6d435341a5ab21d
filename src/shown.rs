//! What the views show, as one context object: [`Shown`] holds the
//! network on screen (live, or at the time-travel moment), the selected
//! node and its facts, and the moment and feed that the history views
//! read. The page builds it once ([`provide_shown`]); a component asks for
//! it with [`use_shown`] instead of being handed each piece as a prop.
//!
//! Views mounted alone (the component tests) provide [`Shown::of`] a
//! topology, with the fields they need set by hand.

use crate::store::LiveStore;
use crate::travel::UseTimeTravel;
use crate::web::{set_url_params, url_param, use_now, Param};
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::Alert;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{IdentityRow, NodeDetails, Summary, Topology};
use zitiscope_core::sync::Command;
use zitiscope_core::Timestamp;

/// The state the views show. Every field is a cheap signal handle, so it
/// is `Copy`.
#[derive(Clone, Copy)]
pub struct Shown {
    /// The network's nodes and edges: live, or at the moment time travel
    /// holds (the live store keeps applying underneath).
    pub topology: Signal<Topology>,
    /// Online/total per entity type, of the same network.
    pub summary: Signal<Summary>,
    /// The selected node (`?node=`): the map rings it, the list marks it,
    /// the drawer shows it, and a click on an alert or a toast sets it.
    pub selected: RwSignal<Option<NodeId>>,
    /// Whether the drawer's identity list is open (`?identities`).
    pub identities_open: RwSignal<bool>,
    /// The selected node's facts, from the store (live or past) at `now`.
    pub details: Signal<Option<NodeDetails>>,
    /// The identities behind the selected node's badge, while its list is
    /// open (empty otherwise).
    pub identities: Signal<Vec<IdentityRow>>,
    /// The feed's time now, or the moment shown: what ages are counted to.
    pub now: Signal<Timestamp>,
    /// The time-travel moment (ns) for the views that read the feed's
    /// history themselves (the logs, the analysis); `None` while live.
    /// While playing it moves at most once a second.
    pub at: Signal<Option<i64>>,
    /// The alerts whose conditions held at the moment shown; `None` while
    /// live (the board then shows its own).
    pub past_alerts: Signal<Option<Vec<Alert>>>,
    /// The feed's events URL (its history is beside it).
    pub events_url: Signal<String>,
}

impl Shown {
    /// `topology` shown by itself: nothing selected, no facts, no moment,
    /// the page's own feed. A view mounted alone starts from this and sets
    /// what it needs (`Shown { details, ..Shown::of(t) }`).
    pub fn of(topology: Signal<Topology>) -> Shown {
        Shown {
            topology,
            summary: Signal::stored(Summary::default()),
            selected: RwSignal::new(None),
            identities_open: RwSignal::new(false),
            details: Signal::stored(None),
            identities: Signal::stored(Vec::new()),
            now: Signal::derive(|| Timestamp::from_millis(js_sys::Date::now())),
            at: Signal::stored(None),
            past_alerts: Signal::stored(None),
            events_url: Signal::stored("/events".to_string()),
        }
    }
}

/// The shown state the page provided.
pub fn use_shown() -> Shown {
    expect_context::<Shown>()
}

/// Builds the page's shown state from the live `store` and time `travel`,
/// and provides it to every view under the caller. The selection and its
/// identity list live in the URL, so a link opens the same view.
pub fn provide_shown(store: LiveStore, travel: UseTimeTravel, events_url: Signal<String>) -> Shown {
    // The past once the worker holds the moment (the live network until
    // then, and at once when the page goes live again).
    let travelling = move || travel.at.with(Option::is_some) && store.moment.with(Option::is_some);
    let topology = Memo::new(move |_| if travelling() { store.past.get() } else { store.topology.get() });
    let summary =
        Memo::new(move |_| store.past_summary.get().filter(|_| travelling()).unwrap_or_else(|| store.summary.get()));
    let past_alerts = Memo::new(move |_| store.past_alerts.get().filter(|_| travel.at.with(Option::is_some)));
    let selected = RwSignal::new(url_param(Param::Node).and_then(|p| NodeId::from_param(&p)));
    let identities_open = RwSignal::new(url_param(Param::Identities).is_some());
    // Closing the drawer closes its identity list, so the next node opens plain.
    Effect::new(move |_| {
        if selected.with(Option::is_none) {
            identities_open.set(false);
        }
    });
    Effect::new(move |_| {
        let node = selected.get().map(|n| n.to_param());
        let identities = (identities_open.get() && node.is_some()).then(String::new);
        set_url_params(&[(Param::Node, node), (Param::Identities, identities)]);
    });
    // The drawer's facts: the worker's for the selection, live (they follow
    // its map rebuilds and its one-second tick), or those of the store
    // time travel holds, at its moment.
    Effect::new(move |_| {
        let node = selected.get();
        let identities = identities_open.get() && node.is_some();
        store.send(Command::Select { node, identities });
    });
    let tick = use_now(Duration::from_secs(1));
    let now = Signal::derive(move || {
        tick.track();
        store.moment.get().filter(|_| travel.at.with(Option::is_some)).map_or_else(|| store.now(), Timestamp)
    });
    // The worker's answer may be for the node selected before.
    let answered = move |node: &NodeId| store.details_of.with(|n| n.as_ref() == Some(node));
    let details = Memo::new(move |_| {
        let node = selected.get()?;
        store.details.get().filter(|_| answered(&node))
    });
    let identities = Memo::new(move |_| match (identities_open.get(), selected.get()) {
        (true, Some(n)) if answered(&n) => store.identities.get(),
        _ => Vec::new(),
    });
    let shown = Shown {
        topology: topology.into(),
        summary: summary.into(),
        selected,
        identities_open,
        details: details.into(),
        identities: identities.into(),
        now,
        at: travel.settled.into(),
        past_alerts: past_alerts.into(),
        events_url,
    };
    provide_context(shown);
    shown
}
