//! The feed protocol's payloads (see `docs/feed-protocol.md`).
//!
//! The feed writes them and the app reads them, both through this module,
//! so the two cannot drift apart.

use crate::parse::{parse_payload, ParseError, Parsed};
use crate::store::StoreState;
use crate::{Event, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// SSE event name of the full state, sent first on every connection.
pub const SNAPSHOT: &str = "snapshot";
/// SSE event name of a batch of normalised events; its `id:` is its sequence.
pub const BATCH: &str = "batch";
/// SSE event name of the liveness beat, with server time and last sequence.
pub const HEARTBEAT: &str = "heartbeat";
/// SSE event name sent just before the server drops a client that fell behind.
pub const RESET: &str = "reset";
/// SSE event name that opens a resumed stream (instead of a snapshot): the
/// batches after the client's last one follow.
pub const RESUME: &str = "resume";
/// SSE event name of the shared alert state ([`crate::ops::Ops`]): sent
/// after the snapshot or resume on every connection, and again whenever it
/// changes. Each replaces the last.
pub const OPS: &str = "ops";
/// Every named event a client listens for (each of the above).
pub const NAMED: [&str; 6] = [SNAPSHOT, RESUME, BATCH, HEARTBEAT, RESET, OPS];

/// An SSE `id`: which run of the feed, and the batch sequence within it.
/// Written `<run>:<seq>`; a bare `<seq>` (another producer) has no run.
/// The feed part makes a resume after a feed restart impossible to
/// mistake for one within the same run, whose sequences start over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventId {
    /// The feed run's id (`""` when unknown).
    pub run: String,
    /// The batch sequence.
    pub seq: u64,
}

impl EventId {
    /// Reads `<run>:<seq>` or `<seq>`; `None` for anything else.
    pub fn parse(id: &str) -> Option<EventId> {
        let (run, seq) = id.rsplit_once(':').unwrap_or(("", id));
        let seq = seq.parse().ok()?;
        (run.len() <= 64).then(|| EventId { run: run.to_owned(), seq })
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.run.is_empty() {
            write!(f, "{}", self.seq)
        } else {
            write!(f, "{}:{}", self.run, self.seq)
        }
    }
}

/// The full state at a sequence number. A feed writes one straight from
/// its store (`Snapshot<StateRef>`: the same JSON, without copying the
/// store); a client reads it into a `Snapshot` (of a [`StoreState`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot<S = StoreState> {
    /// The feed run that took it (see [`EventId`]); `feed` on the wire.
    #[serde(default, rename = "feed")]
    pub run: String,
    /// The sequence number of the last batch included.
    pub seq: u64,
    /// Server time when it was taken.
    pub at: Timestamp,
    /// The store, exactly.
    pub state: S,
}

/// The payload of a `heartbeat` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Server time.
    pub now: Timestamp,
    /// The last batch sequence number sent.
    pub seq: u64,
    /// The feed's sources' counters by source name, as `/healthz` has
    /// them, so the app can show what the feed itself could not read.
    /// Feeds before this field sent none: it defaults to empty, and an
    /// empty map is left out, so such a beat reads as it always did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, SourceCounters>,
}

/// One source's counters (`stdin`, `file:…`, an `exec` command's name,
/// `simulate`): what it read, passed on, skipped and rejected since the
/// feed started, and whether it is up. The state fields came later: a feed
/// before them sends none (so its sources read as up), and a source that is
/// up with no restarts writes none, so older clients read it as before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceCounters {
    /// Lines read (blank lines excluded).
    pub lines: u64,
    /// Events parsed and passed on.
    pub events: u64,
    /// Well-formed events of kinds that carry no connection state.
    pub skipped: u64,
    /// Lines that could not be read (malformed, invalid UTF-8, too long).
    pub rejected: u64,
    /// The newest rejection's reason, with its line number. It quotes
    /// input the feed could not read: a reader shows it as text only.
    pub last_error: Option<String>,
    /// Since when the source has been down (feed time): its command exited,
    /// stalled or could not start, its file cannot be read, or its input
    /// ended. `None` while it is up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_since: Option<Timestamp>,
    /// Why it is down, or why it last went down ("exited with status 0",
    /// "spawn failed: No such file or directory"). Read capped at
    /// [`SOURCE_REASON_CAP`] characters; plain text, like `last_error`.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "capped_reason")]
    pub reason: Option<String>,
    /// How many times the source was started again (an `exec` source's
    /// command, after it exited, stalled or failed to start).
    #[serde(skip_serializing_if = "is_zero")]
    pub restarts: u64,
}

/// The longest [`SourceCounters::reason`] kept when read, in characters: a
/// command's message is the feed's to show, not a way to fill the page.
pub const SOURCE_REASON_CAP: usize = 256;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn capped_reason<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let reason = Option::<String>::deserialize(d)?;
    Ok(reason.map(|r| match r.char_indices().nth(SOURCE_REASON_CAP) {
        Some((at, _)) => format!("{}…", &r[..at]),
        None => r,
    }))
}

/// The payload of a `resume` event: the stream goes on after `seq` of
/// feed run `run` (`feed` on the wire), with no snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    #[serde(rename = "feed")]
    pub run: String,
    pub seq: u64,
}

/// The payload of a `reset` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reset {
    pub reason: String,
}

/// Decodes a `batch` payload: a JSON array of normalised events. Each
/// element is judged on its own, so one bad element costs only itself.
pub fn decode_batch(data: &str) -> Vec<Result<Event, ParseError>> {
    // Fast path: the feed writes well-formed batches.
    if let Ok(events) = serde_json::from_str::<Vec<Event>>(data) {
        return events.into_iter().map(Ok).collect();
    }
    match serde_json::from_str::<Vec<&RawValue>>(data) {
        Ok(items) => items
            .into_iter()
            .map(|item| {
                serde_json::from_str::<Event>(item.get())
                    .map_err(|e| ParseError { field: None, reason: format!("invalid batch element: {e}") })
            })
            .collect(),
        Err(e) => vec![Err(ParseError { field: None, reason: format!("invalid batch: {e}") })],
    }
}

/// Decodes a plain SSE `message` payload from any producer: one raw event
/// (the design note's shape or an OpenZiti shape) or an array of them.
pub fn decode_message(data: &str) -> Vec<Result<Parsed, ParseError>> {
    parse_payload(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_round_trip_and_partial_damage() {
        let e = Event::conn(Timestamp(1), crate::ConnKind::EdgeToRouter, "a", "r", true).via("c1");
        let text = serde_json::to_string(&vec![e.clone(), e.clone()]).unwrap();
        assert_eq!(decode_batch(&text), vec![Ok(e.clone()), Ok(e.clone())]);
        let damaged = format!("[{},{{\"at\":\"x\"}}]", serde_json::to_string(&e).unwrap());
        let out = decode_batch(&damaged);
        assert_eq!(out[0], Ok(e));
        assert!(out[1].is_err());
        assert!(decode_batch("not json")[0].is_err());
    }

    #[test]
    fn heartbeats_with_and_without_sources() {
        let old: Heartbeat = serde_json::from_str(r#"{"now":5,"seq":7}"#).unwrap();
        assert_eq!((old.now, old.seq), (Timestamp(5), 7));
        assert!(old.sources.is_empty(), "a beat from an older feed has no counters");
        assert_eq!(serde_json::to_string(&old).unwrap(), r#"{"now":5,"seq":7}"#, "and is written as before");
        let new: Heartbeat =
            serde_json::from_str(r#"{"now":5,"seq":7,"sources":{"stdin":{"lines":3,"rejected":1,"last_error":"x"}}}"#)
                .unwrap();
        let stdin = &new.sources["stdin"];
        assert_eq!((stdin.lines, stdin.events, stdin.rejected), (3, 0, 1), "missing counters are zero");
        assert_eq!(stdin.last_error.as_deref(), Some("x"));
        assert_eq!((stdin.down_since, stdin.reason.as_deref(), stdin.restarts), (None, None, 0), "up, as before");
    }

    #[test]
    fn source_state_round_trips_is_left_out_while_up_and_its_reason_is_capped() {
        let up = SourceCounters { lines: 1, ..Default::default() };
        let text = serde_json::to_string(&up).unwrap();
        assert!(!text.contains("down_since") && !text.contains("reason") && !text.contains("restarts"), "{text}");
        let down = SourceCounters {
            down_since: Some(Timestamp(9)),
            reason: Some("exited with status 0".into()),
            restarts: 3,
            ..Default::default()
        };
        let back: SourceCounters = serde_json::from_str(&serde_json::to_string(&down).unwrap()).unwrap();
        assert_eq!(back, down);
        let long = format!(r#"{{"down_since":1,"reason":"{}"}}"#, "é".repeat(10_000));
        let read: SourceCounters = serde_json::from_str(&long).unwrap();
        assert_eq!(read.reason.unwrap().chars().count(), SOURCE_REASON_CAP + 1, "capped, with an ellipsis");
        let null: SourceCounters = serde_json::from_str(r#"{"reason":null}"#).unwrap();
        assert_eq!(null.reason, None);
    }

    #[test]
    fn event_ids() {
        let id = EventId::parse("a1b2:42").unwrap();
        assert_eq!((id.run.as_str(), id.seq), ("a1b2", 42));
        assert_eq!(id.to_string(), "a1b2:42");
        assert_eq!(EventId::parse("7"), Some(EventId { run: String::new(), seq: 7 }));
        assert_eq!(EventId::parse("7").unwrap().to_string(), "7");
        for bad in ["", "x", "a:", "a:-1", ":x", "1.5"] {
            assert_eq!(EventId::parse(bad), None, "{bad:?}");
        }
    }
}

/// One page of the feed's history as a reader takes it (`GET /history`,
/// `GET /changes`): its rows and where the next page starts.
#[derive(Clone, Debug, Deserialize)]
pub struct HistoryPage<R> {
    #[serde(alias = "changes", alias = "events")]
    pub rows: Vec<R>,
    /// The cursor of the next page, if there may be more.
    pub next: Option<String>,
}

/// One stored event of `GET /history`, as time travel reads it (its id is
/// not needed there).
#[derive(Clone, Debug, Deserialize)]
pub struct HistoryEvent {
    pub event: Event,
}

/// `GET /state?at=`: the network at a moment.
#[derive(Clone, Debug, Deserialize)]
pub struct StateAt {
    pub state: StoreState,
}
