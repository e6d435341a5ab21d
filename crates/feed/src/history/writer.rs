//! The history's writer thread: it takes the hub's batches as they are
//! published, writes them in transactions of up to [`MAX_EVENTS`] events or
//! [`MAX_WAIT`], keeps its own store for checkpoints, and runs retention.
//! After each transaction it says how far it got (`through`: the last
//! batch's sequence number), for a source that acknowledges what it read
//! only once it is written (`amqp`).
//!
//! A database that goes away (PostgreSQL restarted, a network cut) holds
//! the writer on its batch: it reconnects with a capped backoff and writes
//! the batch then, so nothing is lost while the hub's channel holds what
//! is published meanwhile (past its bound, batches are counted as missed),
//! and `through` stays put, so an acknowledging source stops acking.

use super::{failed, Backlog, HistoryConfig, HistoryStats, HistoryStore};
use crate::hub::Frame;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::{self, error::TryRecvError};
use zitiscope_core::backoff::Backoff;
use zitiscope_core::{Event, Store};

/// A transaction holds at most this many events…
const MAX_EVENTS: usize = 10_000;
/// …and waits at most this long for more after its first.
const MAX_WAIT: Duration = Duration::from_millis(100);
/// How often retention runs.
const RETAIN_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Writer {
    config: HistoryConfig,
    stats: Arc<HistoryStats>,
    /// Every event written so far, applied: what a checkpoint saves.
    store: Store,
    max_at: i64,
    since_checkpoint: u64,
    last_checkpoint: Instant,
    last_retain: Instant,
    /// The sequence number of the last batch dealt with: written, or
    /// failed and counted as an error.
    through: tokio::sync::watch::Sender<u64>,
}

impl Writer {
    pub(super) fn new(
        config: HistoryConfig,
        stats: Arc<HistoryStats>,
        store: Store,
        max_at: i64,
        through: tokio::sync::watch::Sender<u64>,
    ) -> Self {
        let now = Instant::now();
        Writer { config, stats, store, max_at, since_checkpoint: 0, last_checkpoint: now, last_retain: now, through }
    }

    pub(super) fn run(
        mut self,
        mut db: Box<dyn HistoryStore>,
        mut frames: broadcast::Receiver<Arc<Frame>>,
        backlog: Option<Backlog>,
    ) {
        // A replica taking over: first the batches the history lacks (its
        // `frames` hold only those published from now on).
        let mut after = 0;
        if let Some(backlog) = backlog {
            let written = db.written_batch().unwrap_or_else(|e| {
                failed(&self.stats, "reading how far the history got", e);
                0
            });
            match backlog(written) {
                Ok(missing) => {
                    for frame in missing {
                        let events = self.decode(&frame);
                        self.write(&mut db, &events, frame.seq, &frames);
                        after = frame.seq;
                    }
                }
                Err(e) => failed(&self.stats, "reading the batches the history lacks", e),
            }
        }
        loop {
            // Block for the first batch, then gather what follows for a while.
            let first = match frames.blocking_recv() {
                Ok(f) => f,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    self.missed(n);
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            };
            // The backlog already held it.
            if first.seq <= after {
                continue;
            }
            let mut events = self.decode(&first);
            let mut last = first.seq;
            let start = Instant::now();
            let mut closed = false;
            while events.len() < MAX_EVENTS && start.elapsed() < MAX_WAIT {
                match frames.try_recv() {
                    Ok(f) => {
                        events.extend(self.decode(&f));
                        last = f.seq;
                    }
                    Err(TryRecvError::Empty) => std::thread::sleep(Duration::from_millis(5)),
                    Err(TryRecvError::Lagged(n)) => self.missed(n),
                    Err(TryRecvError::Closed) => {
                        closed = true;
                        break;
                    }
                }
            }
            self.write(&mut db, &events, last, &frames);
            self.through.send_replace(last);
            if closed {
                break;
            }
        }
        // The feed is stopping: leave a checkpoint, so the next start is quick.
        self.checkpoint(db.as_mut());
    }

    fn decode(&self, frame: &Frame) -> Vec<Event> {
        serde_json::from_str(&frame.data).unwrap_or_else(|e| {
            failed(&self.stats, "a batch that does not decode", e);
            Vec::new()
        })
    }

    fn missed(&self, n: u64) {
        self.stats.missed_batches.fetch_add(n, Ordering::Relaxed);
        failed(&self.stats, "the history writer fell behind", format!("{n} batches not written"));
    }

    /// Writes `events`, the hub's batches up to `last`.
    fn write(
        &mut self,
        db: &mut Box<dyn HistoryStore>,
        events: &[Event],
        last: u64,
        frames: &broadcast::Receiver<Arc<Frame>>,
    ) {
        let added = loop {
            match db.insert(events).and_then(|added| db.mark_batch(last).map(|()| added)) {
                Ok(added) => break added,
                Err(e) => {
                    failed(&self.stats, "writing events", e);
                    if !db.is_broken() || !self.reconnect(db, frames) {
                        return;
                    }
                }
            }
        };
        self.stats.written.fetch_add(added as u64, Ordering::Relaxed);
        self.stats.known.fetch_add((events.len() - added) as u64, Ordering::Relaxed);
        self.since_checkpoint += added as u64;
        let db = db.as_mut();
        let mut changes = Vec::new();
        for e in events {
            self.max_at = self.max_at.max(e.at.0);
            changes.extend(self.store.apply(e));
        }
        if !changes.is_empty() {
            if let Err(e) = db.insert_changes(&changes) {
                failed(&self.stats, "writing changes", e);
            }
        }
        if self.since_checkpoint >= self.config.checkpoint_events
            || (self.since_checkpoint > 0 && self.last_checkpoint.elapsed() >= self.config.checkpoint_every)
        {
            self.checkpoint(db);
        }
        if self.last_retain.elapsed() >= RETAIN_EVERY {
            self.retain(db);
        }
    }

    /// Opens the database again after its connection broke, retrying
    /// with a capped backoff (its failures counted, their logs thinning
    /// out); `false` when the feed stops first.
    fn reconnect(&mut self, db: &mut Box<dyn HistoryStore>, frames: &broadcast::Receiver<Arc<Frame>>) -> bool {
        let mut backoff = Backoff::new(250.0, 10_000.0);
        loop {
            let jitter = f64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos() % 1_000),
            ) / 1_000.0;
            let until = Instant::now() + Duration::from_secs_f64(backoff.next_delay_ms(jitter) / 1_000.0);
            while Instant::now() < until {
                if frames.is_closed() {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            match self.config.at.open() {
                Ok(fresh) => {
                    tracing::info!(target: "zitiscope::history", "reconnected to {}", self.config.at);
                    *db = fresh;
                    return true;
                }
                Err(e) if backoff.attempts().is_power_of_two() => failed(&self.stats, "reconnecting", e),
                Err(_) => {
                    self.stats.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn checkpoint(&mut self, db: &mut dyn HistoryStore) {
        match db.checkpoint(self.max_at, &self.store.state_ref()) {
            Ok(()) => {
                self.stats.checkpoints.fetch_add(1, Ordering::Relaxed);
                self.since_checkpoint = 0;
                self.last_checkpoint = Instant::now();
            }
            Err(e) => failed(&self.stats, "writing a checkpoint", e),
        }
    }

    /// Drops what is too old, then, while the file is too big, the oldest
    /// tenth.
    pub(super) fn retain(&mut self, db: &mut dyn HistoryStore) {
        self.last_retain = Instant::now();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let cutoff = now.saturating_sub(self.config.max_age.as_nanos()).min(i64::MAX as u128) as i64;
        let dropped = db.retain(cutoff).and_then(|a| db.shrink_to(self.config.max_bytes).map(|b| a + b));
        match dropped {
            Ok(n) => {
                self.stats.pruned.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) => failed(&self.stats, "retention", e),
        }
    }
}
