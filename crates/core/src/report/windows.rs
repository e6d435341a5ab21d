//! Maintenance windows: when one holds, as spans of time (see `mod.rs`).
//! A window is once (two moments) or weekly (days, a local start time and
//! a length, in a named IANA time zone). A weekly window follows the
//! zone's clock: "Sundays 01:00–04:00 in Europe/Berlin" ends at 04:00 on
//! the wall even on the nights the clocks change, so it lasts two hours
//! of real time in spring and four in autumn. A start that the spring
//! change skips moves forward by the gap, as calendars do (jiff's
//! "compatible" rule); a window whose whole wall-clock span was skipped
//! keeps its length from there.
//!
//! The zone database is built in with the `tz` feature. The app, which
//! gets windows with their spans from the feed, does not carry it: there
//! the types and [`Window::covers`] work, and a weekly window's spans are
//! refused with a reason.

use super::spans::{merged, Span};
use serde::{Deserialize, Serialize};

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// When a window holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum When {
    /// Once, `from <= t < to` (ns since the epoch; RFC 3339 text too).
    Once {
        #[serde(deserialize_with = "moment")]
        from: i64,
        #[serde(deserialize_with = "moment")]
        to: i64,
    },
    /// Every week on `days`, from `start` (`HH:MM`, the zone's wall clock)
    /// for `minutes` of wall-clock time, in the IANA zone `zone`.
    Weekly { days: Vec<Day>, start: String, minutes: u32, zone: String },
}

/// A moment as ns since the epoch or as RFC 3339 text.
fn moment<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Moment {
        Ns(i64),
        Text(String),
    }
    match Moment::deserialize(d)? {
        Moment::Ns(ns) => Ok(ns),
        Moment::Text(t) => crate::Timestamp::parse_rfc3339(&t).map(|t| t.0).map_err(serde::de::Error::custom),
    }
}

/// The longest a weekly window lasts: a week (longer would overlap itself).
pub const MAX_WEEKLY_MINUTES: u32 = 7 * 24 * 60;

impl When {
    /// Why it is not a window, if it is not one: a reversed once, no days,
    /// a start that is not a time of day, a length of nothing or of more
    /// than a week, a zone that does not exist.
    pub fn check(&self) -> Result<(), String> {
        match self {
            When::Once { from, to } => (from < to).then_some(()).ok_or_else(|| "from: must be before to".into()),
            When::Weekly { days, start, minutes, zone } => {
                if days.is_empty() {
                    return Err("days: at least one".into());
                }
                clock(start)?;
                if *minutes == 0 || *minutes > MAX_WEEKLY_MINUTES {
                    return Err(format!("minutes: from 1 to {MAX_WEEKLY_MINUTES}"));
                }
                zone_of(zone).map(drop)
            }
        }
    }

    /// The spans it holds inside `range`, cut to it, merged.
    pub fn spans(&self, range: Span) -> Result<Vec<Span>, String> {
        self.check()?;
        match self {
            When::Once { from, to } => Ok(merged(vec![Span::new(*from, *to).clip(range)])),
            When::Weekly { days, start, minutes, zone } => {
                weekly(days, clock(start)?, *minutes, &zone_of(zone)?, range)
            }
        }
    }
}

/// `HH:MM` as hours and minutes.
fn clock(text: &str) -> Result<(i8, i8), String> {
    let bad = || format!("start: {text:?} is not a time of day (HH:MM)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    ((0..24).contains(&h) && (0..60).contains(&m) && text.len() == 5).then_some((h, m)).ok_or_else(bad)
}

/// The named zone.
#[cfg(feature = "tz")]
fn zone_of(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|_| format!("zone: {name:?} is not an IANA time zone"))
}

/// Without the zone database, no zone can be named.
#[cfg(not(feature = "tz"))]
fn zone_of(name: &str) -> Result<(), String> {
    Err(format!("zone: {name:?}: this build has no time zone database"))
}

#[cfg(feature = "tz")]
fn weekday(d: Day) -> jiff::civil::Weekday {
    use jiff::civil::Weekday as W;
    match d {
        Day::Mon => W::Monday,
        Day::Tue => W::Tuesday,
        Day::Wed => W::Wednesday,
        Day::Thu => W::Thursday,
        Day::Fri => W::Friday,
        Day::Sat => W::Saturday,
        Day::Sun => W::Sunday,
    }
}

#[cfg(not(feature = "tz"))]
fn weekly(_: &[Day], _: (i8, i8), _: u32, _: &(), _: Span) -> Result<Vec<Span>, String> {
    Err("no time zone database".into())
}

/// The weekly window's spans inside `range`: every chosen day from a week
/// before the range's first local day (a window that starts then may reach
/// into it) to its last.
#[cfg(feature = "tz")]
fn weekly(
    days: &[Day],
    (h, m): (i8, i8),
    minutes: u32,
    tz: &jiff::tz::TimeZone,
    range: Span,
) -> Result<Vec<Span>, String> {
    let err = |e: jiff::Error| e.to_string();
    let day_of = |ns: i64| -> Result<jiff::civil::Date, String> {
        let ts = jiff::Timestamp::from_nanosecond(i128::from(ns)).map_err(err)?;
        Ok(ts.to_zoned(tz.clone()).date())
    };
    let ns = |dt: jiff::civil::DateTime| -> Result<i64, String> {
        let z = dt.to_zoned(tz.clone()).map_err(err)?;
        i64::try_from(z.timestamp().as_nanosecond()).map_err(|e| e.to_string())
    };
    let wanted: Vec<jiff::civil::Weekday> = days.iter().map(|&d| weekday(d)).collect();
    let (first, last) = (day_of(range.from)?.checked_sub(jiff::Span::new().days(7)).map_err(err)?, day_of(range.to)?);
    let mut spans = Vec::new();
    let mut day = first;
    while day <= last {
        if wanted.contains(&day.weekday()) {
            let start = day.at(h, m, 0, 0);
            let end = start.checked_add(jiff::Span::new().minutes(i64::from(minutes))).map_err(err)?;
            let (from, mut to) = (ns(start)?, ns(end)?);
            // A start the spring change skipped moved forward past its end:
            // the window keeps its length from where it starts.
            if to <= from {
                to = from + i64::from(minutes) * 60_000_000_000;
            }
            spans.push(Span::new(from, to).clip(range));
        }
        day = day.tomorrow().map_err(err)?;
    }
    Ok(merged(spans))
}

/// What a window covers: nodes by id or name, links by id, or the nodes a
/// filter-language expression passes (a group is `attr=eu`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Nodes(Vec<String>),
    Links(Vec<String>),
    Filter(String),
}

/// A maintenance window: its name, when it holds and what it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub name: String,
    pub when: When,
    pub scope: Scope,
}

impl Window {
    /// Why it is not a window, if it is not one (see [`When::check`]; a
    /// scope that names nothing, or a filter that does not parse).
    pub fn check(&self) -> Result<(), String> {
        self.when.check()?;
        match &self.scope {
            Scope::Nodes(v) | Scope::Links(v) if v.is_empty() => Err("scope: names nothing".into()),
            Scope::Filter(text) => crate::filter::Filter::parse(text, &crate::filter::NODE_SCHEMA)
                .map(drop)
                .map_err(|e| format!("scope: filter {text:?}: {e}")),
            _ => Ok(()),
        }
    }

    /// The first time that it and `other` both hold over the same scope (a
    /// window made twice, which is refused; windows over different scopes
    /// may overlap, and a report counts maintenance once): over its own
    /// span if it is once, else from a day before `now` to a report's
    /// reach after it.
    pub fn overlap(&self, other: &Window, now: i64) -> Option<Span> {
        if !self.scope.same_as(&other.scope) {
            return None;
        }
        let range = match self.when {
            When::Once { from, to } => Span::new(from, to),
            When::Weekly { .. } => {
                Span::new(now.saturating_sub(86_400_000_000_000), now.saturating_add(super::MAX_RANGE_NS))
            }
        };
        let (a, b) = (self.when.spans(range).ok()?, other.when.spans(range).ok()?);
        a.iter().flat_map(|x| b.iter().map(move |y| x.clip(*y))).filter(|s| !s.is_empty()).min()
    }

    /// The subjects it covers among the network's nodes (see
    /// [`Scope::covers`]).
    pub fn covers(&self, rows: &[crate::store::NodeRow]) -> std::collections::BTreeSet<super::Subject> {
        self.scope.covers(rows)
    }
}

impl Scope {
    /// Whether it names the same things as `other` (the same nodes or
    /// links in any order, or the same filter).
    pub fn same_as(&self, other: &Scope) -> bool {
        fn set(v: &[String]) -> std::collections::BTreeSet<&str> {
            v.iter().map(|s| s.trim()).collect()
        }
        match (self, other) {
            (Scope::Nodes(a), Scope::Nodes(b)) | (Scope::Links(a), Scope::Links(b)) => set(a) == set(b),
            (Scope::Filter(a), Scope::Filter(b)) => a.trim() == b.trim(),
            _ => false,
        }
    }

    /// The subjects it covers among the network's nodes (`rows`, as the
    /// list view has them) and links: a name that matches nothing covers
    /// nothing.
    pub fn covers(&self, rows: &[crate::store::NodeRow]) -> std::collections::BTreeSet<super::Subject> {
        use super::Subject;
        let node = |row: &crate::store::NodeRow| match &row.node {
            crate::layout::NodeId::Router(id) => Subject::Router(id.clone()),
            crate::layout::NodeId::Controller(id) => Subject::Controller(id.clone()),
        };
        match self {
            Scope::Nodes(names) => {
                rows.iter().filter(|r| names.iter().any(|n| n == r.node.id() || *n == r.name)).map(node).collect()
            }
            Scope::Links(ids) => ids.iter().map(|id| Subject::Link(id.clone())).collect(),
            Scope::Filter(text) => match crate::filter::Filter::parse(text, &crate::filter::NODE_SCHEMA) {
                Ok(f) => rows.iter().filter(|r| f.matches(*r)).map(node).collect(),
                Err(_) => Default::default(),
            },
        }
    }
}

/// The maintenance each covered subject had inside `range`: the spans of
/// every window that covers it (resolved against `rows`).
pub fn maintenance(
    windows: &[Window],
    rows: &[crate::store::NodeRow],
    range: Span,
) -> std::collections::BTreeMap<super::Subject, Vec<Span>> {
    let mut out: std::collections::BTreeMap<super::Subject, Vec<Span>> = Default::default();
    for w in windows {
        // A window that does not check out was refused when it was made.
        let Ok(spans) = w.when.spans(range) else { continue };
        for s in w.covers(rows) {
            out.entry(s).or_default().extend(spans.iter().copied());
        }
    }
    out
}
