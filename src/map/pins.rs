//! Layouts that stay where you put them, in the browser: the pins and
//! group moves (the core's `layout::pins::Pins`) are kept in this
//! browser's `localStorage`, written to a layout file and read from one
//! (so a wall and a desk share one picture).

use crate::web::storage;
use wasm_bindgen::JsCast;
use zitiscope_core::layout::pins::Pins;

/// Where this browser keeps the layout.
const KEY: &str = "zitiscope.layout";

/// The layout this browser kept (none, or one that no longer reads: none).
pub fn load() -> Pins {
    storage::text(KEY).and_then(|t| Pins::from_json(&t).ok()).unwrap_or_default()
}

/// Keeps `pins` (an empty layout is kept as none).
pub fn save(pins: &Pins) {
    if pins.is_empty() {
        storage::remove(KEY);
    } else {
        storage::set_text(KEY, &pins.to_json());
    }
}

/// Downloads `pins` as `zitiscope-layout.json`.
pub fn download(pins: &Pins) {
    let data = format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(&pins.to_json()));
    let Ok(a) = leptos::prelude::document().create_element("a") else { return };
    let a: web_sys::HtmlAnchorElement = a.unchecked_into();
    a.set_href(&data);
    a.set_download("zitiscope-layout.json");
    a.click();
}

/// Reads the layout file chosen in `input`: the layout, or what is wrong
/// with it (the file is read whole; nothing changes on an error).
pub async fn read(input: &web_sys::HtmlInputElement) -> Result<Pins, String> {
    let file = input.files().and_then(|f| f.get(0)).ok_or("no file chosen")?;
    // A layout is a few MB at most (200,000 entries); refuse a bigger file unread.
    if file.size() > 32e6 {
        return Err("the file is too big to be a layout".into());
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| "the file could not be read")?;
    Pins::from_json(&text.as_string().unwrap_or_default())
}
