//! The NOC's shared alert state as the history keeps it (see
//! [`zitiscope_core::ops`]): acks and silences are records beside the
//! maintenance windows, so they survive restarts, every replica reads the
//! same, and a time-travel moment sees what had been shared by then.
//!
//! Kept for [`KEEP_NS`] after they were made (an ack) or ended (a
//! silence); [`History::prune_shared`] drops older ones. A silence is
//! ended by keeping it again with its end moved to now, never by
//! forgetting it: the past still shows it.

use super::{History, QueryError};
use zitiscope_core::ops::{Held, Ops, SharedAck, SharedSilence, MAX_ACKS, MAX_SILENCES, MAX_WINDOWS};
use zitiscope_core::report::Span;

/// The records' kinds.
const ACK: &str = "ack";
const SILENCE: &str = "silence";

/// How long an ack, or a silence after it ended, is kept: 30 days.
pub const KEEP_NS: i64 = 30 * DAY_NS;
const DAY_NS: i64 = 86_400_000_000_000;

impl History {
    /// The shared state at `now`: the acks and silences kept, newest first,
    /// and each window with its spans from 30 days back to 14 days on (the
    /// time bar's reach; whole days, so the message does not change with
    /// every tick of the clock).
    pub fn ops(&self, now: i64) -> Result<Ops, QueryError> {
        let (acks, silences) = self.read(|db| Ok((db.records(ACK)?, db.records(SILENCE)?)))?;
        let mut acks: Vec<SharedAck> = parsed(acks, |a: &mut SharedAck, id| a.id = id);
        acks.sort_by_key(|a| std::cmp::Reverse((a.at, a.id)));
        acks.truncate(MAX_ACKS);
        let mut silences: Vec<SharedSilence> = parsed(silences, |s: &mut SharedSilence, id| s.id = id);
        silences.sort_by_key(|s| std::cmp::Reverse((s.silence.until, s.id)));
        silences.truncate(MAX_SILENCES);
        let day = now.div_euclid(DAY_NS) * DAY_NS;
        let reach = Span::new(day - KEEP_NS, day + 15 * DAY_NS);
        let windows = (self.windows_with_ids()?.into_iter())
            .filter_map(|(id, w)| {
                let spans = w.when.spans(reach).ok().filter(|s| !s.is_empty())?;
                Some(Held { id, name: w.name, scope: w.scope, spans })
            })
            .take(MAX_WINDOWS)
            .collect();
        Ok(Ops { acks, silences, windows })
    }

    /// Keeps an ack (checked by the caller); returns its id.
    pub fn add_ack(&self, ack: &SharedAck) -> Result<i64, QueryError> {
        let body = serde_json::to_string(ack).expect("acks serialise");
        self.with_records(|db| Ok(db.put_record(ACK, &body)?))
    }

    /// Keeps a silence (checked by the caller); returns its id.
    pub fn add_silence(&self, silence: &SharedSilence) -> Result<i64, QueryError> {
        let body = serde_json::to_string(silence).expect("silences serialise");
        self.with_records(|db| Ok(db.put_record(SILENCE, &body)?))
    }

    /// Ends a silence at `now`: kept again ending then (the new id is
    /// returned), then the old record dropped. `None` when there is no such
    /// silence or it had ended.
    pub fn end_silence(&self, id: i64, now: i64) -> Result<Option<i64>, QueryError> {
        self.with_records(|db| {
            let records = db.records(SILENCE)?;
            let found = parsed(records.into_iter().filter(|(i, _)| *i == id).collect(), |_: &mut SharedSilence, _| {});
            let Some(mut s) = found.into_iter().next().filter(|s| s.silence.until.0 > now) else {
                return Ok(None);
            };
            s.silence.until = zitiscope_core::Timestamp(now);
            // Kept first: a failure between the two leaves the silence in
            // force, never lost.
            let new = db.put_record(SILENCE, &serde_json::to_string(&s).expect("silences serialise"))?;
            db.delete_record(SILENCE, id)?;
            Ok(Some(new))
        })
    }

    /// Drops the acks made, and the silences that ended, more than
    /// [`KEEP_NS`] before `now`; returns how many.
    pub fn prune_shared(&self, now: i64) -> Result<usize, QueryError> {
        let cutoff = now.saturating_sub(KEEP_NS);
        self.with_records(|db| {
            let old_acks: Vec<i64> = parsed(db.records(ACK)?, |a: &mut SharedAck, id| a.id = id)
                .into_iter()
                .filter(|a| a.at.0 < cutoff)
                .map(|a| a.id)
                .collect();
            let old_silences: Vec<i64> = parsed(db.records(SILENCE)?, |s: &mut SharedSilence, id| s.id = id)
                .into_iter()
                .filter(|s| s.silence.until.0 < cutoff)
                .map(|s| s.id)
                .collect();
            for id in &old_acks {
                db.delete_record(ACK, *id)?;
            }
            for id in &old_silences {
                db.delete_record(SILENCE, *id)?;
            }
            Ok(old_acks.len() + old_silences.len())
        })
    }
}

/// The records that read as `T`, each given its record's id by `set_id`
/// (one of a later format is passed over).
fn parsed<T: serde::de::DeserializeOwned>(records: Vec<(i64, String)>, set_id: impl Fn(&mut T, i64)) -> Vec<T> {
    (records.into_iter())
        .filter_map(|(id, body)| {
            let mut t: T = serde_json::from_str(&body).ok()?;
            set_id(&mut t, id);
            Some(t)
        })
        .collect()
}
