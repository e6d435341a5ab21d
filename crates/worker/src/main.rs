//! zitiscope's Web Worker: it listens to the feed, holds the store and the
//! alert engine, and sends the page what changed when the page asks (the
//! protocol is `zitiscope_core::sync`). The page's main thread only draws.
//!
//! - [`listener`]: the worker's state and its timers: the stream's
//!   reconnects and watchdog, the one-second tick, the sends;
//! - [`stream`]: one EventSource and its listeners.
//!
//! All of it is I/O: what a message does, what a command does and what an
//! update holds is `zitiscope_core::sync::Engine`, tested natively.

#[cfg(target_arch = "wasm32")]
mod listener;
#[cfg(target_arch = "wasm32")]
mod stream;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    listener::listen();
}

/// Natively there is no worker to be (the crate builds for clippy).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("zitiscope-worker runs in a browser: trunk builds it beside the app");
}
