//! The dashboard's first screen: feed status, live counters, the latest
//! state changes, and the stream's error line.

mod changes;
mod clock;
mod counters;
mod problems;
mod status;

pub use changes::ChangeList;
pub use clock::{format_clock, use_now};
pub use counters::Counters;
pub use problems::Problems;
pub use status::StatusBadge;

use crate::feed::FeedStatus;
use crate::store::LiveStore;
use leptos::prelude::*;

/// The whole first screen.
#[component]
pub fn Dashboard(
    /// The reactive store to render.
    store: LiveStore,
    /// The feed connection status.
    #[prop(into)]
    status: Signal<FeedStatus>,
    /// The feed URL in use, shown in the header.
    #[prop(into)]
    feed_url: Signal<String>,
) -> impl IntoView {
    view! {
        <header class="topbar">
            <h1 class="brand">"zitiscope"</h1>
            <StatusBadge status=status last_update=store.last_update />
            <span class="feed-url" title="feed">{move || feed_url.get()}</span>
        </header>
        <main class="dashboard">
            <Counters summary=store.summary />
            <crate::network::NetworkList topology=store.topology />
            <ChangeList changes=store.recent />
            <Problems stats=store.stats />
        </main>
    }
}
