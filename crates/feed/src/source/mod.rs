//! Event sources that read the controller's JSON lines: `stdin` (for
//! `ziti fabric stream events … | zitiscope-feed stdin`) and `file` (follows
//! the controller's JSON event log). Both parse through the core, count
//! what they read, skip and reject, and never stop on bad input.
//!
//! - [`lines`]: bounded line splitting with partial-line tolerance;
//! - [`stdin`] and [`file`]: the two readers, each on its own thread (plain
//!   blocking reads; a pipe or a file has nothing to gain from async);
//! - [`Ingest`]: one line → parse → the batcher, with the counters (the
//!   source's [`SourceStats`], which live with the metrics).

pub mod file;
pub mod lines;
pub mod stdin;

use crate::metrics::SourceStats;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::mpsc;
use zitiscope_core::{parse_line, Event, Parsed};

/// Rejections logged in full per source before logging thins out (a
/// flood of bad lines must not flood the log too; the counter stays exact).
const LOG_FIRST: u64 = 20;

/// Turns lines into events for the batcher.
pub struct Ingest {
    name: String,
    stats: Arc<SourceStats>,
    tx: mpsc::Sender<Event>,
}

impl Ingest {
    /// An ingest for source `name` that counts into `stats`.
    pub fn new(name: impl Into<String>, stats: Arc<SourceStats>, tx: mpsc::Sender<Event>) -> Self {
        Ingest { name: name.into(), stats, tx }
    }

    /// Handles one line (`line` is its number, for messages). Blocks while
    /// the batcher is full, which is the backpressure a pipe or a file
    /// needs. Returns `false` once the batcher is gone.
    pub fn line(&self, line: u64, bytes: Result<&[u8], lines::Overlong>) -> bool {
        let text = match bytes {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => return true,
            Ok(b) => std::str::from_utf8(b).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to())),
            Err(o) => Err(format!("line is {} bytes long; the limit is {}", o.len, o.max)),
        };
        self.stats.lines.fetch_add(1, Ordering::Relaxed);
        let parsed = text.and_then(|t| parse_line(t).map_err(|e| e.to_string()));
        match parsed {
            Ok(Parsed::Event(e)) => {
                self.stats.events.fetch_add(1, Ordering::Relaxed);
                return self.tx.blocking_send(e).is_ok();
            }
            Ok(Parsed::Skipped(_)) => {
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
            }
            Err(reason) => self.reject(line, reason),
        }
        true
    }

    fn reject(&self, line: u64, reason: String) {
        let n = self.stats.rejected.fetch_add(1, Ordering::Relaxed) + 1;
        if n <= LOG_FIRST || n.is_power_of_two() {
            tracing::warn!(source = %self.name, line, rejected = n, "skipping a bad line: {reason}");
        }
        let mut last = self.stats.last_error.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some(format!("line {line}: {reason}"));
    }
}
