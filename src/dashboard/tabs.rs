//! The stage's views: the map, the list, the latest changes, the event log,
//! the analysis, the availability report and the maintenance windows, one
//! at a time in the space the map takes. The one
//! shown is in the URL (`?view=`; left out for the map), so a link opens
//! the same view.

use crate::web::{on_url_change, set_url_params, url_param, Param};
use leptos::prelude::*;

/// One view of the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Map,
    List,
    Changes,
    Events,
    Analysis,
    Report,
    Maintenance,
}

impl Tab {
    /// In the order the tab bar shows them.
    pub const ALL: [Tab; 7] =
        [Tab::Map, Tab::List, Tab::Changes, Tab::Events, Tab::Analysis, Tab::Report, Tab::Maintenance];

    /// Its name in the URL and in its tab's test id (`show-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Tab::Map => "map",
            Tab::List => "list",
            Tab::Changes => "changes",
            Tab::Events => "events",
            Tab::Analysis => "analysis",
            Tab::Report => "report",
            Tab::Maintenance => "maintenance",
        }
    }

    /// What its tab says.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Map => "Map",
            Tab::List => "List",
            Tab::Changes => "Changes",
            Tab::Events => "Event log",
            Tab::Analysis => "Analysis",
            Tab::Report => "Report",
            Tab::Maintenance => "Maintenance",
        }
    }

    /// The view a URL names; the map for none or an unknown name.
    pub fn from_name(name: &str) -> Tab {
        Tab::ALL.into_iter().find(|t| t.name() == name).unwrap_or(Tab::Map)
    }
}

/// The view shown, kept in the URL (left out for the map).
pub fn use_tab() -> RwSignal<Tab> {
    let tab = RwSignal::new(Tab::from_name(&url_param(Param::View).unwrap_or_default()));
    Effect::new(move |_| {
        let t = tab.get();
        set_url_params(&[(Param::View, (t != Tab::Map).then(|| t.name().to_owned()))]);
    });
    on_url_change(move || {
        let now = Tab::from_name(&url_param(Param::View).unwrap_or_default());
        if tab.get_untracked() != now {
            tab.set(now);
        }
    });
    tab
}

/// The tab bar.
#[component]
pub fn Tabs(
    /// The view shown.
    tab: RwSignal<Tab>,
) -> impl IntoView {
    view! {
        <div class="view-toggle" role="group" aria-label="Network view">
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <button
                            type="button"
                            aria-pressed=move || (tab.get() == t).to_string()
                            data-testid=format!("show-{}", t.name())
                            on:click=move |_| tab.set(t)
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::Tab;

    #[test]
    fn every_tab_reads_back_from_its_name() {
        for t in Tab::ALL {
            assert_eq!(Tab::from_name(t.name()), t);
        }
        assert_eq!(Tab::from_name(""), Tab::Map);
        assert_eq!(Tab::from_name("<script>"), Tab::Map, "an unknown view is the map");
    }
}
