//! Event sources that read the controller's JSON events: `stdin` (for
//! `ziti fabric stream events … | zitiscope-feed stdin`), `file` (follows
//! the controller's JSON event log), `exec` (runs `ziti fabric stream
//! events` itself, and restarts it whenever it exits) and `amqp` (the queue
//! the controllers' AMQP handlers publish into). Any number run at once,
//! one a controller: HA copies of an event count once in the store. Each
//! parses through the core, counts what it reads, skips and rejects, says
//! whether it is up, and never stops on bad input.
//!
//! - [`spec`]: what a source is and what it is called;
//! - [`lines`]: bounded line splitting with partial-line tolerance;
//! - [`stdin`], [`file`] and [`exec`]: the line readers, each on its own
//!   thread (plain blocking reads; a pipe or a file has nothing to gain
//!   from async);
//! - [`amqp`]: the queue's consumer, a task that publishes its own batches
//!   (it acknowledges what was published, so it must know when that is);
//! - [`Reader`]: one line → an event, with the counters (the source's
//!   [`SourceStats`], which live with the metrics); [`Ingest`]: the same,
//!   passed on to the batcher.

#[cfg(feature = "amqp")]
pub mod amqp;
pub mod exec;
pub mod file;
pub mod lines;
pub mod spec;
pub mod stdin;

pub use spec::SourceSpec;

use crate::metrics::{Registry, SourceStats};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use zitiscope_core::{parse_line, Event, Parsed};

/// What to make of a line that is not a JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotJson {
    /// Reject it: a controller's event log holds nothing else, so it is damage.
    Reject,
    /// Skip it (counted as skipped): a command's own messages, such as the
    /// `ziti` CLI's `--verbose` request lines, share its standard output.
    Skip,
}

/// Rejections logged in full per source before logging thins out (a
/// flood of bad lines must not flood the log too; the counter stays exact).
const LOG_FIRST: u64 = 20;

/// Turns lines into events for the batcher.
pub struct Ingest {
    read: Reader,
    tx: mpsc::Sender<Event>,
}

impl Ingest {
    /// An ingest for source `name` that counts into `stats`.
    pub fn new(name: impl Into<String>, stats: Arc<SourceStats>, tx: mpsc::Sender<Event>) -> Self {
        Ingest { read: Reader::new(name, stats), tx }
    }

    /// The same, with lines that are not JSON objects handled as `not_json` says.
    pub fn not_json(self, not_json: NotJson) -> Self {
        Ingest { read: Reader { not_json, ..self.read }, ..self }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.read.name
    }

    /// The source's counters and state.
    pub fn stats(&self) -> &Arc<SourceStats> {
        &self.read.stats
    }

    /// Handles one line (`line` is its number, for messages). Blocks while
    /// the batcher is full, which is the backpressure a pipe or a file
    /// needs. Returns `false` once the batcher is gone.
    pub fn line(&self, line: u64, bytes: Result<&[u8], lines::Overlong>) -> bool {
        match self.read.event(line, bytes) {
            Some(e) => self.tx.blocking_send(e).is_ok(),
            None => true,
        }
    }
}

/// Turns lines into events, counting into the source's [`SourceStats`]
/// what it reads, skips and rejects.
pub struct Reader {
    name: String,
    stats: Arc<SourceStats>,
    not_json: NotJson,
    /// What a line is called in messages (`line`, or `message` for AMQP).
    unit: &'static str,
}

impl Reader {
    /// A reader for source `name` that counts into `stats`.
    pub fn new(name: impl Into<String>, stats: Arc<SourceStats>) -> Self {
        Reader { name: name.into(), stats, not_json: NotJson::Reject, unit: "line" }
    }

    /// The same, calling what it reads `unit` in its messages.
    pub fn unit(self, unit: &'static str) -> Self {
        Reader { unit, ..self }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source's counters and state.
    pub fn stats(&self) -> &Arc<SourceStats> {
        &self.stats
    }

    /// The event that one line is, if it is one (`line` is its number, for
    /// messages); what it is otherwise is counted.
    pub fn event(&self, line: u64, bytes: Result<&[u8], lines::Overlong>) -> Option<Event> {
        let unit = self.unit;
        let text = match bytes {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => return None,
            Ok(b) => std::str::from_utf8(b).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to())),
            Err(o) => Err(format!("{unit} is {} bytes long; the limit is {}", o.len, o.max)),
        };
        self.stats.lines.fetch_add(1, Ordering::Relaxed);
        if let (NotJson::Skip, Ok(t)) = (self.not_json, &text) {
            if !t.trim_start().starts_with('{') {
                let n = self.stats.skipped.fetch_add(1, Ordering::Relaxed) + 1;
                if n <= LOG_FIRST || n.is_power_of_two() {
                    tracing::info!(source = %self.name, line, "skipping a {unit} that is not JSON: {}", cap(t, 200));
                }
                return None;
            }
        }
        let parsed = text.and_then(|t| parse_line(t).map_err(|e| e.to_string()));
        match parsed {
            Ok(Parsed::Event(e)) => {
                self.stats.events.fetch_add(1, Ordering::Relaxed);
                return Some(e);
            }
            Ok(Parsed::Skipped(_)) => {
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
            }
            Err(reason) => self.reject(line, reason),
        }
        None
    }

    fn reject(&self, line: u64, reason: String) {
        let n = self.stats.rejected.fetch_add(1, Ordering::Relaxed) + 1;
        if n <= LOG_FIRST || n.is_power_of_two() {
            tracing::warn!(source = %self.name, line, rejected = n, "skipping a bad {}: {reason}", self.unit);
        }
        let mut last = self.stats.last_error.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some(format!("{} {line}: {reason}", self.unit));
    }
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The line sources started by [`start`]: wait for them at shutdown, so
/// that every command they ran is gone before the feed is.
#[derive(Default)]
pub struct Running {
    /// The threads that end when told to stop (not `stdin`'s, which a
    /// blocked read holds).
    threads: Vec<std::thread::JoinHandle<()>>,
    /// The tasks that end when told to stop (`amqp`).
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Waits up to `within` for the sources to stop (after shutdown was
    /// signalled); returns whether they all did.
    pub fn wait(self, within: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while self.threads.iter().any(|t| !t.is_finished()) || self.tasks.iter().any(|t| !t.is_finished()) {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        true
    }
}

/// Starts every named source, each on its own thread (`amqp`: its own
/// task), feeding `tx` (`amqp`: publishing through `publish`) and counting
/// into its entry in `registry`.
pub fn start(
    sources: Vec<(String, SourceSpec)>,
    registry: &Registry,
    tx: &mpsc::Sender<Event>,
    publish: &Publish,
    stop: &watch::Receiver<bool>,
) -> std::io::Result<Running> {
    let mut running = Running::default();
    for (name, spec) in sources {
        let ingest = Ingest::new(name.clone(), registry.register_source(&name), tx.clone());
        let thread = std::thread::Builder::new().name(format!("source-{name}"));
        let stop = stop.clone();
        match spec {
            SourceSpec::Stdin(s) => {
                thread.spawn(move || stdin::read(std::io::stdin().lock(), &ingest, s.max_line_bytes))?;
            }
            SourceSpec::File(f) => {
                let tail = file::TailOptions { path: f.path, from_start: f.from_start, max_line: f.max_line_bytes };
                let poll = std::time::Duration::from_millis(f.poll_ms);
                running.threads.push(thread.spawn(move || file::follow(tail, &ingest, poll, stop))?);
            }
            SourceSpec::Exec(e) => {
                let ingest = Arc::new(ingest.not_json(NotJson::Skip));
                running.threads.push(thread.spawn(move || exec::supervise(exec::ExecOptions::from(&e), ingest, stop))?);
            }
            #[cfg(feature = "amqp")]
            SourceSpec::Amqp(a) => {
                let read = ingest.read.unit("message");
                running.tasks.push(tokio::spawn(amqp::consume(a, read, publish.clone(), stop)));
            }
            #[cfg(not(feature = "amqp"))]
            SourceSpec::Amqp(_) => {
                let _ = publish;
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    format!("source {name}: this build has no AMQP client (`make feed` builds one that has)"),
                ));
            }
        }
    }
    Ok(running)
}

/// Where a source that publishes its own batches (`amqp`) sends them, and
/// how it learns that the history has them.
#[derive(Clone)]
pub struct Publish {
    pub to: crate::publish::Publisher,
    /// The history's writer's progress
    /// ([`crate::history::History::written_through`]), when the history is on.
    pub written: Option<watch::Receiver<u64>>,
    pub batch: crate::batcher::BatchConfig,
}
