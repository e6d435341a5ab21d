//! Sends: whatever changes the view (a message, the connection, a command,
//! the tick) sends at once if the page's ask is due, and an ask that comes
//! due sends at once if anything changed meanwhile. The page asks at the
//! start of a frame for the update to leave just before its next one
//! (`sync::FramePace`): until then the worker gathers, so a burst leaves
//! as one update, in time for the frame that draws it. The engine says
//! when a held-back map rebuild is due.

use crate::state::{now_ms, scope, set_timeout, with};
use wasm_bindgen::{JsCast, JsValue};

/// Sends now if the page's ask is due.
pub(crate) fn send_if_asked() {
    if with(|l| l.engine.asked(now_ms())) == Some(true) {
        send();
    }
}

/// Sends what changed when the page's ask comes due (now, or at the time
/// it asked for).
pub(crate) fn send_when_due() {
    let now = now_ms();
    match with(|l| l.engine.asked_for(now)).flatten() {
        Some(at) => set_timeout(at - now, send_when_due),
        None => send_if_asked(),
    }
}

/// Sends the page its update, if it asked and anything differs; comes
/// back for a map rebuild held back by its throttle.
fn send() {
    let now = now_ms();
    let Some((update, held)) = with(|l| {
        let update = l.engine.update(now);
        let held = l.engine.held_until().filter(|_| !std::mem::replace(&mut l.held_timer, true));
        (update, held)
    }) else {
        return;
    };
    if let Some(update) = update {
        let t0 = now_ms();
        match serde_json::to_string(&update) {
            Ok(json) => {
                let encode_ms = now_ms() - t0;
                with(|l| {
                    l.crossing.updates = update.n;
                    l.crossing.encode_ms += encode_ms;
                    l.crossing.bytes += json.len() as f64;
                });
                let _ = scope().post_message(&JsValue::from_str(&json));
            }
            Err(err) => web_sys::console::error_1(&format!("zitiscope-worker: {err}").into()),
        }
        expose();
    }
    if let Some(at) = held {
        set_timeout(at - now, || {
            with(|l| l.held_timer = false);
            send_if_asked();
        });
    }
}

/// `self.zitiscopeWorker = { events, updates, bytes, encodeMs, wasmBytes }`
/// in the worker's global scope: the events its store applied, the updates
/// it sent with their JSON's bytes and encoding time, and its wasm memory,
/// for the tests and the benchmarks (which read it through the worker).
fn expose() {
    let Some((events, c)) = with(|l| (l.engine.client().stats().events, l.crossing)) else { return };
    let wasm = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer();
    let wasm_bytes = wasm.unchecked_into::<js_sys::ArrayBuffer>().byte_length();
    let o = js_sys::Object::new();
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
    };
    set("events", events as f64);
    set("updates", c.updates as f64);
    set("bytes", c.bytes);
    set("encodeMs", c.encode_ms);
    set("wasmBytes", f64::from(wasm_bytes));
    let _ = js_sys::Reflect::set(&scope(), &"zitiscopeWorker".into(), &o);
}
