//! [`AlertEngine`]: one alert per dedupe key through pending → firing →
//! resolved, with acks, silences and a bounded board (see the module docs
//! of [`super`]).

use super::rules::{self, Condition};
use super::shared::{Answers, Maintenance, SharedAck};
use super::{Ack, Alert, AlertConfig, AlertCounts, AlertKey, AlertState, FeedHealth, Notice, Rule, NETWORK};
use crate::layout::NodeId;
use crate::store::Topology;
use crate::{Store, Timestamp};
use std::collections::BTreeMap;

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct AlertEngine {
    cfg: AlertConfig,
    alerts: BTreeMap<AlertKey, Alert>,
    /// The shared acks and silences (see the `ops` module).
    answers: Answers,
    /// What is in maintenance now (the caller works it out).
    maintenance: Maintenance,
    /// The newest leader seen, and the latest move: (from, to, at).
    leader: Option<String>,
    leader_moved: Option<(String, String, Timestamp)>,
}

impl AlertEngine {
    /// An engine with these thresholds.
    pub fn new(cfg: AlertConfig) -> Self {
        AlertEngine { cfg, ..Default::default() }
    }

    /// The thresholds in force.
    pub fn config(&self) -> &AlertConfig {
        &self.cfg
    }

    /// Replaces the thresholds (alerts already raised stay).
    pub fn set_config(&mut self, cfg: AlertConfig) {
        self.cfg = cfg;
    }

    /// Brings every alert up to date at `now`; returns what fired and
    /// what resolved since the last call. Calling it again with nothing
    /// changed returns nothing.
    pub fn evaluate(&mut self, store: &Store, t: &Topology, feed: Option<&FeedHealth>, now: Timestamp) -> Vec<Notice> {
        let holding = |rule: Rule| {
            let key = AlertKey { rule, subject: NETWORK.into() };
            self.alerts.get(&key).is_some_and(|a| a.state != AlertState::Resolved)
        };
        let mut conditions = rules::conditions(&self.cfg, store, t, feed, now, &holding);
        conditions.extend(self.leader_condition(store, now));
        let mut notices = Vec::new();
        let mut holding = std::collections::BTreeSet::new();
        for c in conditions {
            holding.insert(c.key.clone());
            self.hold(c, now, &mut notices);
        }
        for alert in self.alerts.values_mut().filter(|a| a.state != AlertState::Resolved) {
            if holding.contains(&alert.key) {
                continue;
            }
            // A pending alert that never fired this time goes back to what it
            // was: forgotten, or resolved as it had been.
            if alert.state == AlertState::Firing {
                notices.push(Notice::Resolved { key: alert.key.clone() });
                alert.resolved_at = Some(now);
            }
            alert.state = AlertState::Resolved;
        }
        self.alerts.retain(|_, a| a.count > 0 || a.state != AlertState::Resolved);
        for alert in self.alerts.values_mut().filter(|a| a.state != AlertState::Resolved) {
            shared(alert, &self.answers, &self.maintenance);
        }
        self.evict();
        notices
    }

    /// One condition that holds: opens an episode or continues it, and
    /// fires it once its hold time is over.
    fn hold(&mut self, c: Condition, now: Timestamp, notices: &mut Vec<Notice>) {
        let since = c.since.unwrap_or(now).min(now);
        let alert = self.alerts.entry(c.key.clone()).or_insert_with(|| Alert {
            key: c.key.clone(),
            severity: c.severity,
            state: AlertState::Resolved,
            node: None,
            message: String::new(),
            grouped: 0,
            since,
            first_seen: now,
            last_seen: now,
            fired_at: None,
            resolved_at: None,
            count: 0,
            ack: None,
            maintenance: None,
        });
        if alert.state == AlertState::Resolved {
            alert.state = AlertState::Pending;
            alert.since = since;
        }
        alert.severity = c.severity;
        alert.node = c.node;
        alert.message = c.message;
        alert.grouped = c.grouped;
        alert.last_seen = now;
        let held_ms = now.0.saturating_sub(alert.since.0) / 1_000_000;
        if alert.state == AlertState::Pending && held_ms >= c.hold_ms as i64 {
            alert.state = AlertState::Firing;
            alert.fired_at = Some(now);
            alert.count += 1;
            shared(alert, &self.answers, &self.maintenance);
            let silenced = self.answers.silence_for(&alert.key, now).is_some() || alert.maintenance.is_some();
            notices.push(Notice::Fired { key: alert.key.clone(), silenced });
        }
    }

    /// "Leader changed" holds for a while after the leader moves from one
    /// controller to another (a leaderless spell in between included).
    fn leader_condition(&mut self, store: &Store, now: Timestamp) -> Option<Condition> {
        if let Some(to) = store.cluster().leader_id() {
            match &self.leader {
                Some(from) if from != to => {
                    let at = store.cluster().leader.at().unwrap_or(now).min(now);
                    self.leader_moved = Some((from.clone(), to.to_owned(), at));
                    self.leader = Some(to.to_owned());
                }
                None => self.leader = Some(to.to_owned()),
                Some(_) => {}
            }
        }
        let (from, to, at) = self.leader_moved.as_ref()?;
        let until = at.0.saturating_add((self.cfg.leader_notice_ms as i64).saturating_mul(1_000_000));
        (now.0 < until).then(|| Condition {
            key: AlertKey { rule: Rule::LeaderChanged, subject: "cluster".into() },
            severity: Rule::LeaderChanged.severity(),
            node: Some(NodeId::Controller(to.clone())),
            message: format!("the cluster leader moved from {from} to {to}"),
            since: Some(*at),
            grouped: 0,
            hold_ms: 0,
        })
    }

    /// Keeps at most `max_alerts`: the resolved ones go first, oldest first.
    fn evict(&mut self) {
        let excess = self.alerts.len().saturating_sub(self.cfg.max_alerts.max(1));
        if excess == 0 {
            return;
        }
        let mut resolved: Vec<(Option<Timestamp>, AlertKey)> = (self.alerts.values())
            .filter(|a| a.state == AlertState::Resolved)
            .map(|a| (a.resolved_at, a.key.clone()))
            .collect();
        resolved.sort();
        for (_, key) in resolved.into_iter().take(excess) {
            self.alerts.remove(&key);
        }
    }

    /// The shared acks and silences from now on (the feed's newest word:
    /// it replaces the last).
    pub fn set_answers(&mut self, answers: Answers) {
        self.answers = answers;
        self.reshare();
    }

    /// What is in maintenance from now on (worked out by the caller from
    /// the windows: `ops::Ops::in_maintenance`).
    pub fn set_maintenance(&mut self, maintenance: Maintenance) {
        if maintenance != self.maintenance {
            self.maintenance = maintenance;
            self.reshare();
        }
    }

    /// Every open alert's ack and maintenance, as shared now.
    fn reshare(&mut self) {
        for alert in self.alerts.values_mut().filter(|a| a.state != AlertState::Resolved) {
            shared(alert, &self.answers, &self.maintenance);
        }
    }

    /// The shared acks and silences in force.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// What is in maintenance.
    pub fn maintenance(&self) -> &Maintenance {
        &self.maintenance
    }

    /// Whether an alert is silenced at `now`.
    pub fn is_silenced(&self, key: &AlertKey, now: Timestamp) -> bool {
        self.answers.silence_for(key, now).is_some()
    }

    /// One alert.
    pub fn get(&self, key: &AlertKey) -> Option<&Alert> {
        self.alerts.get(key)
    }

    /// The board: firing first, then pending, then resolved; worst first
    /// within each, then newest first. `query` (case-insensitive; empty:
    /// all) matches the rule, the subject, the message or the severity.
    pub fn board(&self, query: &str) -> Vec<&Alert> {
        let mut out: Vec<&Alert> = self.alerts.values().filter(|a| a.matches(query)).collect();
        let newest = |a: &Alert| std::cmp::Reverse(a.resolved_at.or(a.fired_at).unwrap_or(a.since));
        out.sort_by(|a, b| (a.state, a.severity, newest(a), &a.key).cmp(&(b.state, b.severity, newest(b), &b.key)));
        out
    }

    /// How many alerts are in each state, with silenced firing ones apart.
    pub fn counts(&self, now: Timestamp) -> AlertCounts {
        let mut c = AlertCounts::default();
        for a in self.alerts.values() {
            match a.state {
                AlertState::Firing if a.maintenance.is_some() => c.maintenance += 1,
                AlertState::Firing if self.is_silenced(&a.key, now) => c.silenced += 1,
                AlertState::Firing => c.firing += 1,
                AlertState::Pending => c.pending += 1,
                AlertState::Resolved => c.resolved += 1,
            }
        }
        c
    }

    /// How many alerts are kept.
    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }
}

/// An alert's ack and maintenance as the shared state says (an ack covers
/// the episode it was made in: see the `ops` module).
fn shared(alert: &mut Alert, answers: &Answers, maintenance: &Maintenance) {
    let ack = |a: &SharedAck| Ack { by: a.by.clone(), at: a.at, comment: a.comment.clone() };
    alert.ack = answers.ack_for(&alert.key, alert.since).map(ack);
    alert.maintenance = maintenance.of(alert).map(str::to_owned);
}

/// The alerts whose conditions held at `at` in `store`: a past state, for
/// time travel, with the acks and silences shared by then. A fresh
/// engine evaluates once, with no hold time (a condition that held then is
/// shown as firing then) and no feed health (the feed's link then is not
/// the question). Firing ones, worst first.
pub fn alerts_at(cfg: &AlertConfig, store: &Store, at: Timestamp, answers: &Answers) -> Vec<Alert> {
    let mut engine = AlertEngine::new(AlertConfig { hold_ms: 0, ..cfg.clone() });
    engine.set_answers(answers.as_of(at));
    let topology = store.topology(at);
    engine.evaluate(store, &topology, None, at);
    engine.board("").into_iter().filter(|a| a.state == AlertState::Firing).cloned().collect()
}
