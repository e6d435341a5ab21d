//! One EventSource and the listeners bound to it. Dropping it closes the
//! EventSource and releases the listeners.

use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventSource, MessageEvent};
use zitiscope_core::wire;

/// The SSE event names we listen to: the feed's ([`wire::NAMED`]), and
/// `message`, any third-party producer's unnamed events.
fn names() -> impl Iterator<Item = &'static str> {
    wire::NAMED.into_iter().chain(["message"])
}

/// What a stream tells its owner.
pub trait Listen: 'static {
    /// The stream opened (`None`), or a message of this name came: it
    /// is about the connection, before the message is applied.
    fn word(&self, event: Option<&str>);
    /// A message.
    fn message(&self, event: &str, id: &str, data: &str);
    /// Any error (the owner always reconnects itself).
    fn error(&self);
}

pub struct Stream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Stream {
    /// Opens `url`, telling `listen` what happens on it.
    pub fn open(url: &str, listen: impl Listen) -> Result<Self, JsValue> {
        let source = EventSource::new(url)?;
        let listen = Rc::new(listen);
        let mut listeners = Vec::with_capacity(wire::NAMED.len() + 1);
        for name in names() {
            let listen = listen.clone();
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = crate::text::text(&e.data()).unwrap_or_default();
                listen.word(Some(name));
                listen.message(name, &e.last_event_id(), &data);
            });
            source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())?;
            listeners.push(listener);
        }
        let opened = listen.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| opened.word(None));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| listen.error());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Stream { source, _listeners: listeners, _on_open: on_open, _on_error: on_error })
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.set_onopen(None);
        self.source.set_onerror(None);
        self.source.close();
    }
}
