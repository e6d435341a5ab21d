//! Live counters: controllers, routers and identities, online and offline,
//! as a compact strip (the words are for screen readers and tooltips; the
//! arrows say it on screen).

use crate::shown::use_shown;
use leptos::prelude::*;
use zitiscope_core::EntityType;

/// One card per entity type, of the network shown (live or past).
#[component]
pub fn Counters() -> impl IntoView {
    let summary = use_shown().summary;
    let card = move |t: EntityType, title: &'static str| {
        let name = t.as_str();
        view! {
            <section class="counter" data-testid=format!("counter-{name}")>
                <h2>{title}</h2>
                <p class="counter-online" title="online">
                    <span class="dot dot-up" aria-hidden="true">"▲"</span>
                    <span class="num" data-testid=format!("{name}-online")>{move || summary.get().get(t).online}</span>
                    <span class="sr-only">" online"</span>
                </p>
                <p class="counter-offline" title="offline">
                    <span class="dot dot-down" aria-hidden="true">"▼"</span>
                    <span class="num" data-testid=format!("{name}-offline")>{move || summary.get().get(t).offline()}</span>
                    <span class="sr-only">" offline"</span>
                </p>
            </section>
        }
    };
    view! {
        <div class="counters">
            {card(EntityType::Controller, "Controllers")}
            {card(EntityType::Router, "Routers")}
            {card(EntityType::Identity, "Identities")}
        </div>
    }
}
