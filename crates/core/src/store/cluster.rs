//! The controller cluster: members, leader, read-only mode and quorum.
//!
//! Peer connections themselves are ctrl-to-ctrl connections in the
//! connection table; this module holds what only `cluster` events say.
//! Each fact keeps the time it was learnt, and a newer fact wins, so the
//! outcome does not depend on arrival order.

use super::latest::Latest;
use crate::event::{ClusterChange, ClusterEventType as T};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// The newest membership list: (raft index, time, member ids). A higher
    /// index wins, then a newer time.
    pub members: Option<(u64, Timestamp, BTreeSet<String>)>,
    /// The newest leadership fact: `(true, "")` for leaderless, `(false, id)`
    /// for a leader. At an equal time leaderless wins (it sorts last).
    pub leader: Latest<(bool, String)>,
    /// When each controller last said it lost leadership.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lost: BTreeMap<String, Timestamp>,
    /// The newest read-only fact (read-only wins a tie).
    pub read_only: Latest<bool>,
    /// Controllers that dialled in without being members.
    pub rejected: BTreeSet<String>,
    /// The newest version each controller reported.
    pub versions: BTreeMap<String, Latest<String>>,
}

impl Cluster {
    /// Applies a cluster event reported by `via` at `at`, and says what
    /// changed, which the store turns into [`crate::store::Change`]s.
    pub(crate) fn apply(&mut self, at: Timestamp, via: Option<&str>, c: &ClusterChange) -> ClusterDelta {
        let mut delta = ClusterDelta::default();
        let leader_before = self.leader_id().map(str::to_owned);
        let ro_before = self.is_read_only();
        for p in &c.peers {
            if let Some(v) = &p.version {
                self.versions.entry(p.id.clone()).or_default().offer(at, v);
            }
        }
        match c.event {
            T::MembersChanged => {
                let index = c.index.unwrap_or(0);
                let ids: BTreeSet<String> = c.peers.iter().map(|p| p.id.clone()).collect();
                let newer = self.members.as_ref().is_none_or(|(i, t, m)| (index, at, &ids) > (*i, *t, m));
                if newer {
                    if self.members.as_ref().is_none_or(|(_, _, old)| *old != ids) {
                        delta.members = Some(ids.len());
                    }
                    self.members = Some((index, at, ids));
                }
            }
            T::HasLeader => {
                if let Some(l) = &c.leader {
                    self.leader.offer(at, &(false, l.clone()));
                }
            }
            T::LeadershipGained => {
                if let Some(v) = via {
                    self.leader.offer(at, &(false, v.to_owned()));
                }
            }
            T::IsLeaderless => {
                self.leader.offer(at, &(true, String::new()));
            }
            // Only "this controller no longer leads"; who leads next arrives
            // as has_leader. Kept per controller and applied when read, so
            // it works whichever arrives first.
            T::LeadershipLost => {
                if let Some(v) = via {
                    let t = self.lost.entry(v.to_owned()).or_insert(at);
                    *t = (*t).max(at);
                }
            }
            T::ReadOnly | T::ReadWrite => {
                self.read_only.offer(at, &(c.event == T::ReadOnly));
            }
            T::PeerNotMember => self.rejected.extend(c.peers.iter().map(|p| p.id.clone())),
            // Peer connections live in the connection table.
            T::PeerConnected | T::PeerDisconnected => {}
        }
        let leader_after = self.leader_id().map(str::to_owned);
        if leader_after != leader_before {
            delta.leader = Some(leader_after);
        }
        if self.is_read_only() != ro_before {
            delta.read_only = Some(self.is_read_only());
        }
        delta
    }

    /// The current leader, if any: the newest leadership fact, unless that
    /// controller has since said it lost leadership.
    pub fn leader_id(&self) -> Option<&str> {
        let (leaderless, id) = self.leader.get()?;
        let since = self.leader.at()?;
        let lost_after = self.lost.get(id).is_some_and(|t| *t >= since);
        (!leaderless && !lost_after).then_some(id.as_str())
    }

    /// The member ids, when a membership list has been seen.
    pub fn member_ids(&self) -> Option<&BTreeSet<String>> {
        self.members.as_ref().map(|(_, _, m)| m)
    }

    /// Whether the cluster is read-only (members' versions differ).
    pub fn is_read_only(&self) -> bool {
        self.read_only.get().copied().unwrap_or(false)
    }

    /// The newest version a controller reported.
    pub fn version(&self, id: &str) -> Option<&str> {
        self.versions.get(id).and_then(Latest::get).map(String::as_str)
    }

    /// Whether quorum holds: a leader exists, and the members it reaches
    /// through connected peer links, itself included, are a majority.
    /// `connected` lists the connected peer pairs.
    pub fn quorum<'a>(&self, connected: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        let (Some(leader), Some(members)) = (self.leader_id(), self.member_ids()) else { return false };
        let edges: Vec<(&str, &str)> = connected.collect();
        let mut reached: BTreeSet<&str> = BTreeSet::from([leader]);
        loop {
            let before = reached.len();
            for &(a, b) in &edges {
                if reached.contains(a) {
                    reached.insert(b);
                }
                if reached.contains(b) {
                    reached.insert(a);
                }
            }
            if reached.len() == before {
                break;
            }
        }
        let reached_members = members.iter().filter(|m| reached.contains(m.as_str())).count();
        reached_members * 2 > members.len()
    }
}

/// What one cluster event changed.
#[derive(Default)]
pub(crate) struct ClusterDelta {
    pub leader: Option<Option<String>>,
    pub members: Option<usize>,
    pub read_only: Option<bool>,
}
