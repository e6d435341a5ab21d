//! Time travel's reads from the feed's history, a step at a time, as the
//! engine plans them (`zitiscope_core::sync::Travel`): the state at a
//! moment (`GET /state?at=`), or the events since the moment held
//! (`GET /history`, every page of one step before any is applied, so
//! nothing is half-applied and an error keeps the old moment).

use crate::send::send_if_asked;
use crate::state::with;
use serde::de::DeserializeOwned;
use zitiscope_core::client::{feed_api_url, history_reply, HISTORY_TIMEOUT_MS};
use zitiscope_core::replay::{Step, READ_MAX_EVENTS};
use zitiscope_core::wire::{HistoryEvent, HistoryPage, StateAt};
use zitiscope_core::Event;

/// Events asked for per `GET /history` page (the feed's most).
const PAGE: usize = 10_000;

/// Fetches towards the page's moment until the engine holds it (the
/// moment may move on meanwhile). One task at a time: a call while one
/// runs leaves it to that one.
pub fn follow() {
    if with(|l| std::mem::replace(&mut l.travelling, true)) != Some(false) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        while let Some(Some((step, events_url))) = with(|l| l.engine.travel_next().map(|s| (s, l.url.clone()))) {
            let api = |path: String| feed_api_url(&events_url, &path);
            let done = match step {
                Step::Show => break,
                Step::Seek(at) => get_json::<StateAt>(&api(format!("/state?at={at}")))
                    .await
                    .map(|s| with(|l| l.engine.travel_state(at, s.state))),
                Step::Read { from, to } => {
                    read(&api, from, to).await.map(|events| with(|l| l.engine.travel_events(events, to)))
                }
            };
            let failed = done.err();
            if let Some(e) = &failed {
                with(|l| l.engine.travel_failed(e.clone()));
            }
            send_if_asked();
            // A failure stops here, unless the page moved on meanwhile: the
            // new moment deserves its own try.
            if failed.is_some() && with(|l| l.engine.travel_next()) == Some(Some(step)) {
                break;
            }
        }
        with(|l| l.travelling = false);
    });
}

/// The events of one [`Step::Read`], every page of `from..to` in order, or
/// `None` if there are more than one step may apply.
async fn read(api: &impl Fn(String) -> String, from: i64, to: i64) -> Result<Option<Vec<Event>>, String> {
    let (mut events, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let mut path = format!("/history?from={from}&to={to}&limit={PAGE}");
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let page: HistoryPage<HistoryEvent> = get_json(&api(path)).await?;
        events.extend(page.rows.into_iter().map(|r| r.event));
        if events.len() > READ_MAX_EVENTS {
            return Ok(None);
        }
        cursor = page.next;
        if cursor.is_none() {
            return Ok(Some(events));
        }
    }
}

/// `GET url`, parsed; a refusal keeps the feed's reason.
async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let timeout = web_sys::AbortSignal::timeout_with_u32(HISTORY_TIMEOUT_MS);
    let request = gloo_net::http::Request::get(url).abort_signal(Some(&timeout));
    let reply = request.send().await.map_err(|e| format!("history: {e}"))?;
    let text = reply.text().await.map_err(|e| format!("history: {e}"))?;
    serde_json::from_str(&history_reply(reply.status(), text)?).map_err(|e| format!("history: {e}"))
}
