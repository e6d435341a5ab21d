//! A Screen Wake Lock while `active`, so a wall display never sleeps. The
//! browser releases the lock whenever the page is hidden, so it is asked
//! for again each time the page becomes visible, and released when wall
//! mode ends. The API is reached by name: where it is missing (an older
//! browser, an insecure origin), this does nothing.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// The lock held now (a `WakeLockSentinel`), to release it.
    static HELD: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
}

/// Keeps the screen awake while `active` is true.
pub fn use_wake_lock(active: Signal<bool>) {
    Effect::new(move |_| {
        if active.get() {
            request();
        } else {
            release();
        }
    });
    let on_visible = Closure::<dyn Fn()>::new(move || {
        let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
        // `try_`: the listener may outlive the view that made it.
        if visible && active.try_get_untracked() == Some(true) {
            request();
        }
    });
    let callback: js_sys::Function = on_visible.as_ref().unchecked_ref::<js_sys::Function>().clone();
    let _ = document().add_event_listener_with_callback("visibilitychange", &callback);
    on_visible.forget();
    on_cleanup(move || {
        let _ = document().remove_event_listener_with_callback("visibilitychange", &callback);
        release();
    });
}

fn release() {
    if let Some(sentinel) = HELD.with(|h| h.borrow_mut().take()) {
        if let Ok(f) = js_sys::Reflect::get(&sentinel, &"release".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = f.call0(&sentinel);
        }
    }
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
            let keep = Closure::<dyn FnMut(JsValue)>::new(|sentinel: JsValue| {
                HELD.with(|h| *h.borrow_mut() = Some(sentinel));
            });
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = promise.then(&keep).catch(&ignore);
            keep.forget();
            ignore.forget();
        }
    }
}
