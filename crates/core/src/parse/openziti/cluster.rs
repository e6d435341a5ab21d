//! `cluster` (camelCase keys): peers connecting and disconnecting,
//! membership, leadership and the read-only state.

use super::{event_type, optional, some};
use crate::event::{Body, ClusterChange, ClusterEventType as T, Peer};
use crate::parse::raw::RawEvent;
use crate::parse::{bounded, ParseError};

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let event = match event_type("eventType", raw)? {
        "peer.connected" => T::PeerConnected,
        "peer.disconnected" => T::PeerDisconnected,
        "peer.not_member" => T::PeerNotMember,
        "members.changed" => T::MembersChanged,
        "leadership.gained" => T::LeadershipGained,
        "leadership.lost" => T::LeadershipLost,
        "state.has_leader" => T::HasLeader,
        "state.is_leaderless" => T::IsLeaderless,
        "state.ro" => T::ReadOnly,
        "state.rw" => T::ReadWrite,
        _ => return Ok(None),
    };
    let mut peers = Vec::new();
    for p in raw.peers.iter().flatten() {
        let Some(id) = p.id.as_deref().filter(|id| !id.is_empty()) else { continue };
        peers.push(Peer {
            id: bounded("peers.id", id)?.to_owned(),
            addr: optional("peers.addr", &p.addr)?,
            version: optional("peers.version", &p.version)?,
        });
    }
    let needs_peer = matches!(event, T::PeerConnected | T::PeerDisconnected | T::PeerNotMember | T::MembersChanged);
    if needs_peer && peers.is_empty() {
        return Err(ParseError::new("peers", "has no peer with an id"));
    }
    let leader = optional("leaderId", &raw.leader_id)?;
    if event == T::HasLeader && leader.is_none() {
        return Err(ParseError::missing("leaderId"));
    }
    some(Body::Cluster(ClusterChange { event, peers, leader, index: raw.index }))
}
