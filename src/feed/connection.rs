//! One EventSource and the listeners bound to it. Dropping it closes the
//! EventSource and releases the listeners.

use crate::store::{LiveStore, Pending};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventSource, MessageEvent};
use zitiscope_core::wire;

/// The SSE event names we listen to; `message` is any third-party producer.
const NAMES: [&str; 6] = [wire::SNAPSHOT, wire::RESUME, wire::BATCH, wire::HEARTBEAT, wire::RESET, "message"];

pub(super) struct Connection {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Connection {
    /// Opens `url`. `on_word` runs with `None` when the stream opens and
    /// with the event's name for every message, as it arrives (before the
    /// frame applies it: liveness is about the connection, not the state);
    /// `on_error` on any error (this hook always handles reconnecting itself).
    pub(super) fn open(
        url: &str,
        store: LiveStore,
        on_word: impl Fn(Option<&str>) + 'static,
        on_error: impl Fn() + 'static,
    ) -> Result<Self, JsValue> {
        let source = EventSource::new(url)?;
        let on_word = std::rc::Rc::new(on_word);
        let mut listeners = Vec::with_capacity(NAMES.len());
        for name in NAMES {
            let on_word = on_word.clone();
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                on_word(Some(name));
                store.enqueue(Pending { event: name.to_string(), id: e.last_event_id(), data });
            });
            source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())?;
            listeners.push(listener);
        }
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_word(None));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_error());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Connection { source, _listeners: listeners, _on_open: on_open, _on_error: on_error })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.set_onopen(None);
        self.source.set_onerror(None);
        self.source.close();
    }
}
