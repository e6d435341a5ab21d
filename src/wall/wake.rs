//! A Screen Wake Lock while `active`, so a wall display never sleeps. The
//! browser releases the lock whenever the page is hidden, so it is asked
//! for again each time the page becomes visible. The API is reached by
//! name: where it is missing (an older browser, an insecure origin), this
//! does nothing.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Keeps the screen awake while `active` is true.
pub fn use_wake_lock(active: Signal<bool>) {
    Effect::new(move |_| {
        if active.get() {
            request();
        }
    });
    let on_visible = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible && active.get_untracked() {
            request();
        }
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_visible.forget();
}

fn request() {
    let navigator = window().navigator();
    let Ok(lock) = js_sys::Reflect::get(&navigator, &"wakeLock".into()) else { return };
    if lock.is_undefined() {
        return;
    }
    let Ok(request) = js_sys::Reflect::get(&lock, &"request".into()) else { return };
    let Ok(request) = request.dyn_into::<js_sys::Function>() else { return };
    if let Ok(promise) = request.call1(&lock, &"screen".into()) {
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            // A refusal (page hidden, battery saver) is retried at the next
            // visibility change; it must not surface as an unhandled rejection.
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = promise.catch(&ignore);
            ignore.forget();
        }
    }
}
