//! A message's text into wasm memory, by the browser's own UTF-8 encoder.
//!
//! `JsValue::as_string` copies a string into wasm with wasm-bindgen's glue,
//! which walks it one UTF-16 unit at a time in JS while it is ASCII. For
//! the feed's batches (about 75 KB each, 2,000 a second at full speed)
//! that walk was 11% of the worker's time in a profile of the ingest
//! benchmark (BENCHMARKS.md). `TextEncoder.encodeInto` writes the same
//! bytes straight into a view of wasm memory, about 30× faster on these
//! strings (measured in V8 with the batch shape).

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// `TextEncoder`, bound here with a `JsString` source: web-sys's
    /// binding takes `&str`, which would copy the string in first.
    #[wasm_bindgen(js_name = TextEncoder)]
    type Encoder;
    #[wasm_bindgen(constructor, js_class = TextEncoder)]
    fn new() -> Encoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &Encoder, source: &JsString, dest: &Uint8Array) -> Encoded;

    /// What `encodeInto` did: UTF-16 units read, bytes written.
    type Encoded;
    #[wasm_bindgen(method, getter)]
    fn read(this: &Encoded) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &Encoded) -> f64;
}

thread_local! {
    static ENCODER: Encoder = Encoder::new();
}

/// The text of a message's `data`, or `None` when it is not a string.
pub fn text(data: &JsValue) -> Option<String> {
    let s: &JsString = data.dyn_ref()?;
    let units = s.length() as usize;
    // One byte a unit holds any ASCII text exactly, which is what the feed
    // writes (ids, numbers, JSON punctuation); otherwise three bytes a unit
    // hold any UTF-16 text (a surrogate pair, two units, is four bytes).
    for room in [units, 3 * units] {
        let mut buf = vec![0u8; room];
        let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
        // The view is made after the buffer is allocated: an allocation
        // that grows wasm memory detaches earlier views.
        let view = Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), buf.as_ptr() as u32, room as u32);
        let done = ENCODER.with(|e| e.encode_into(s, &view));
        if done.read() as usize == units {
            buf.truncate(done.written() as usize);
            // encodeInto writes well-formed UTF-8 (a lone surrogate becomes
            // U+FFFD), so this check only guards against a broken engine.
            return String::from_utf8(buf).ok().or_else(|| data.as_string());
        }
    }
    data.as_string()
}

#[cfg(test)]
mod tests {
    use super::text;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn ascii_and_wider_text_arrive_whole() {
        let batch = format!("[{}]", vec![r#"{"at":1,"via":"ctrl1"}"#; 2_000].join(","));
        for s in [String::new(), batch, "é → 東京 🛰 <b>x</b>\u{0}\u{7f}".to_owned(), "ab".repeat(3) + "🛰"] {
            assert_eq!(text(&JsValue::from_str(&s)).as_deref(), Some(s.as_str()));
        }
    }

    #[wasm_bindgen_test]
    fn a_lone_surrogate_becomes_a_replacement_character() {
        let lone = js_sys::JsString::from_char_code1(0xd800);
        let s = js_sys::JsString::from("a").concat(&lone).concat(&"b".into());
        assert_eq!(text(&s.into()).as_deref(), Some("a\u{fffd}b"));
    }

    #[wasm_bindgen_test]
    fn what_is_not_a_string_is_none() {
        assert_eq!(text(&JsValue::from_f64(3.0)), None);
        assert_eq!(text(&JsValue::NULL), None);
    }
}
