//! zitiscope's Web Worker: it listens to the feed, holds the store and the
//! alert engine, and sends the page what changed when the page asks (the
//! protocol is `zitiscope_core::sync`). The page's main thread only draws.
//!
//! - [`state`]: the worker's state, its clock and timers;
//! - [`early`]: the snapshot the loader fetched while the wasm loaded;
//! - [`listener`]: the page's commands, the stream's reconnects and
//!   watchdog, the one-second tick;
//! - [`send`]: the updates to the page, when it asked;
//! - [`stream`]: one EventSource and its listeners;
//! - [`text`]: a message's text into wasm memory;
//! - [`travel`]: time travel's reads of the feed's history.
//!
//! All of it is I/O: what a message does, what a command does and what an
//! update holds is `zitiscope_core::sync::Engine`, tested natively.

#[cfg(target_arch = "wasm32")]
mod early;
#[cfg(target_arch = "wasm32")]
mod listener;
#[cfg(target_arch = "wasm32")]
mod send;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod stream;
#[cfg(target_arch = "wasm32")]
mod text;
#[cfg(target_arch = "wasm32")]
mod travel;

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
