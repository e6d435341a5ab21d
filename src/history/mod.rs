//! Reads of the feed's history (`docs/history.md`): one GET that keeps the
//! feed's own reason when it refuses, and [`use_pages`], a list read a page
//! at a time (`GET /changes`, `GET /history`). The views that show the
//! history (the change log, the event log, time travel) build on these.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use zitiscope_core::filter::Filter;

/// `GET url` as text. A refusal becomes `history: <the feed's reason>`
/// (its `{"error": …}`, capped), shown as text.
pub async fn get(url: &str) -> Result<String, String> {
    let timeout = web_sys::AbortSignal::timeout_with_u32(zitiscope_core::client::HISTORY_TIMEOUT_MS);
    let request = gloo_net::http::Request::get(url).abort_signal(Some(&timeout));
    let reply = request.send().await.map_err(|e| format!("history: {e}"))?;
    let text = reply.text().await.map_err(|e| format!("history: {e}"))?;
    zitiscope_core::client::history_reply(reply.status(), text)
}

/// `GET url`, parsed.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    serde_json::from_str(&get(url).await?).map_err(|e| format!("history: {e}"))
}

/// One page: its rows (`changes` or `events`) and where the next starts.
pub use zitiscope_core::wire::HistoryPage as Page;

/// What a history view selects, as query parameters: `filter=` (the text
/// of `filter`, read when the filter changes, so only an expression that
/// parsed) and, at a time-travel moment, `to=` just past it.
pub fn use_selection(text: RwSignal<String>, filter: RwSignal<Filter>, at: Signal<Option<i64>>) -> Memo<String> {
    Memo::new(move |_| {
        filter.track();
        let expr = String::from(js_sys::encode_uri_component(&text.get_untracked()));
        let to = at.get().map(|t| format!("&to={}", t.saturating_add(1))).unwrap_or_default();
        format!("filter={expr}{to}")
    })
}

/// What [`use_pages`] returns.
pub struct UsePages<R: Send + Sync + 'static> {
    /// The rows read so far, in the feed's order.
    pub rows: RwSignal<Vec<R>>,
    /// Why the last read failed.
    pub error: RwSignal<Option<String>>,
    next: RwSignal<Option<String>>,
    query: Signal<Option<String>>,
    /// One read at a time, in order; the newest read asked for meanwhile
    /// waits here (a query that changes fast reads only its latest).
    busy: StoredValue<bool>,
    waiting: StoredValue<Option<(String, bool)>>,
}

impl<R: Send + Sync + 'static> Clone for UsePages<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R: Send + Sync + 'static> Copy for UsePages<R> {}

impl<R: DeserializeOwned + Send + Sync + 'static> UsePages<R> {
    /// Whether the feed has more after the rows read.
    pub fn has_more(&self) -> bool {
        self.next.with(Option::is_some)
    }

    /// Reads the next page onto the rows.
    pub fn more(&self) {
        if let (Some(url), Some(cursor)) = (self.query.get_untracked(), self.next.get_untracked()) {
            self.load(format!("{url}&cursor={cursor}"), true);
        }
    }

    /// Reads `url`, onto the rows (`append`) or in their place.
    fn load(self, url: String, append: bool) {
        if !append {
            // The cursor belongs to the query before: no "older" of it.
            self.next.set(None);
        }
        if self.busy.get_value() {
            self.waiting.set_value(Some((url, append)));
            return;
        }
        self.busy.set_value(true);
        leptos::task::spawn_local(async move {
            let page = get_json::<Page<R>>(&url).await;
            // Read nothing meanwhile (the log was closed): keep nothing.
            let page = match self.query.try_get_untracked() {
                Some(None) => Ok(Page { rows: Vec::new(), next: None }),
                _ => page,
            };
            let applied = match page {
                Ok(p) => {
                    let rows = self.rows.try_update(|v| {
                        if !append {
                            v.clear();
                        }
                        v.extend(p.rows);
                    });
                    rows.map(|()| {
                        self.next.set(p.next);
                        self.error.set(None);
                    })
                }
                Err(e) => self.error.try_set(Some(e)).map(drop),
            };
            // Gone (the view was disposed): nothing more to do.
            if applied.is_none() {
                return;
            }
            self.busy.set_value(false);
            if let Some((url, append)) = self.waiting.try_update_value(Option::take).flatten() {
                self.load(url, append);
            }
        });
    }
}

/// The pages of `query` (the first page's URL, with its `?`; `None` reads
/// nothing). A new query starts again from its first page.
pub fn use_pages<R: DeserializeOwned + Send + Sync + 'static>(query: Signal<Option<String>>) -> UsePages<R> {
    let pages = UsePages {
        rows: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
        next: RwSignal::new(None),
        query,
        busy: StoredValue::new(false),
        waiting: StoredValue::new(None),
    };
    Effect::new(move |_| match query.get() {
        Some(url) => pages.load(url, false),
        None => {
            pages.waiting.set_value(None);
            pages.rows.set(Vec::new());
            pages.next.set(None);
            pages.error.set(None);
        }
    });
    pages
}
