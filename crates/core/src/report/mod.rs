//! Availability reports (issue 21): how long each node or link was up
//! over a range, its outages, MTTR and MTBF, with maintenance left out and
//! said so.
//!
//! The invariant: a subject is down exactly while the store's own rule
//! says so ([`crate::store::Health`]: `Store::router_health` and
//! `Store::controller_health` for nodes, a link's own events for links).
//! A report never decides it again: [`timeline`] replays the history's
//! events through a [`crate::Store`] and records when each subject's
//! answer turned, and [`spans`] does the arithmetic on those spans.
//!
//! The rules:
//! - **Observed time** is the range less maintenance, and less the time
//!   before the history first knew the subject (a report over 30 days of a
//!   network watched for one observes one). Availability is the share of
//!   observed time a subject was not down.
//! - **An outage** is a span a subject was down, cut to the range; one
//!   that began before the range or had not ended by its end says so
//!   (`from_before`, `ongoing`), so a report never passes a cut outage off
//!   as a short one. The part of an outage inside maintenance does not
//!   count; an outage wholly inside maintenance is not one.
//! - **MTTR** is the mean counted length of the outages; **MTBF** the
//!   observed up time over the number of outages (`None` with none).
//! - A subject whose state was never known in the range (`Unknown`
//!   throughout) has no availability rather than 100%.

pub mod rows;
pub mod spans;
pub mod timeline;
pub mod windows;

pub use rows::{csv, rows, Report, Row};
pub use spans::{availability, Availability, Outage, Span};
pub use timeline::{passing, Subject, Timelines};

/// The longest range a report covers (about 13 months: a year's report
/// with room to spare; more is refused rather than read for minutes).
pub const MAX_RANGE_NS: i64 = 400 * 86_400 * 1_000_000_000;

#[cfg(test)]
mod tests;
