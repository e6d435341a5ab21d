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
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Connection {
    /// Opens `url`. `on_live` runs when a snapshot or resume arrives; `on_error` on
    /// any error (this hook always handles reconnecting itself).
    pub(super) fn open(
        url: &str,
        store: LiveStore,
        on_live: impl Fn() + 'static,
        on_error: impl Fn() + 'static,
    ) -> Result<Self, JsValue> {
        let source = EventSource::new(url)?;
        let on_live = std::rc::Rc::new(on_live);
        let mut listeners = Vec::with_capacity(NAMES.len());
        for name in NAMES {
            let on_live = on_live.clone();
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                if name == wire::SNAPSHOT || name == wire::RESUME {
                    on_live();
                }
                store.enqueue(Pending { event: name.to_string(), id: e.last_event_id(), data });
            });
            source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())?;
            listeners.push(listener);
        }
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_error());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Connection { source, _listeners: listeners, _on_error: on_error })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.set_onerror(None);
        self.source.close();
    }
}
