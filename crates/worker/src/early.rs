//! The snapshot the loader fetched while the wasm loaded
//! (`zitiscope-worker_loader.js`): the worker's first connection starts
//! from it, and the stream it then opens resumes after it.
//!
//! The rules, so that starting from it changes nothing but the time:
//! - only the worker's first connection takes it, and only when it is the
//!   snapshot of the feed that connection would open (`/snapshot` beside
//!   the events URL, by the core's rule; the loader mirrors it);
//! - it is applied as the stream's own snapshot would be, and the stream
//!   opened after it names its point (`?since=`): the feed resumes with
//!   every batch after it, or, when it no longer holds that point, sends a
//!   snapshot of its own, as for any reconnect;
//! - a fetch that fails, answers anything but 200 or is not UTF-8 leaves
//!   the worker to connect as before, from the stream's snapshot; so does a
//!   fetch still unanswered when the watchdog would give up on a stream;
//! - a fetch that has answered is waited for however long its body takes,
//!   as an open stream's snapshot is: on a slow link a second download
//!   beside it would only slow both.

use crate::state::scope;
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use zitiscope_core::client::feed_api_url;

/// The global the loader leaves its fetch in.
const GLOBAL: &str = "zitiscopeEarlySnapshot";

/// The loader's fetch of a snapshot.
pub struct Fetch {
    /// Settles when the feed has answered (its headers).
    pub answered: Promise,
    /// The body's bytes when the answer was a 200 (see [`text`]).
    pub body: Promise,
}

/// The loader's fetch of the snapshot, when it is the one beside `events`.
/// Only the first call can find one: the loader's record is removed.
pub fn take(events: &str) -> Option<Fetch> {
    let global: JsValue = scope().into();
    let record = Reflect::get(&global, &GLOBAL.into()).ok().filter(JsValue::is_object)?;
    let _ = Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &GLOBAL.into());
    let field = |name: &str| Reflect::get(&record, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let same = field("url").as_string().is_some_and(|url| Some(url) == absolute(&feed_api_url(events, "/snapshot")));
    if !same {
        return None;
    }
    Some(Fetch { answered: field("response").dyn_into().ok()?, body: field("snapshot").dyn_into().ok()? })
}

/// Whether the feed answered (a status, any status) rather than failing.
pub async fn answered(fetch: &Fetch) -> bool {
    JsFuture::from(fetch.answered.clone()).await.is_ok()
}

/// The snapshot's text, once fetched: `None` when the fetch failed, the feed
/// answered anything but 200, or the body is not UTF-8.
pub async fn text(fetch: Fetch) -> Option<String> {
    let bytes = JsFuture::from(fetch.body).await.ok().filter(|b| b.is_instance_of::<js_sys::ArrayBuffer>())?;
    String::from_utf8(Uint8Array::new(&bytes).to_vec()).ok()
}

/// `url` resolved against the worker's own location, as the loader
/// resolved its own.
fn absolute(url: &str) -> Option<String> {
    web_sys::Url::new_with_base(url, &scope().location().href()).ok().map(|u| u.href())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    /// A record as the loader leaves it: the snapshot of `url`, which
    /// resolves to `body` (`None`: the loader's null, a failed fetch).
    fn loader_record(url: &str, body: Option<&str>) {
        let record = js_sys::Object::new();
        let href = absolute(url).unwrap();
        Reflect::set(&record, &"url".into(), &href.into()).unwrap();
        let value = body.map_or(JsValue::NULL, |b| Uint8Array::from(b.as_bytes()).buffer().into());
        Reflect::set(&record, &"response".into(), &Promise::resolve(&JsValue::TRUE)).unwrap();
        Reflect::set(&record, &"snapshot".into(), &Promise::resolve(&value)).unwrap();
        Reflect::set(&scope(), &GLOBAL.into(), &record).unwrap();
    }

    fn record_gone() -> bool {
        !Reflect::has(&scope(), &GLOBAL.into()).unwrap()
    }

    #[wasm_bindgen_test]
    async fn the_snapshot_beside_the_events_url_is_taken_once() {
        loader_record("/snapshot?token=a%20b", Some(r#"{"feed":"r1","seq":7}"#));
        let fetch = take("/events?token=a%20b").expect("the same feed and token");
        assert!(record_gone(), "only the first connection can take it");
        assert!(take("/events?token=a%20b").is_none());
        assert!(answered(&fetch).await);
        assert_eq!(text(fetch).await.as_deref(), Some(r#"{"feed":"r1","seq":7}"#));
    }

    #[wasm_bindgen_test]
    fn another_feed_or_token_is_not_taken() {
        for (fetched, events) in [
            ("/snapshot?token=x", "/events?token=y"),
            ("/snapshot", "/events?token=y"),
            ("https://feed.example/snapshot", "/events"),
            ("/snapshot", "https://feed.example/events"),
        ] {
            loader_record(fetched, Some("{}"));
            assert!(take(events).is_none(), "{fetched} for {events}");
            assert!(record_gone());
        }
    }

    #[wasm_bindgen_test]
    async fn a_failed_fetch_or_a_body_that_is_not_text_gives_nothing() {
        loader_record("/snapshot", None);
        assert_eq!(text(take("/events").unwrap()).await, None);
        let record = js_sys::Object::new();
        Reflect::set(&record, &"url".into(), &absolute("/snapshot").unwrap().into()).unwrap();
        let bytes = Uint8Array::from(&[0xff_u8, 0xfe][..]).buffer();
        Reflect::set(&record, &"response".into(), &Promise::reject(&"refused".into())).unwrap();
        Reflect::set(&record, &"snapshot".into(), &Promise::resolve(&bytes)).unwrap();
        Reflect::set(&scope(), &GLOBAL.into(), &record).unwrap();
        let fetch = take("/events").unwrap();
        assert!(!answered(&fetch).await, "a fetch that failed did not answer");
        assert_eq!(text(fetch).await, None, "not UTF-8");
        assert!(take("/events").is_none(), "without a loader's record there is nothing to take");
    }
}
