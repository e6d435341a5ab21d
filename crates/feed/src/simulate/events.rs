//! Event bodies in the shapes the real controller's events normalise to,
//! for the simulator.

use zitiscope_core::event::{
    Body, ClusterChange, ClusterEventType, EntityChange, EntityEvent, LatencyOf, LatencySample, LinkChange,
    LinkEventType, Peer,
};

/// A `link.latency` sample measured by `source`, in ms.
pub fn latency(link: &str, source: &str, mean_ms: f64, jitter_ms: f64) -> Body {
    let ns = |ms: f64| (ms * 1e6) as i64;
    Body::Latency(LatencySample {
        of: LatencyOf::Link,
        target: link.to_owned(),
        source: source.to_owned(),
        mean_ns: ns(mean_ms),
        p50_ns: Some(ns(mean_ms)),
        p99_ns: Some(ns(mean_ms + 2.33 * jitter_ms)),
        std_dev_ns: Some(ns(jitter_ms)),
        unresponsive: false,
    })
}

/// A `link` event between two routers.
pub fn link(id: &str, event: LinkEventType, src: &str, dst: &str) -> Body {
    Body::Link(LinkChange {
        link: id.to_owned(),
        event,
        src: Some(src.to_owned()),
        dst: Some(dst.to_owned()),
        protocol: Some("tls".into()),
        cost: Some(1),
        connections: Some(1),
    })
}

/// Cluster member `id`, the `i`-th controller.
pub fn peer(id: &str, i: usize) -> Peer {
    Peer { id: id.to_owned(), addr: Some(format!("tls:10.0.0.{}:6262", 10 + i)), version: Some("v1.6.20".into()) }
}

/// A `cluster` event.
pub fn cluster(event: ClusterEventType, peers: Vec<Peer>, leader: Option<String>, index: Option<u64>) -> Body {
    Body::Cluster(ClusterChange { event, peers, leader, index })
}

/// An `entityChange` as staged inside the controller's transaction: the
/// entity as it is now (as it was, for a deletion).
pub fn staged(change: EntityChange) -> Body {
    Body::Entity(EntityEvent::Staged(change))
}

/// The `committed` event that makes the staged change `change` hold.
pub fn committed(change: &str) -> Body {
    Body::Entity(EntityEvent::Committed { change: change.to_owned() })
}
