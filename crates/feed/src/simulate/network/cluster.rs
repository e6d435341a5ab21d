//! The controller cluster's part of the model: peer blips, a controller
//! cut off and rejoining, leadership moving, and the `cluster` events that
//! say so.

use super::super::events;
use super::Network;
use rand::Rng;
use zitiscope_core::event::ClusterEventType as C;
use zitiscope_core::{Event, Timestamp};

impl Network {
    pub(super) fn peer_blip(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let n = self.ctrls.len();
        let a = self.rng.random_range(0..n);
        let b = (a + 1 + self.rng.random_range(0..n - 1)) % n;
        let (a, b) = (a.min(b), a.max(b));
        if self.peers_down.iter().any(|p| (p.0, p.1) == (a, b)) {
            return;
        }
        self.peers_down.push((a, b, self.clock + self.rng.random_range(3.0..10.0)));
        out.push(self.peer_event(now, a, b, false));
    }

    /// Controller `c` is cut off from every peer; each peer reports it
    /// gone, and if it led, it says it lost leadership.
    pub(super) fn isolate(&mut self, now: Timestamp, c: usize, out: &mut Vec<Event>) {
        self.isolated = Some(c);
        for o in (0..self.ctrls.len()).filter(|&o| o != c) {
            out.push(self.peer_event(now, c.min(o), c.max(o), false));
            let peer = self.peer(c);
            out.push(self.cluster(now, o, C::PeerDisconnected, vec![peer]));
        }
        if self.leader == c {
            out.push(self.cluster(now, c, C::LeadershipLost, Vec::new()));
        }
    }

    /// Leadership moves to `c`; the others (except an isolated one) see it.
    pub(super) fn lead(&mut self, now: Timestamp, c: usize, out: &mut Vec<Event>) {
        self.leader = c;
        self.raft_index += 1;
        out.push(self.cluster(now, c, C::LeadershipGained, Vec::new()));
        let isolated = self.isolated;
        for o in (0..self.ctrls.len()).filter(|&o| o != c && Some(o) != isolated) {
            out.push(self.has_leader(now, o));
        }
    }

    /// Controller `c` rejoins its peers and follows the current leader.
    pub(super) fn rejoin(&mut self, now: Timestamp, c: usize, out: &mut Vec<Event>) {
        self.isolated = None;
        for o in (0..self.ctrls.len()).filter(|&o| o != c) {
            out.push(self.peer_event(now, c.min(o), c.max(o), true));
            let peer = self.peer(c);
            out.push(self.cluster(now, o, C::PeerConnected, vec![peer]));
        }
        out.push(self.has_leader(now, c));
    }

    pub(super) fn peer(&self, c: usize) -> zitiscope_core::event::Peer {
        events::peer(&self.ctrls[c], c)
    }

    pub(super) fn all_ctrls(&self) -> Vec<zitiscope_core::event::Peer> {
        (0..self.ctrls.len()).map(|c| self.peer(c)).collect()
    }

    pub(super) fn has_leader(&mut self, now: Timestamp, via: usize) -> Event {
        let leader = self.ctrls[self.leader].clone();
        let body = events::cluster(C::HasLeader, Vec::new(), Some(leader), Some(self.raft_index));
        let via = self.ctrls[via].clone();
        self.stamp(now, body, via)
    }

    pub(super) fn cluster(
        &mut self,
        now: Timestamp,
        via: usize,
        event: C,
        peers: Vec<zitiscope_core::event::Peer>,
    ) -> Event {
        let body = events::cluster(event, peers, None, Some(self.raft_index));
        let via = self.ctrls[via].clone();
        self.stamp(now, body, via)
    }
}
