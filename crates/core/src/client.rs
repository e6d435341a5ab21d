//! The consuming end of the feed protocol, free of any browser API: the app
//! hands it every SSE message (event name, id, data) and renders what it
//! holds. Being plain Rust, all of its rules are tested natively.
//!
//! - `snapshot` replaces the store and sets the sequence;
//! - `resume` opens a stream that continues after the client's last batch
//!   (it asked with [`FeedClient::resume_point`]); if it does not match
//!   what the client holds, the client asks for a fresh connection;
//! - `batch` applies its events; a batch at or below the last sequence is a
//!   duplicate and is skipped; a jump past `last + 1` is counted as a gap;
//! - `message` (any third-party producer) carries raw events;
//! - `heartbeat` records server time and the feed's own source counters
//!   (what the feed could not read, before anything reached us); `reset`
//!   asks for a reconnect;
//! - anything malformed is counted as rejected with its reason, and the
//!   rest of the stream goes on.
//!
//! Whether the stream is live, and whether its silence can be judged (a
//! third-party producer sends no heartbeat), is [`Liveness`]'s rule.

mod clock;
mod liveness;
mod recent;
mod url;

pub use clock::ServerClock;
pub use liveness::{Beats, Liveness, Phase};
pub use recent::{RecentChanges, RECENT_CAP};
pub use url::{events_url, feed_api_url, history_reply, refusal_of, with_param, with_since, HISTORY_TIMEOUT_MS};

use crate::dispatch::Dispatcher;
use crate::parse::Parsed;
use crate::wire::{self, decode_batch, decode_message, EventId, Heartbeat, Resume, Snapshot, SourceCounters};
use crate::{Change, Event, Store, Timestamp};
use std::collections::BTreeMap;

/// The most feed sources kept from a heartbeat. A feed has one; a hostile
/// producer could name thousands, and each would be kept and rendered.
pub const FEED_SOURCES_CAP: usize = 16;
/// The longest feed source name kept, in characters.
pub const FEED_SOURCE_NAME_CAP: usize = 64;
/// The longest feed reject reason kept, in characters. It quotes input the
/// feed could not read, and is shown as a tooltip: long enough to explain,
/// short enough that a hostile line cannot fill the page or the memory.
pub const FEED_REASON_CAP: usize = 256;

/// Counters about the stream, for the status line and for tests.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClientStats {
    /// Events applied (including those that changed nothing).
    pub events: u64,
    /// Real state changes.
    pub changes: u64,
    /// Events or messages that could not be read.
    pub rejected: u64,
    /// Well-formed events that carry nothing we track.
    pub skipped: u64,
    /// Snapshots received (1 + reconnects that could not resume).
    pub snapshots: u64,
    /// Reconnects that resumed where the client was, with no snapshot.
    pub resumes: u64,
    /// Batches skipped because their sequence was already applied.
    pub duplicate_batches: u64,
    /// Times the sequence jumped, i.e. batches were missed.
    pub gaps: u64,
    /// The latest reason something was rejected.
    pub last_error: Option<String>,
    /// Server time of the latest heartbeat.
    pub last_heartbeat: Option<Timestamp>,
    /// Server time of the latest snapshot or heartbeat, with how many such
    /// reports came (so a repeated time is still a new report).
    pub server_time: Option<(Timestamp, u64)>,
    /// The feed's own source counters, by source name, as its latest
    /// heartbeat had them (empty before one, and from older feeds). Names
    /// and reasons are capped ([`FEED_SOURCES_CAP`], [`FEED_REASON_CAP`]).
    pub feed_sources: BTreeMap<String, SourceCounters>,
    /// The reason of the feed's latest rejected line, capped: that of the
    /// source whose reject count moved last. `None` while no feed source
    /// has rejected anything.
    pub feed_last_error: Option<String>,
}

impl ClientStats {
    /// Lines the feed's sources rejected, all together.
    pub fn feed_rejected(&self) -> u64 {
        // Saturating: the numbers come off the wire.
        self.feed_sources.values().fold(0, |n, s| n.saturating_add(s.rejected))
    }
}

/// What the app should do after a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaction {
    /// Whether the visible state changed (re-render).
    pub changed: bool,
    /// Whether the server asked us to reconnect (`reset`).
    pub reconnect: bool,
}

/// See the module docs.
#[derive(Default)]
pub struct FeedClient {
    store: Store,
    last_seq: Option<u64>,
    /// The feed run the state came from (see [`EventId`]).
    run: Option<String>,
    stats: ClientStats,
    changes: Dispatcher,
    /// The newest shared alert state, until taken.
    ops: Option<crate::ops::Ops>,
}

impl FeedClient {
    /// A client that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one SSE message. `id` is the SSE `lastEventId` (may be empty).
    pub fn on_message(&mut self, event: &str, id: &str, data: &str) -> Reaction {
        match event {
            wire::SNAPSHOT => self.on_snapshot(data),
            wire::BATCH => self.on_batch(id, data),
            wire::HEARTBEAT => {
                match serde_json::from_str::<Heartbeat>(data) {
                    Ok(hb) => {
                        self.stats.last_heartbeat = Some(hb.now);
                        self.heard_time(hb.now);
                        self.heard_sources(hb.sources);
                    }
                    Err(e) => self.reject(format!("invalid heartbeat: {e}")),
                }
                Reaction { changed: true, reconnect: false }
            }
            wire::RESET => Reaction { changed: true, reconnect: true },
            wire::RESUME => self.on_resume(data),
            wire::OPS => {
                match serde_json::from_str::<crate::ops::Ops>(data) {
                    Ok(ops) => self.ops = Some(ops.capped()),
                    Err(e) => self.reject(format!("invalid ops: {e}")),
                }
                Reaction { changed: true, reconnect: false }
            }
            _ => self.on_raw(data),
        }
    }

    /// The shared alert state the feed sent last, once (`None` when nothing
    /// new came since the last take).
    pub fn take_ops(&mut self) -> Option<crate::ops::Ops> {
        self.ops.take()
    }

    fn on_snapshot(&mut self, data: &str) -> Reaction {
        match serde_json::from_str::<Snapshot>(data) {
            Ok(snap) => {
                self.store = Store::from_state(snap.state, self.store.config().clone());
                self.last_seq = Some(snap.seq);
                self.run = Some(snap.run);
                self.stats.snapshots += 1;
                self.heard_time(snap.at);
            }
            Err(e) => self.reject(format!("invalid snapshot: {e}")),
        }
        Reaction { changed: true, reconnect: false }
    }

    /// The server continues after our last batch. Anything but an exact
    /// match means our state is not what it thinks: forget the resume
    /// point and ask for a fresh connection (a snapshot).
    fn on_resume(&mut self, data: &str) -> Reaction {
        match serde_json::from_str::<Resume>(data) {
            Ok(r) if Some(r.seq) == self.last_seq && self.run.as_deref() == Some(r.run.as_str()) => {
                self.stats.resumes += 1;
                Reaction { changed: true, reconnect: false }
            }
            Ok(r) => {
                self.reject(format!("resume at {}:{} does not match our state", r.run, r.seq));
                self.forget_position();
                Reaction { changed: true, reconnect: true }
            }
            Err(e) => {
                self.reject(format!("invalid resume: {e}"));
                self.forget_position();
                Reaction { changed: true, reconnect: true }
            }
        }
    }

    fn forget_position(&mut self) {
        self.last_seq = None;
        self.run = None;
    }

    fn on_batch(&mut self, id: &str, data: &str) -> Reaction {
        let seq = match EventId::parse(id) {
            Some(id) => id.seq,
            None => {
                self.reject(format!("batch has no sequence id ({:?})", crate::parse::preview(id)));
                return Reaction::default();
            }
        };
        if let Some(last) = self.last_seq {
            if seq <= last {
                self.stats.duplicate_batches += 1;
                return Reaction::default();
            }
            if seq > last + 1 {
                self.stats.gaps += 1;
            }
        }
        self.last_seq = Some(seq);
        let mut changed = false;
        // A batch's changes go to the subscribers in one dispatch: a queue
        // that keeps the newest 50 then copies only those (of ~500).
        let mut changes = Vec::new();
        for item in decode_batch(data) {
            match item {
                Ok(ev) => self.apply(&ev, &mut changes),
                Err(e) => {
                    self.reject(e.to_string());
                    changed = true;
                }
            }
        }
        self.dispatch(&changes);
        Reaction { changed: changed || !changes.is_empty(), reconnect: false }
    }

    fn on_raw(&mut self, data: &str) -> Reaction {
        let mut changed = false;
        let mut changes = Vec::new();
        for item in decode_message(data) {
            match item {
                Ok(Parsed::Event(ev)) => self.apply(&ev, &mut changes),
                Ok(Parsed::Skipped(_)) => self.stats.skipped += 1,
                Err(e) => {
                    self.reject(e.to_string());
                    changed = true;
                }
            }
        }
        self.dispatch(&changes);
        Reaction { changed: changed || !changes.is_empty(), reconnect: false }
    }

    fn apply(&mut self, ev: &Event, changes: &mut Vec<Change>) {
        self.stats.events += 1;
        self.store.apply_into(ev, changes);
    }

    fn dispatch(&mut self, changes: &[Change]) {
        self.stats.changes += changes.len() as u64;
        self.changes.dispatch(changes);
    }

    fn heard_time(&mut self, at: Timestamp) {
        let n = self.stats.server_time.map_or(0, |(_, n)| n);
        self.stats.server_time = Some((at, n + 1));
    }

    /// Keeps a heartbeat's source counters (bounded, see the caps) as the
    /// latest, and picks the newest reject reason among them.
    fn heard_sources(&mut self, sources: BTreeMap<String, SourceCounters>) {
        let sources: BTreeMap<String, SourceCounters> = sources
            .into_iter()
            .take(FEED_SOURCES_CAP)
            .map(|(name, mut s)| {
                s.last_error = s.last_error.map(|e| cap_text(&e, FEED_REASON_CAP));
                (cap_text(&name, FEED_SOURCE_NAME_CAP), s)
            })
            .collect();
        // A beat carries each source's newest reason, not which source
        // rejected last: the one whose count moved since the previous beat
        // did (a restarted feed's counts move too: they start over).
        for (name, s) in &sources {
            let before = self.stats.feed_sources.get(name).map_or(0, |b| b.rejected);
            if s.rejected != before && s.last_error.is_some() {
                self.stats.feed_last_error = s.last_error.clone();
            }
        }
        if sources.values().all(|s| s.rejected == 0) {
            self.stats.feed_last_error = None;
        } else if self.stats.feed_last_error.is_none() {
            self.stats.feed_last_error = sources.values().find_map(|s| s.last_error.clone());
        }
        self.stats.feed_sources = sources;
    }

    fn reject(&mut self, reason: String) {
        self.stats.rejected += 1;
        self.stats.last_error = Some(reason);
    }

    /// The connection state.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The stream counters.
    pub fn stats(&self) -> &ClientStats {
        &self.stats
    }

    /// The sequence of the latest snapshot or batch applied.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Where a new connection should continue (`?since=`): the feed run and
    /// the last batch applied. `None` before the first snapshot, and for a
    /// producer whose ids carry no feed run (no resume is safe there).
    pub fn resume_point(&self) -> Option<EventId> {
        match (&self.run, self.last_seq) {
            (Some(run), Some(seq)) if !run.is_empty() => Some(EventId { run: run.clone(), seq }),
            _ => None,
        }
    }

    /// Every real change, for subscribers (the app's change list, alerts).
    pub fn changes(&self) -> &Dispatcher {
        &self.changes
    }
}

/// `text` cut to at most `max` characters (with `…` when cut), control
/// characters shown as U+FFFD: what a tooltip may show of hostile bytes.
fn cap_text(text: &str, max: usize) -> String {
    let mut out: String =
        text.chars().take(max).map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c }).collect();
    if text.chars().nth(max).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
