//! The controller cluster: members, leader, read-only mode and quorum.
//!
//! Peer connections themselves are ctrl-to-ctrl connections in the
//! connection table; this module holds what only `cluster` events say.
//! Each fact keeps the time it was learnt, and a newer fact wins, so the
//! outcome does not depend on arrival order.

use crate::event::{ClusterChange, ClusterEventType as T, Peer};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// The newest membership list: (raft index, time, member ids).
    pub members: Option<(u64, Timestamp, BTreeSet<String>)>,
    /// The newest leadership fact: (time, leader or none).
    pub leader: Option<(Timestamp, Option<String>)>,
    /// The newest read-only fact: (time, read-only?).
    pub read_only: Option<(Timestamp, bool)>,
    /// Controllers that dialled in without being members.
    pub rejected: BTreeSet<String>,
    /// The newest version each controller reported: (time, version).
    pub versions: BTreeMap<String, (Timestamp, String)>,
}

impl Cluster {
    /// Applies a cluster event reported by `via` at `at`. Returns what
    /// changed in words the store turns into [`crate::store::Change`]s.
    pub(crate) fn apply(&mut self, at: Timestamp, via: Option<&str>, c: &ClusterChange) -> ClusterDelta {
        let mut delta = ClusterDelta::default();
        for p in &c.peers {
            self.note_version(at, p);
        }
        match c.event {
            T::MembersChanged => {
                let index = c.index.unwrap_or(0);
                let ids: BTreeSet<String> = c.peers.iter().map(|p| p.id.clone()).collect();
                let newer = self.members.as_ref().is_none_or(|(i, t, _)| (index, at) > (*i, *t));
                if newer {
                    let changed = self.members.as_ref().is_none_or(|(_, _, old)| *old != ids);
                    if changed {
                        delta.members = Some(ids.len());
                    }
                    self.members = Some((index, at, ids));
                }
            }
            T::HasLeader => delta.leader = self.set_leader(at, c.leader.clone()),
            T::LeadershipGained => delta.leader = self.set_leader(at, via.map(str::to_owned)),
            T::IsLeaderless => delta.leader = self.set_leader(at, None),
            T::LeadershipLost => {
                // Only "this controller is no longer leader"; who leads next
                // arrives as has_leader.
                if self.leader_id().is_some_and(|l| Some(l) == via) {
                    delta.leader = self.set_leader(at, None);
                }
            }
            T::ReadOnly | T::ReadWrite => {
                let ro = c.event == T::ReadOnly;
                if self.read_only.as_ref().is_none_or(|(t, _)| at >= *t) {
                    if self.read_only.as_ref().is_none_or(|(_, old)| *old != ro) {
                        delta.read_only = Some(ro);
                    }
                    self.read_only = Some((at, ro));
                }
            }
            T::PeerNotMember => {
                for p in &c.peers {
                    self.rejected.insert(p.id.clone());
                }
            }
            // Peer connections live in the connection table.
            T::PeerConnected | T::PeerDisconnected => {}
        }
        delta
    }

    fn note_version(&mut self, at: Timestamp, p: &Peer) {
        if let Some(v) = &p.version {
            let newer = self.versions.get(&p.id).is_none_or(|(t, _)| at >= *t);
            if newer {
                self.versions.insert(p.id.clone(), (at, v.clone()));
            }
        }
    }

    fn set_leader(&mut self, at: Timestamp, leader: Option<String>) -> Option<Option<String>> {
        match &self.leader {
            Some((t, _)) if at < *t => None,
            Some((t, old)) if at == *t && old.is_none() => None, // leaderless wins a tie
            old => {
                let changed = old.as_ref().is_none_or(|(_, l)| *l != leader);
                self.leader = Some((at, leader.clone()));
                changed.then_some(leader)
            }
        }
    }

    /// The current leader, if any.
    pub fn leader_id(&self) -> Option<&str> {
        self.leader.as_ref().and_then(|(_, l)| l.as_deref())
    }

    /// The member ids, when a membership list has been seen.
    pub fn member_ids(&self) -> Option<&BTreeSet<String>> {
        self.members.as_ref().map(|(_, _, m)| m)
    }

    /// Whether the cluster is read-only (members' versions differ).
    pub fn is_read_only(&self) -> bool {
        self.read_only.as_ref().is_some_and(|(_, ro)| *ro)
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
