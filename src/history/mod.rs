//! Reads of the feed's history (`docs/history.md`): one GET that keeps the
//! feed's own reason when it refuses, and [`use_pages`], a list read a page
//! at a time (`GET /changes`, `GET /history`). The views that show the
//! history (the change log, the event log, time travel) build on these.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// The longest reason from the feed that is shown.
const REASON_MAX: usize = 200;

/// `GET url` as text. A refusal becomes `history: <the feed's reason>`
/// (its `{"error": …}`, capped), shown as text.
pub async fn get(url: &str) -> Result<String, String> {
    let reply = gloo_net::http::Request::get(url).send().await.map_err(|e| format!("history: {e}"))?;
    let text = reply.text().await.map_err(|e| format!("history: {e}"))?;
    if reply.status() == 200 {
        return Ok(text);
    }
    let why = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(|e| e.chars().take(REASON_MAX).collect()))
        .unwrap_or_else(|| format!("HTTP {}", reply.status()));
    Err(format!("history: {why}"))
}

/// `GET url`, parsed.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    serde_json::from_str(&get(url).await?).map_err(|e| format!("history: {e}"))
}

/// One page: its rows (`changes` or `events`) and where the next starts.
#[derive(serde::Deserialize)]
struct Page<R> {
    #[serde(alias = "changes", alias = "events")]
    rows: Vec<R>,
    next: Option<String>,
}

/// What [`use_pages`] returns.
pub struct UsePages<R: Send + Sync + 'static> {
    /// The rows read so far, in the feed's order.
    pub rows: RwSignal<Vec<R>>,
    /// Why the last read failed.
    pub error: RwSignal<Option<String>>,
    next: RwSignal<Option<String>>,
    query: Signal<Option<String>>,
    /// Answers can overtake each other: only the newest read counts.
    asked: StoredValue<u64>,
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

    fn load(self, url: String, append: bool) {
        self.asked.update_value(|n| *n += 1);
        let ticket = self.asked.get_value();
        leptos::task::spawn_local(async move {
            let page = get_json::<Page<R>>(&url).await;
            if self.asked.try_get_value() != Some(ticket) {
                return;
            }
            match page {
                Ok(p) => {
                    if append {
                        self.rows.update(|v| v.extend(p.rows));
                    } else {
                        self.rows.set(p.rows);
                    }
                    self.next.set(p.next);
                    self.error.set(None);
                }
                Err(e) => self.error.set(Some(e)),
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
        asked: StoredValue::new(0),
    };
    Effect::new(move |_| match query.get() {
        Some(url) => pages.load(url, false),
        None => {
            pages.asked.update_value(|n| *n += 1);
            pages.rows.set(Vec::new());
            pages.next.set(None);
            pages.error.set(None);
        }
    });
    pages
}
