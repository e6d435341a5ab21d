//! The wall's playlist (issue 21): saved views that the wall rotates
//! through, and that stops on a new critical alert.
//!
//! The invariant: an unattended wall never rotates away from a critical
//! problem nobody has answered. The rules:
//! - a **view** is a page query (`view=list&filter=attr%3Deu`), kept as
//!   the page wrote it; a playlist is at most [`MAX_VIEWS`] of them, `|`
//!   between (a `|` inside a value is written `%7C`), shown for
//!   [`Playlist::every_ms`] each, in order, round and round;
//! - a critical alert is **new** when it fires unanswered (not acked,
//!   silenced or in maintenance) after the rotation started; one that was
//!   already firing then is not (the wall was put up with it on), until it
//!   resolves and fires again;
//! - on a new critical, the rotation **holds** on the first view that
//!   shows its node ([`view_holds`]; the one shown if none does) until it
//!   is answered or resolved; then it stays there for a whole period and
//!   goes on from there.

use crate::alerts::{Alert, AlertKey, AlertState, Severity};
use crate::store::NodeRow;
use std::collections::BTreeSet;

/// The most views a playlist holds.
pub const MAX_VIEWS: usize = 20;
/// How long each view shows when the playlist does not say (s).
pub const DEFAULT_EVERY_S: u32 = 30;
/// The shortest period allowed (s): a wall that flickers is read by nobody.
pub const MIN_EVERY_S: u32 = 5;

/// The views and the period.
#[derive(Clone, Debug, PartialEq)]
pub struct Playlist {
    pub views: Vec<String>,
    pub every_ms: f64,
}

impl Playlist {
    /// From the page's `?playlist=` (views, `|` between) and `?every=`
    /// (seconds); why not, for no view, too many, or a bad period.
    pub fn parse(views: &str, every: Option<&str>) -> Result<Playlist, String> {
        let views: Vec<String> = views
            .split('|')
            .map(str::trim)
            .map(|v| v.trim_start_matches('?'))
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect();
        if views.is_empty() {
            return Err("playlist: no view".into());
        }
        if views.len() > MAX_VIEWS {
            return Err(format!("playlist: at most {MAX_VIEWS} views"));
        }
        let every = match every.map(str::trim).filter(|e| !e.is_empty()) {
            None => DEFAULT_EVERY_S,
            Some(e) => match e.trim_end_matches('s').parse::<u32>() {
                Ok(s) if (MIN_EVERY_S..=86_400).contains(&s) => s,
                _ => return Err(format!("every: {e:?} is not a number of seconds from {MIN_EVERY_S}")),
            },
        };
        Ok(Playlist { views, every_ms: f64::from(every) * 1_000.0 })
    }
}

/// Whether a view (its query's pairs) shows an alert's node (`row`; `None`
/// for an alert about no node, or a node the network no longer lists):
/// the map and the list do, unless their filter (`find=` for the map,
/// `filter=` for the list) leaves the node out; the other views (the
/// change and event logs, analysis, reports, maintenance) show no node.
pub fn view_holds(pairs: &[(String, String)], row: Option<&NodeRow>) -> bool {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let filter = match get("view").unwrap_or("map") {
        "map" | "" => get("find"),
        "list" => get("filter"),
        _ => return false,
    };
    match (filter.filter(|f| !f.trim().is_empty()), row) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(f), Some(row)) => {
            crate::filter::Filter::parse(f, &crate::filter::NODE_SCHEMA).is_ok_and(|f| f.matches(row))
        }
    }
}

/// Where the rotation is (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Rotation {
    /// The view shown.
    pub index: usize,
    /// When it was shown, or the hold ended (ms).
    since_ms: f64,
    /// The new critical alert it holds for.
    held: Option<AlertKey>,
    /// Unanswered criticals that were firing when it started (not new).
    old: Option<BTreeSet<AlertKey>>,
}

impl Rotation {
    /// At the first view, from `now_ms`.
    pub fn new(now_ms: f64) -> Rotation {
        Rotation { index: 0, since_ms: now_ms, held: None, old: None }
    }

    /// The alert it holds for, if any.
    pub fn held(&self) -> Option<&AlertKey> {
        self.held.as_ref()
    }

    /// How long until the next view (ms); `None` while it holds.
    pub fn next_in(&self, p: &Playlist, now_ms: f64) -> Option<f64> {
        self.held.is_none().then(|| (self.since_ms + p.every_ms - now_ms).max(0.0))
    }

    /// Brings it up to `now_ms` over the alert `board` (`silenced` says
    /// which a silence covers; `holds(i, alert)` whether view `i` shows
    /// it); returns the view to show when it changes.
    pub fn tick(
        &mut self,
        p: &Playlist,
        now_ms: f64,
        board: &[Alert],
        silenced: impl Fn(&AlertKey) -> bool,
        holds: impl Fn(usize, &Alert) -> bool,
    ) -> Option<usize> {
        let unanswered: Vec<&Alert> = (board.iter())
            .filter(|a| a.state == AlertState::Firing && a.severity == Severity::Critical)
            .filter(|a| a.ack.is_none() && a.maintenance.is_none() && !silenced(&a.key))
            .collect();
        let old = self.old.get_or_insert_with(|| unanswered.iter().map(|a| a.key.clone()).collect());
        // One that resolved (or was answered) fires anew next time.
        old.retain(|k| unanswered.iter().any(|a| a.key == *k));
        if let Some(key) = &self.held {
            if unanswered.iter().any(|a| a.key == *key) {
                return None;
            }
            self.held = None;
            self.since_ms = now_ms;
        }
        let new = unanswered.iter().filter(|a| !old.contains(&a.key)).max_by_key(|a| (a.fired_at, &a.key));
        if let Some(alert) = new {
            self.held = Some(alert.key.clone());
            let at = (0..p.views.len()).find(|&i| holds(i, alert)).unwrap_or(self.index);
            return self.show(at, now_ms);
        }
        if now_ms - self.since_ms >= p.every_ms {
            return self.show((self.index + 1) % p.views.len().max(1), now_ms);
        }
        None
    }

    fn show(&mut self, index: usize, now_ms: f64) -> Option<usize> {
        self.since_ms = now_ms;
        let changed = index != self.index;
        self.index = index;
        changed.then_some(index)
    }
}

#[cfg(test)]
mod tests;
