//! What the report view asks for and what it got: [`use_report`] holds the
//! range (a preset that ends now, or a custom one), the filter, and the
//! feed's answer, and reads `GET /report` again whenever the range or a
//! filter that parsed changes. A reply to a question since replaced is
//! dropped, so a slow 30-day report never overwrites the 24 h one asked
//! for after it.

use super::words::report_path;
use crate::export::feed_api_url;
use crate::history::get_json;
use crate::shown::use_shown;
use leptos::prelude::*;
use zitiscope_core::filter::Filter;
use zitiscope_core::report::Report;

/// The ranges a button picks: each ends at the moment it is clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Day,
    Week,
    Month,
}

impl Preset {
    /// In the order the buttons show them.
    pub const ALL: [Preset; 3] = [Preset::Day, Preset::Week, Preset::Month];

    /// Its name in test ids (`report-range-<name>`) and `data-range`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Day => "24h",
            Preset::Week => "7d",
            Preset::Month => "30d",
        }
    }

    /// What its button says.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Day => "24 h",
            Preset::Week => "7 d",
            Preset::Month => "30 d",
        }
    }

    /// The heading's words for it.
    pub fn words(self) -> &'static str {
        match self {
            Preset::Day => "the last 24 hours",
            Preset::Week => "the last 7 days",
            Preset::Month => "the last 30 days",
        }
    }

    /// Its length in ns.
    pub fn len_ns(self) -> i64 {
        let days = match self {
            Preset::Day => 1,
            Preset::Week => 7,
            Preset::Month => 30,
        };
        days * 86_400 * 1_000_000_000
    }
}

/// The range asked for: `from <= t < to`, in ns, and the preset that made
/// it (`None`: the custom inputs did).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked {
    pub preset: Option<Preset>,
    pub from: i64,
    pub to: i64,
}

impl Asked {
    /// `preset`, ending now.
    pub fn last(preset: Preset) -> Asked {
        // Whole milliseconds, so that the URL's times read plainly.
        let to = (js_sys::Date::now() as i64).saturating_mul(1_000_000);
        Asked { preset: Some(preset), from: to - preset.len_ns(), to }
    }

    /// Its `data-range` word.
    pub fn name(&self) -> &'static str {
        self.preset.map_or("custom", Preset::name)
    }
}

/// What [`use_report`] returns: cheap signal handles, so `Copy`.
#[derive(Clone, Copy)]
pub struct UseReport {
    /// The range asked for.
    pub asked: RwSignal<Asked>,
    /// The filter as typed (the node list's language).
    pub text: RwSignal<String>,
    /// The last filter that parsed: what the report is asked for.
    pub filter: RwSignal<Filter>,
    /// The feed's report for the latest question (kept while the next
    /// one is read).
    pub report: RwSignal<Option<Report>>,
    /// Why the latest read failed (the feed's reason, as text).
    pub error: RwSignal<Option<String>>,
    /// A read is under way.
    pub loading: RwSignal<bool>,
    /// The query (`/report?from=…`), without the feed's base or token.
    pub path: Memo<String>,
    /// The feed's events URL (the report is beside it).
    pub events_url: Signal<String>,
}

impl UseReport {
    /// The CSV of the same question, with the token.
    pub fn csv_url(&self) -> String {
        let path = zitiscope_core::client::with_param(&self.path.get(), "format", "csv");
        feed_api_url(&self.events_url.get(), &path)
    }

    /// Asks for `preset` again, ending now (a click on the one shown
    /// refreshes it).
    pub fn pick(&self, preset: Preset) {
        self.asked.set(Asked::last(preset));
    }
}

/// The report view's state, read from the feed the page uses; starts with
/// the last 24 hours.
pub fn use_report() -> UseReport {
    let events_url = use_shown().events_url;
    let asked = RwSignal::new(Asked::last(Preset::Day));
    let text = RwSignal::new(String::new());
    let filter = RwSignal::new(Filter::default());
    // The filter's text as typed when it last parsed: a half-typed
    // expression asks nothing.
    let path = Memo::new(move |_| {
        filter.track();
        let a = asked.get();
        report_path(a.from, a.to, &text.get_untracked())
    });
    let state = UseReport {
        asked,
        text,
        filter,
        report: RwSignal::new(None),
        error: RwSignal::new(None),
        loading: RwSignal::new(false),
        path,
        events_url,
    };
    // Each read takes a ticket; only the latest one's answer is shown.
    let latest = StoredValue::new(0u64);
    Effect::new(move |_| {
        let url = feed_api_url(&events_url.get(), &path.get());
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        state.loading.set(true);
        leptos::task::spawn_local(async move {
            let answer = get_json::<Report>(&url).await;
            // Gone (the view was closed) or replaced: nothing to show.
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(r) => {
                    state.report.try_set(Some(r));
                    state.error.try_set(None);
                }
                Err(e) => {
                    // No rows of another range under this one's question.
                    state.report.try_set(None);
                    state.error.try_set(Some(e));
                }
            }
            state.loading.try_set(false);
        });
    });
    state
}
