//! The rules: which alert conditions hold now, read from the store, its
//! topology and the feed's health (its sources' too). A condition is a fact about the
//! present ("edge-eu-3 holds no controller"), never a reaction to an event,
//! so a replayed or duplicated event, which leaves the store as it was,
//! can never fire anything twice.
//!
//! Root causes fold their effects in: a router that is down carries the
//! identity connections and links that went with it, so they raise no
//! alerts of their own, and a flapping router carries its flapping
//! identities.

use super::{AlertConfig, AlertKey, FeedHealth, Rule, Severity, NETWORK};
use crate::layout::NodeId;
use crate::store::alerting::router_of;
use crate::store::{EdgeKind, Health, Topology};
use crate::{ConnKey, ConnKind, EntityType, Store, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

/// One alert condition that holds now.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub key: AlertKey,
    pub severity: Severity,
    /// The map node to select for it.
    pub node: Option<NodeId>,
    pub message: String,
    /// When it started, if the store knows (else: when first seen).
    pub since: Option<Timestamp>,
    /// Effects folded into it (identities dropped with a router, …).
    pub grouped: u32,
    /// How long it must hold before its alert fires.
    pub hold_ms: u64,
}

const MS: i64 = 1_000_000;

/// Routers with a mass disconnect (or flapping identities) at once beyond
/// which they are one network-wide alert.
pub const MASS_ROUTERS: usize = 3;

fn ago(now: Timestamp, ms: u64) -> Timestamp {
    Timestamp(now.0.saturating_sub((ms as i64).saturating_mul(MS)))
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every condition that holds at `now` (see the module docs). `feed` is
/// `None` where there is no feed to watch (the feed itself). `wide` says
/// which rules' network-wide alert holds already: while it does, every
/// router it covers stays in it, so an incident that shrinks below the
/// threshold is not told again router by router.
pub fn conditions(
    cfg: &AlertConfig,
    store: &Store,
    t: &Topology,
    feed: Option<&FeedHealth>,
    now: Timestamp,
    wide: &dyn Fn(Rule) -> bool,
) -> Vec<Condition> {
    let mut out = Vec::new();
    let hold = cfg.hold_ms;
    let mut push = |rule: Rule, subject: String, node: Option<NodeId>, message: String, since, grouped| {
        out.push(Condition {
            key: AlertKey { rule, subject },
            severity: rule.severity(),
            node,
            message,
            since,
            grouped,
            hold_ms: hold,
        })
    };

    // What a person reads is a router's or an identity's name (the id
    // stays the alert's subject, so a rename keeps the alert).
    let router_name = |id: &str| store.display_name(EntityType::Router, id).to_owned();
    let identity_name = |id: &str| store.display_name(EntityType::Identity, id).to_owned();

    // Routers down, with what went down with them.
    let down: BTreeSet<&str> = t.routers.iter().filter(|r| r.health == Health::Down).map(|r| r.id.as_str()).collect();
    for id in &down {
        let since = store.router_down_since(id);
        let dropped = since.map_or(0, |s| store.drops_at(id, ago(s, cfg.group_slack_ms)));
        let links = (t.edges.iter())
            .filter(|e| e.kind == EdgeKind::Link && !e.up && (e.a.id() == *id || e.b.id() == *id))
            .count() as u32;
        let name = router_name(id);
        let mut message = format!("{name} lost its controllers; {} dropped", plural(dropped, "identity", "identities"));
        if links > 0 {
            message.push_str(&format!(", {} down", plural(links, "link", "links")));
        }
        push(Rule::RouterDown, id.to_string(), Some(NodeId::Router(id.to_string())), message, since, dropped + links);
    }

    // Cluster peers, quorum.
    for e in t.edges.iter().filter(|e| e.kind == EdgeKind::Peer && !e.up) {
        let (a, b) = (e.a.id(), e.b.id());
        let since = store.get(&ConnKey::new(ConnKind::CtrlToCtrl, a, b)).map(|c| c.life.folded().since);
        let message = format!("cluster peers {a} and {b} are disconnected");
        push(Rule::PeerDown, format!("{a} ↔ {b}"), Some(e.a.clone()), message, since, 0);
    }
    if store.cluster().member_ids().is_some() && !store.quorum() {
        let leader = store.cluster().leader_id().map_or_else(|| "no leader".to_string(), |l| format!("leader {l}"));
        let message = format!("the controller cluster has lost quorum ({leader})");
        push(Rule::QuorumLost, "cluster".into(), None, message, None, 0);
    }

    // Flapping: routers' control channels, and identities grouped by router
    // (a router that flaps, or is down, carries its identities').
    let mut routers_flapping: BTreeMap<String, u32> = BTreeMap::new();
    let mut identities_flapping: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in store.flapping(ago(now, cfg.flap_window_ms), cfg.flap_threshold) {
        let Some(NodeId::Router(router)) = router_of(&key) else { continue };
        match key.kind {
            ConnKind::RouterToCtrl => *routers_flapping.entry(router).or_default() += 1,
            _ => identities_flapping.entry(router).or_default().push(key.src),
        }
    }
    for (router, channels) in &routers_flapping {
        let ids = identities_flapping.remove(router).map_or(0, |v| v.len() as u32);
        let mut message = format!(
            "{} is flapping ({} changing state)",
            router_name(router),
            plural(*channels, "control channel", "control channels")
        );
        if ids > 0 {
            message.push_str(&format!("; {} flapping with it", plural(ids, "identity", "identities")));
        }
        push(Rule::RouterFlapping, router.clone(), Some(NodeId::Router(router.clone())), message, None, ids);
    }
    identities_flapping.retain(|router, _| !down.contains(router.as_str()));
    let wide_flapping = wide(Rule::IdentitiesFlapping) && !identities_flapping.is_empty();
    if identities_flapping.len() > MASS_ROUTERS || wide_flapping {
        // Many routers at once: one network-wide alert, like a mass disconnect.
        let total: u32 = identities_flapping.values().map(|v| v.len() as u32).sum();
        let n = identities_flapping.len();
        let message = format!("{} flapping at {n} routers", plural(total, "identity", "identities"));
        push(Rule::IdentitiesFlapping, NETWORK.into(), None, message, None, total);
    } else {
        for (router, ids) in identities_flapping {
            let names: Vec<String> = ids.iter().take(3).map(|i| identity_name(i)).collect();
            let more = if ids.len() > 3 { ", …" } else { "" };
            let n = ids.len() as u32;
            let at = router_name(&router);
            let message =
                format!("{} flapping at {at}: {}{more}", plural(n, "identity", "identities"), names.join(", "));
            push(Rule::IdentitiesFlapping, router.clone(), Some(NodeId::Router(router)), message, None, n);
        }
    }

    // Mass disconnects at routers that are still up; at more than
    // MASS_ROUTERS routers at once, one network-wide alert (a common cause:
    // the controller, the underlay) instead of one a router.
    let mut mass: Vec<(u32, &str)> = (t.routers.iter())
        .filter(|r| r.health != Health::Down && r.identities.offline >= cfg.mass_count)
        .map(|r| {
            // Drops from before the router's current spell online went with
            // its outage (that alert carried them), not with a new event.
            let after = ago(now, cfg.mass_window_ms).max(store.router_up_since(&r.id).unwrap_or(Timestamp(i64::MIN)));
            (store.drops_at(&r.id, after), r.id.as_str())
        })
        .filter(|(dropped, _)| *dropped >= cfg.mass_count)
        .collect();
    let secs = cfg.mass_window_ms / 1000;
    let wide_mass = wide(Rule::MassDisconnect) && !mass.is_empty();
    if mass.len() > MASS_ROUTERS || wide_mass {
        mass.sort_by(|a, b| b.cmp(a));
        let total: u32 = mass.iter().map(|(n, _)| n).sum();
        let worst: Vec<String> = mass.iter().take(3).map(|(_, id)| router_name(id)).collect();
        let message = format!(
            "{} dropped from {} routers within {secs} s (most at {}, …)",
            plural(total, "identity", "identities"),
            mass.len(),
            worst.join(", ")
        );
        push(Rule::MassDisconnect, NETWORK.into(), None, message, None, total);
    } else {
        for (dropped, id) in mass {
            let name = router_name(id);
            let message = format!("{} dropped from {name} within {secs} s", plural(dropped, "identity", "identities"));
            push(Rule::MassDisconnect, id.to_owned(), Some(NodeId::Router(id.to_owned())), message, None, dropped);
        }
    }

    // Links: down (unless their router is), slow or jittery.
    for e in t.edges.iter().filter(|e| e.kind == EdgeKind::Link) {
        let Some(link_id) = &e.link else { continue };
        let (a, b) = (e.a.id(), e.b.id());
        let link = store.link(link_id);
        if !e.up {
            if down.contains(a) || down.contains(b) {
                continue;
            }
            let since = link.map(|l| l.life.folded().since);
            let message = format!("link {link_id} ({} → {}) is down", router_name(a), router_name(b));
            push(Rule::LinkDown, link_id.clone(), Some(e.a.clone()), message, since, 0);
            continue;
        }
        // One rule for the map's colour and this alert (`store::grade`): an
        // old reading says nothing about the link now, and never alerts.
        if e.grade(&cfg.link_limits()).alerts() {
            let mut what = Vec::new();
            if let Some(ms) = e.latency_ms.filter(|ms| *ms > cfg.link_latency_ms) {
                what.push(format!("latency {ms:.0} ms (over {:.0})", cfg.link_latency_ms));
            }
            if let Some(ms) = e.jitter_ms.filter(|ms| *ms > cfg.link_jitter_ms) {
                what.push(format!("jitter {ms:.0} ms (over {:.0})", cfg.link_jitter_ms));
            }
            let message = format!("link {link_id} ({} → {}): {}", router_name(a), router_name(b), what.join(", "));
            push(Rule::LinkLatency, link_id.clone(), Some(e.a.clone()), message, None, 0);
        }
    }

    // The feed itself.
    if let Some(f) = feed {
        if !f.connected {
            let secs = now.0.saturating_sub(f.since.0) / 1_000_000_000;
            out.push(Condition {
                key: AlertKey { rule: Rule::FeedDisconnected, subject: "feed".into() },
                severity: Rule::FeedDisconnected.severity(),
                node: None,
                message: format!("the feed has been disconnected for {secs} s"),
                since: Some(f.since),
                grouped: 0,
                hold_ms: cfg.disconnected_hold_ms,
            });
        } else if let Some(beat) = f.last_heard {
            let due =
                Timestamp(beat.0.saturating_add((super::config::STALE_BEATS * cfg.heartbeat_ms as f64) as i64 * MS));
            if now > due {
                let secs = now.0.saturating_sub(beat.0) / 1_000_000_000;
                out.push(Condition {
                    key: AlertKey { rule: Rule::FeedStale, subject: "feed".into() },
                    severity: Rule::FeedStale.severity(),
                    node: None,
                    message: format!("no heartbeat from the feed for {secs} s"),
                    since: Some(due),
                    grouped: 0,
                    hold_ms: 0,
                });
            }
        }
        // Its sources: one alert each, as long as the feed last said.
        for s in &f.sources_down {
            let secs = now.0.saturating_sub(s.since.0).max(0) / 1_000_000_000;
            let mut message = format!("{} stream down for {secs} s", s.name);
            if let Some(reason) = &s.reason {
                message.push_str(&format!(" ({reason})"));
            }
            out.push(Condition {
                key: AlertKey { rule: Rule::SourceDown, subject: s.name.clone() },
                severity: Rule::SourceDown.severity(),
                node: None,
                message,
                since: Some(s.since),
                grouped: 0,
                hold_ms: cfg.source_down_hold_ms,
            });
        }
    }
    out
}
