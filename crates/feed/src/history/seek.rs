//! Rebuilding a store from the history, on either backend (through
//! [`Rows`]): the writer's restore after
//! a restart, and the readers' seeks (`state_at`). A seek starts from the
//! newest checkpoint before the moment and replays the rows after it, in
//! arrival order, reading only as far as [`replay_to`] shows it must, on
//! two threads ([`replay_onto`]); a run of seeks from one checkpoint
//! decodes it once ([`Seeks`]).

use super::late::LATE_ROWS;
use super::store::StoreError;
use zitiscope_core::store::StoreState;
use zitiscope_core::{Event, Store, StoreConfig};

/// What a seek reads of a backend's tables (see `sqlite.rs` for the
/// schema both backends share). Rows are handed over borrowed, as their
/// text: the parse copies what it keeps.
pub(super) trait Rows {
    /// The newest checkpoint: its last row, its newest event time, its state.
    fn newest_checkpoint(&mut self) -> Result<Option<(i64, i64, String)>, StoreError>;
    /// The newest checkpoint whose events all happened at or before `at`:
    /// its last row, and its state unless that row is `held` (one read, so
    /// that retention cannot drop it between a look and a read).
    fn checkpoint_before(&mut self, at: i64, held: i64) -> Result<Option<(i64, Option<String>)>, StoreError>;
    /// The bodies of rows `after < id <= through` (no upper bound when
    /// `None`) that happened at or before `until`, in arrival order.
    fn events(
        &mut self,
        after: i64,
        through: Option<i64>,
        until: i64,
        each: &mut dyn FnMut(&str),
    ) -> Result<(), StoreError>;
    /// The bodies of the rows after `after` listed in `late` that happened
    /// at or before `until`, in arrival order.
    fn late(&mut self, after: i64, until: i64, each: &mut dyn FnMut(&str)) -> Result<(), StoreError>;
    /// The first to arrive of a few of the earliest rows that happened
    /// after `t`.
    fn first_past(&mut self, t: i64) -> Result<Option<i64>, StoreError>;
    /// Whether `late` lists rows by the row bound too (a file written
    /// before it existed lists them by time only).
    fn has_row_bound(&mut self) -> Result<bool, StoreError>;
    /// The time of the first row, when the history holds every row from
    /// the first one ever stored (none was dropped) and has some.
    fn whole_from(&mut self) -> Result<Option<i64>, StoreError>;
}

/// The store as the newest checkpoint left it plus every event after it:
/// the state the writer (and the live store, see `History::start`)
/// continues from after a restart, remembering the events of a dedupe
/// window before the checkpoint. Also the newest event time in it.
pub(super) fn restore(db: &mut dyn Rows) -> Result<(Store, i64), StoreError> {
    let cp = db.newest_checkpoint()?;
    let (after, mut max_at, mut store) = match cp.and_then(|(id, max_at, text)| Some((id, max_at, decode(&text)?))) {
        Some(decoded) => decoded,
        None => (0, i64::MIN, Store::new()),
    };
    // The dedupe window the store would have had: the rows just before
    // the checkpoint (those after it fill it as they are applied).
    let window = StoreConfig::default().dedupe_window as i64;
    db.events(after.saturating_sub(window), Some(after), i64::MAX, &mut |body| {
        if let Some(e) = parse(body) {
            store.remember(&e);
        }
    })?;
    db.events(after, None, i64::MAX, &mut |body| {
        if let Some(e) = parse(body) {
            max_at = max_at.max(e.at.0);
            store.apply(&e);
        }
    })?;
    Ok((store, max_at))
}

/// The event a row's text holds; a row that is not one is skipped.
fn parse(body: &str) -> Option<Event> {
    serde_json::from_str::<Event>(body).ok()
}

/// The store a checkpoint's text holds; `None` when it does not decode
/// (the caller starts from the first row instead).
fn decode(text: &str) -> Option<Store> {
    serde_json::from_str::<StoreState>(text).ok().map(|state| Store::from_state(state, StoreConfig::default()))
}

/// Hands `each` every event after row `after` up to time `until`, in
/// arrival order, reading rows in arrival order only up to the bound
/// [`read_bound`] gives, and the rows listed in `late` after it.
///
/// Why that is enough: every row after the bound that is not listed in
/// `late` happened after `until` (see `late.rs`). The rows listed after it
/// follow every row up to it in arrival order, so the two reads together
/// keep that order.
fn replay_to(db: &mut dyn Rows, after: i64, until: i64, each: &mut dyn FnMut(Event)) -> Result<(), StoreError> {
    let mut each = |body: &str| {
        if let Some(e) = parse(body) {
            each(e)
        }
    };
    let Some(h) = read_bound(db, until)? else {
        return db.events(after, None, until, &mut each);
    };
    db.events(after, Some(h), until, &mut each)?;
    db.late(after.max(h), until, &mut each)
}

/// The last row a replay up to `until` reads in arrival order (the rows
/// listed in `late` aside): the nearer of the two bounds of `late.rs`, the
/// first row to happen past `until + LATE_NS` and `LATE_ROWS` rows after
/// one that happened past `until`. `None` when neither is stored yet. A
/// file whose `late` predates the row bound gets only the time bound.
pub(super) fn read_bound(db: &mut dyn Rows, until: i64) -> Result<Option<i64>, StoreError> {
    let by_time = db.first_past(until.saturating_add(super::late::LATE_NS))?;
    // Per seek, not per connection: the writer upgrades a file it opens
    // while the readers may already hold it.
    let by_rows = if db.has_row_bound()? { db.first_past(until)?.map(|g| g + LATE_ROWS) } else { None };
    Ok(by_time.into_iter().chain(by_rows).min())
}

/// What a reader keeps from one seek for the next: seeks come in runs from
/// one checkpoint (an operator scrubbing back through an incident), and a
/// decoded checkpoint's copy takes about a third of the time of decoding
/// it again, but copying it when no other seek follows would only add that
/// third. So the second seek in a row from one checkpoint keeps a copy,
/// and the seeks after it start from copies of that.
#[derive(Default)]
pub(super) struct Seeks {
    /// The checkpoint the last seek started from.
    last: i64,
    /// A checkpoint's store as decoded: one store's worth of memory, held
    /// while the feed runs.
    decoded: Option<(i64, Store)>,
}

/// The state of the network at `at`: the newest checkpoint whose events are
/// all at or before `at`, plus every later row at or before `at` (late
/// events included: the store puts them where they belong). With no such
/// checkpoint, every row from the first, if none was ever dropped. `None`
/// when `at` is before what the history can rebuild.
///
/// `seeks` keeps a decoded checkpoint for the seeks that follow (see
/// [`Seeks`]).
pub(super) fn state_at(db: &mut dyn Rows, at: i64, seeks: &mut Seeks) -> Result<Option<Store>, StoreError> {
    let held = seeks.decoded.as_ref().map_or(-1, |(id, _)| *id);
    if let Some((id, text)) = db.checkpoint_before(at, held)? {
        let keep = text.is_some() && std::mem::replace(&mut seeks.last, id) == id;
        let start = match &text {
            Some(text) => Some(Start::Text(text)),
            None => seeks.decoded.as_ref().map(|(_, store)| Start::Copy(store)),
        };
        // A checkpoint that does not decode is passed over, as if absent.
        if let Some(start) = start {
            if let Some((store, kept)) = replay_onto(db, start, keep, id, at)? {
                if let Some(kept) = kept {
                    seeks.decoded = Some((id, kept));
                }
                return Ok(Some(store));
            }
        }
    }
    // No checkpoint to start from: every row from the first, if none was
    // ever dropped.
    match db.whole_from()? {
        Some(first) if at >= first => Ok(replay_onto(db, Start::Empty, false, 0, at)?.map(|(store, _)| store)),
        _ => Ok(None),
    }
}

/// Where a seek's store starts.
enum Start<'a> {
    /// An empty store (the history from its first row).
    Empty,
    /// A copy of a checkpoint already decoded.
    Copy(&'a Store),
    /// A checkpoint's text.
    Text(&'a str),
}

/// How many parsed events go to the applying thread at a time (a few in
/// the tests, so that their short histories cross chunks).
const CHUNK: usize = if cfg!(test) { 7 } else { 1_024 };

/// The store `start` gives with [`replay_to`]'s events after row `after` up
/// to `until` applied, and, when `keep`, a copy of it as it started. `None`
/// when the checkpoint's text does not decode.
///
/// Two threads, so that a seek takes the longer of its two halves rather
/// than their sum: this one reads the rows and parses them (about half of
/// a replay), while another decodes the checkpoint (a third of a seek),
/// then applies the parsed events in order as they come.
fn replay_onto(
    db: &mut dyn Rows,
    start: Start<'_>,
    keep: bool,
    after: i64,
    until: i64,
) -> Result<Option<(Store, Option<Store>)>, StoreError> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<Event>>();
        let builder = s.spawn(move || {
            let mut store = match start {
                Start::Empty => Store::new(),
                Start::Copy(held) => held.clone(),
                Start::Text(text) => decode(text)?,
            };
            let kept = keep.then(|| store.clone());
            // A seek wants the state, not the changes: one buffer for them all.
            let mut changes = Vec::new();
            for chunk in rx {
                for e in &chunk {
                    store.apply_into(e, &mut changes);
                    changes.clear();
                }
            }
            Some((store, kept))
        });
        let mut chunk = Vec::with_capacity(CHUNK);
        let read = replay_to(db, after, until, &mut |e| {
            chunk.push(e);
            if chunk.len() == CHUNK {
                // A send fails only when the checkpoint did not decode: the
                // answer is `None` then, whatever is read.
                let _ = tx.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
            }
        });
        let _ = tx.send(chunk);
        drop(tx);
        let built = builder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        read.map(|()| built)
    })
}
