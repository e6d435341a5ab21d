//! Writes to the feed: the shared alert state (`POST /acks`,
//! `POST /silences`, `DELETE /silences/{id}`) and the maintenance windows.
//! Each goes to the feed beside the page's events URL, with its token, and
//! is given up after the history's timeout; a refusal comes back as the
//! feed's own reason, as text.

use zitiscope_core::client::{feed_api_url, refusal_of, HISTORY_TIMEOUT_MS};

/// What to send.
pub enum Write {
    /// `POST` with a JSON body.
    Post(String),
    Delete,
}

/// Sends `write` to `path` on the feed of `events_url`; the reply's body
/// for a 2xx, else "`what`: the feed's reason".
pub async fn write(events_url: &str, path: &str, write: Write, what: &str) -> Result<String, String> {
    let url = feed_api_url(events_url, path);
    let timeout = web_sys::AbortSignal::timeout_with_u32(HISTORY_TIMEOUT_MS);
    let request = match write {
        Write::Post(json) => gloo_net::http::Request::post(&url)
            .abort_signal(Some(&timeout))
            .header("content-type", "application/json")
            .body(json),
        Write::Delete => gloo_net::http::Request::delete(&url).abort_signal(Some(&timeout)).build(),
    };
    let request = request.map_err(|e| format!("{what}: {e}"))?;
    let reply = request.send().await.map_err(|e| format!("{what}: {e}"))?;
    let body = reply.text().await.unwrap_or_default();
    if reply.ok() {
        Ok(body)
    } else {
        Err(refusal_of(what, reply.status(), &body))
    }
}
