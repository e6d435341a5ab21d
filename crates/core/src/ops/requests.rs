//! What an operator asks the feed to keep (`POST /acks`, `POST /silences`),
//! and the checks every request passes before anything is stored: the
//! alert's subject exists, the names and comments are plain text of a
//! sane length, a silence covers something for a bounded time.

use crate::alerts::{AlertKey, Rule, Silence, NETWORK};
use crate::layout::NodeId;
use crate::{Store, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest operator name, in characters.
pub const BY_CAP: usize = 100;
/// The longest comment, in characters.
pub const COMMENT_CAP: usize = 1_000;
/// The longest silence: a week (longer is a maintenance window's job).
pub const MAX_SILENCE_MINUTES: u32 = 7 * 24 * 60;

/// `POST /acks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    pub rule: Rule,
    pub subject: String,
    pub by: String,
    #[serde(default)]
    pub comment: String,
}

impl AckRequest {
    /// The alert it is about.
    pub fn key(&self) -> AlertKey {
        AlertKey { rule: self.rule, subject: self.subject.clone() }
    }

    /// Why it cannot be kept, if it cannot (see [`subject_known`] for
    /// `known`).
    pub fn check(&self, known: bool) -> Result<(), String> {
        check_text("by", &self.by, BY_CAP, false)?;
        check_text("comment", &self.comment, COMMENT_CAP, true)?;
        if !known {
            return Err(format!("subject: no {} alert can be about {:?}", self.rule.as_str(), self.subject));
        }
        Ok(())
    }
}

/// `POST /silences`: what to mute (a rule, a subject, or both) for how
/// many minutes from now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceRequest {
    #[serde(default)]
    pub rule: Option<Rule>,
    #[serde(default)]
    pub subject: Option<String>,
    pub minutes: u32,
    pub by: String,
    #[serde(default)]
    pub comment: String,
}

impl SilenceRequest {
    /// Why it cannot be kept: it covers nothing, for no time or for more
    /// than a week, a subject that `known` says does not exist, or bad text.
    pub fn check(&self, known: impl Fn(&AlertKey) -> bool) -> Result<(), String> {
        check_text("by", &self.by, BY_CAP, false)?;
        check_text("comment", &self.comment, COMMENT_CAP, true)?;
        if self.minutes == 0 || self.minutes > MAX_SILENCE_MINUTES {
            return Err(format!("minutes: from 1 to {MAX_SILENCE_MINUTES}"));
        }
        match (&self.rule, &self.subject) {
            (None, None) => Err("a silence needs a rule, a subject or both".into()),
            (_, Some(subject)) => {
                let rules = self.rule.as_ref().map_or(&Rule::ALL[..], std::slice::from_ref);
                let any = rules.iter().any(|&rule| known(&AlertKey { rule, subject: subject.clone() }));
                any.then_some(()).ok_or_else(|| format!("subject: no alert can be about {subject:?}"))
            }
            (Some(_), None) => Ok(()),
        }
    }

    /// The silence, starting at `now`.
    pub fn silence(&self, now: Timestamp) -> Silence {
        let until = Timestamp(now.0.saturating_add(i64::from(self.minutes) * 60_000_000_000));
        Silence { rule: self.rule, subject: self.subject.clone(), until }
    }
}

/// Why `text` is not fit for `field`: empty (unless `optional`), longer
/// than `cap` characters, or holding control characters (a comment may
/// hold line breaks).
pub fn check_text(field: &str, text: &str, cap: usize, optional: bool) -> Result<(), String> {
    if !optional && text.trim().is_empty() {
        return Err(format!("{field}: must not be empty"));
    }
    if text.chars().count() > cap {
        return Err(format!("{field}: at most {cap} characters"));
    }
    if text.chars().any(|c| c.is_control() && !(optional && c == '\n')) {
        return Err(format!("{field}: control characters are not allowed"));
    }
    Ok(())
}

/// Whether an alert about `key` can exist in `store` at `now`: its subject
/// is what its rule is about (a router, a pair of controllers, a link, the
/// cluster, the feed, one of the feed's `sources`, or the whole network).
pub fn subject_known(key: &AlertKey, store: &Store, now: Timestamp, sources: &[String]) -> bool {
    let s = key.subject.as_str();
    let topology = || store.topology(now);
    let router = |id: &str| topology().row(&NodeId::Router(id.to_owned())).is_some();
    let controller = |id: &str| topology().row(&NodeId::Controller(id.to_owned())).is_some();
    match key.rule {
        Rule::RouterDown | Rule::RouterFlapping => router(s),
        Rule::IdentitiesFlapping | Rule::MassDisconnect => s == NETWORK || router(s),
        Rule::PeerDown => s.split_once(" ↔ ").is_some_and(|(a, b)| controller(a) && controller(b)),
        Rule::QuorumLost | Rule::LeaderChanged => s == "cluster",
        Rule::LinkDown | Rule::LinkLatency => store.links().any(|(id, _)| id == s),
        Rule::FeedStale | Rule::FeedDisconnected => s == "feed",
        Rule::SourceDown => sources.iter().any(|n| n == s),
    }
}
