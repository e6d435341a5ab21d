//! The feed's maintenance windows (`crates/feed/src/history/maintenance.rs`):
//! [`use_windows`] reads `GET /maintenance` (from a minute ago to eight
//! days on, so a weekly window shows its next span), again every minute and after each
//! change, and makes (`POST /maintenance`) and deletes
//! (`DELETE /maintenance/{id}`) windows. Every URL is the feed's, beside
//! its events URL, with the page's token (`?token=`), as the reads are.

use crate::export::feed_api_url;
use crate::feed::{write, Write};
use crate::history::get_json;
use crate::web::epoch_ms;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::client::with_param;
use zitiscope_core::report::windows::Window;
use zitiscope_core::report::Span;
use zitiscope_core::Timestamp;

/// How often the list is read again while shown (a window made elsewhere,
/// a weekly one's next span).
const REFRESH: Duration = Duration::from_secs(60);
/// How far ahead the list's spans reach: a week, and a day so that a
/// weekly window's next span is always among them.
const AHEAD_NS: i64 = 8 * 86_400 * 1_000_000_000;
/// How far back the list's spans reach: a minute (a window that just
/// ended is still listed as such).
const BEHIND_NS: i64 = 60 * 1_000_000_000;

/// One window as `GET /maintenance` lists it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Listed {
    /// `None` for the config file's (not deleted here).
    pub id: Option<i64>,
    pub window: Window,
    /// Where it holds inside the range asked for.
    pub spans: Vec<Span>,
}

#[derive(serde::Deserialize)]
struct List {
    windows: Vec<Listed>,
}

/// What [`use_windows`] returns: cheap handles, so `Copy`.
#[derive(Clone, Copy)]
pub struct UseWindows {
    /// The windows, the config file's first.
    pub windows: RwSignal<Vec<Listed>>,
    /// Why the last read of the list failed.
    pub list_error: RwSignal<Option<String>>,
    /// Why the last change (a save or a delete) was refused.
    pub error: RwSignal<Option<String>>,
    /// A change is under way (its button waits).
    pub busy: RwSignal<bool>,
    reads: RwSignal<u32>,
    events_url: Signal<String>,
}

impl UseWindows {
    /// Reads the list again.
    pub fn reload(&self) {
        self.reads.update(|n| *n += 1);
    }

    /// Makes `body` (a window's JSON) a window; then reads the list again.
    /// `on_done` runs after a success.
    pub fn save(self, body: String, on_done: impl FnOnce() + 'static) {
        self.change("/maintenance".into(), Write::Post(body), on_done);
    }

    /// Deletes the window `id`; then reads the list again.
    pub fn delete(self, id: i64) {
        self.change(format!("/maintenance/{id}"), Write::Delete, || ());
    }

    /// Sends a change to the feed; a refusal's reason goes to `error`, as
    /// text.
    fn change(self, path: String, what: Write, on_done: impl FnOnce() + 'static) {
        self.busy.set(true);
        let url = self.events_url.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = write(&url, &path, what, "maintenance").await;
            // Gone (the view was closed): nothing to say.
            if self.busy.try_set(false).is_some() {
                return;
            }
            match outcome {
                Ok(_) => {
                    self.error.set(None);
                    on_done();
                    self.reload();
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// `/maintenance?from=…&to=…`: from a minute before `now` (ns) to eight
/// days on.
pub fn list_path(now: i64) -> String {
    let path = with_param("/maintenance", "from", &Timestamp(now.saturating_sub(BEHIND_NS)).to_rfc3339());
    with_param(&path, "to", &Timestamp(now.saturating_add(AHEAD_NS)).to_rfc3339())
}

/// The windows of the feed the page uses, read now and kept fresh.
pub fn use_windows(events_url: Signal<String>) -> UseWindows {
    let state = UseWindows {
        windows: RwSignal::new(Vec::new()),
        list_error: RwSignal::new(None),
        error: RwSignal::new(None),
        busy: RwSignal::new(false),
        reads: RwSignal::new(0),
        events_url,
    };
    // Each read takes a ticket; only the latest one's answer is kept (a
    // read started before a delete must not bring the window back).
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        state.reads.track();
        let now = Timestamp::from_millis(epoch_ms()).0;
        let url = feed_api_url(&events_url.get(), &list_path(now));
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        leptos::task::spawn_local(async move {
            let answer = get_json::<List>(&url).await;
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(list) => {
                    state.windows.try_set(list.windows);
                    state.list_error.try_set(None);
                }
                Err(e) => {
                    state.list_error.try_set(Some(e));
                }
            }
        });
    });
    if let Ok(handle) = set_interval_with_handle(move || state.reload(), REFRESH) {
        on_cleanup(move || handle.clear());
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reaches_eight_days_ahead() {
        let now = 60 * 1_000_000_000;
        assert_eq!(list_path(now), "/maintenance?from=1970-01-01T00%3A00%3A00Z&to=1970-01-09T00%3A01%3A00Z");
    }

    #[test]
    fn a_listed_window_reads_with_the_core_s_types() {
        let text = r#"{"windows":[{"id":null,"window":{"name":"n","when":{"kind":"once","from":1,"to":2},
            "scope":{"nodes":["a"]}},"spans":[{"from":1,"to":2}]}]}"#;
        let list: List = serde_json::from_str(text).unwrap();
        assert_eq!(list.windows[0].id, None);
        assert_eq!(list.windows[0].spans, vec![Span::new(1, 2)]);
    }
}
