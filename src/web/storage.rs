//! What this browser remembers (`localStorage`): the theme, the alert
//! preferences (personal ones: acks and silences are the feed's), the
//! saved filters and playlists. A
//! storage that is missing, full or disabled (a private window, a policy)
//! only costs the memory across reloads: reads then find nothing and
//! writes do nothing, never an error on screen.

use serde::de::DeserializeOwned;
use serde::Serialize;

fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

/// The text kept under `key`, if any.
pub fn text(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Keeps `value` under `key`.
pub fn set_text(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// The JSON value kept under `key`, if any and readable (an older or
/// hand-edited one that no longer parses counts as none).
pub fn json<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&text(key)?).ok()
}

/// Keeps `value` under `key` as JSON.
pub fn set_json<T: Serialize + ?Sized>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        set_text(key, &json);
    }
}

/// Forgets what is kept under `key`.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
