//! The simulated network's model: who is connected to whom, and what happens
//! next. It is deterministic for a seed; time is passed in, never read.
//!
//! What it plays:
//! - the controller's inventory: routers and identities named by opaque ids
//!   in the controller's shape, their names told by `entityChange` before
//!   anything connects, renamed (and identities deleted and created again)
//!   now and then (`inventory`);
//! - a controller cluster, fully meshed, with a leader; every router holds
//!   a control connection to every controller;
//! - fabric links from every edge router to the core routers (a ring when
//!   there are no core routers), each end sampling its latency every ~30 s;
//! - identities attach to an edge router in their region, drop, come back,
//!   reconnect, and call the controllers' REST API;
//! - on a steady day, now and then an edge router loses all its
//!   controllers (its links fault, its identities drop, a third fail
//!   over) and returns; rarely a cluster peer connection blips;
//! - a named [`Scenario`] plays its story on top, with random failures off.
//!
//! The cluster's moves live in `cluster`, the fabric's (links, latency) in
//! `links`, the identities' everyday lives in `identities`, the names in
//! `inventory`; this file holds the cast, the clock, the stories and the
//! routers' lives.

use super::names;
use super::scenario::{Action, Cast, Scenario};
use super::SimulateArgs;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use zitiscope_core::event::ClusterEventType as C;
use zitiscope_core::{ConnKind, Event, Timestamp};

pub(super) struct Router {
    /// Its id, as every event names it.
    pub id: String,
    /// Its name and role attributes.
    pub listing: Listing,
    pub core: bool,
    /// While `Some`, the router is down until this simulated second.
    pub down_until: Option<f64>,
}

pub(super) struct Identity {
    /// Its id, as every event names it (a new one when it is created again).
    pub id: String,
    /// Its name and role attributes, and whether it is deleted.
    pub listing: Listing,
    /// The router it prefers (in its region).
    pub home: usize,
    /// The router it is connected to, if any.
    pub at: Option<usize>,
    pub addr: String,
    /// Until this simulated second, background churn leaves it connected:
    /// a real laptop or service drops a few times a day, not every minute,
    /// and anything faster would look like flapping (scenarios still may).
    pub calm_until: f64,
}

pub(super) struct Link {
    pub id: String,
    pub src: usize,
    pub dst: usize,
    pub base_ms: f64,
    pub extra_ms: f64,
    pub jitter_ms: f64,
    pub next_sample: f64,
}

/// Seconds between a link end's latency samples (OpenZiti: one a minute;
/// faster here so the map moves).
const SAMPLE_EVERY: f64 = 30.0;

/// See the module docs.
pub struct Network {
    rng: SmallRng,
    pub(super) ctrls: Vec<String>,
    pub(super) routers: Vec<Router>,
    pub(super) identities: Vec<Identity>,
    pub(super) links: Vec<Link>,
    /// Cluster peer pairs that are down, with the second they return.
    peers_down: Vec<(usize, usize, f64)>,
    /// A controller cut off from all its peers (controller-failover).
    isolated: Option<usize>,
    pub(super) leader: usize,
    raft_index: u64,
    scenario: Scenario,
    scenario_every: f64,
    next_cycle: f64,
    /// Scripted steps, sorted by time.
    timeline: Vec<(f64, Action)>,
    /// The identity the flapping story owns (background churn leaves it be).
    pub(super) flapper: Option<usize>,
    rate: f64,
    outage_every: f64,
    /// The inventory: ids, names, and who waits to be created again.
    pub(super) books: Books,
    /// Simulated seconds since start.
    clock: f64,
    /// Keeps timestamps within one step strictly increasing.
    last_at: i64,
}

impl Network {
    /// Builds the network's cast from the options; nothing is connected yet.
    pub fn new(args: &SimulateArgs) -> Self {
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let mut books = Books::new(args.seed, args.renames_every);
        let ctrls = (0..args.controllers).map(names::controller).collect();
        let n = args.routers;
        let routers: Vec<Router> = (0..n)
            .map(|i| Router {
                id: books.fresh_id(),
                listing: Listing::new(names::router(i, n), names::router_attributes(i, n)),
                core: i < names::core_count(n),
                down_until: None,
            })
            .collect();
        let edges: Vec<usize> = (0..routers.len()).filter(|&i| !routers[i].core).collect();
        let identities: Vec<Identity> = (0..args.identities)
            .map(|i| Identity {
                id: books.fresh_id(),
                listing: Listing::new(names::identity(i), names::identity_attributes(i)),
                home: edges[rng.random_range(0..edges.len())],
                at: None,
                calm_until: 0.0,
                addr: format!(
                    "100.{}.{}.{}:{}",
                    64 + rng.random_range(0..64),
                    rng.random_range(0..256),
                    rng.random_range(1..255),
                    rng.random_range(30000..61000)
                ),
            })
            .collect();
        let links = topology(&routers)
            .into_iter()
            .enumerate()
            .map(|(k, (src, dst))| Link {
                id: format!("link-{:04}", k + 1),
                src,
                dst,
                // Most links are near; one in ten crosses an ocean (in the
                // map's "fair" band, under the alert threshold), and some
                // paths wobble more than others (under it too).
                base_ms: if rng.random_bool(0.1) {
                    rng.random_range(130.0..220.0)
                } else {
                    rng.random_range(4.0..60.0)
                },
                extra_ms: 0.0,
                jitter_ms: if rng.random_bool(0.15) { rng.random_range(8.0..30.0) } else { 2.0 },
                next_sample: rng.random_range(0.0..SAMPLE_EVERY),
            })
            .collect();
        books.index(&routers, &identities);
        let scenario = args.scenario;
        let flapper = (scenario == Scenario::FlappingIdentity && args.identities > 0).then_some(0);
        Network {
            rng,
            ctrls,
            routers,
            identities,
            links,
            peers_down: Vec::new(),
            isolated: None,
            leader: 0,
            raft_index: 1,
            scenario,
            scenario_every: args.scenario_every.max(40.0),
            next_cycle: 0.0,
            timeline: Vec::new(),
            flapper,
            rate: args.rate.max(0.0),
            outage_every: args.outage_every.max(0.0),
            books,
            clock: 0.0,
            last_at: 0,
        }
    }

    /// The events that bring the network up: the inventory (every router
    /// and identity created, so each is named before anything names it by
    /// id), the cluster (members, leader, peer mesh), every router's control
    /// connections, the links, and ~85% of identities online.
    pub fn bootstrap(&mut self, now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        self.announce_all(now, &mut out);
        let n = self.ctrls.len();
        out.push(self.cluster(now, self.leader, C::MembersChanged, self.all_ctrls()));
        out.push(self.cluster(now, self.leader, C::LeadershipGained, Vec::new()));
        let leader = self.leader;
        for c in (0..n).filter(|&c| c != leader) {
            out.push(self.has_leader(now, c));
        }
        for a in 0..n {
            for b in (a + 1)..n {
                out.push(self.peer_event(now, a, b, true));
            }
        }
        for r in 0..self.routers.len() {
            for c in 0..n {
                out.push(self.router_event(now, r, c, true));
            }
        }
        for l in 0..self.links.len() {
            out.push(self.link_event(now, l, true));
        }
        for i in 0..self.identities.len() {
            if self.rng.random_bool(0.85) {
                let home = self.identities[i].home;
                out.push(self.attach(now, i, home));
            }
        }
        out
    }

    /// Advances by `dt` seconds and returns what happened, in time order.
    pub fn step(&mut self, now: Timestamp, dt: f64) -> Vec<Event> {
        self.clock += dt;
        let mut out = Vec::new();
        self.recover(now, &mut out);
        self.play_story(now, &mut out);
        // Renames and deletions, like failures, only on a steady day.
        self.inventory_churn(now, dt, self.scenario.random_failures(), &mut out);
        if self.scenario.random_failures() {
            if self.outage_every > 0.0 && self.rng.random_bool((dt / self.outage_every).min(1.0)) {
                self.random_outage(now, &mut out);
            }
            if self.ctrls.len() > 1 && self.rng.random_bool((dt / 300.0).min(1.0)) {
                self.peer_blip(now, &mut out);
            }
        }
        // A whole number of actions whose mean is rate × dt.
        let expected = self.rate * dt;
        let n = expected.floor() as usize + usize::from(self.rng.random_bool(expected.fract()));
        for _ in 0..n {
            self.background(now, &mut out);
        }
        self.sample_links(now, &mut out);
        out
    }

    /// Starts the scenario's next cycle when due, and runs its due steps.
    fn play_story(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        if self.scenario != Scenario::Steady && self.clock >= self.next_cycle {
            let live_edges: Vec<usize> = self.edges().filter(|&r| self.routers[r].down_until.is_none()).collect();
            let connected: Vec<usize> =
                (0..self.identities.len()).filter(|&i| self.identities[i].at.is_some()).collect();
            let cast = Cast {
                controllers: self.ctrls.len(),
                leader: self.leader,
                live_edges: &live_edges,
                connected: &connected,
                flapper: self.flapper,
                links: self.links.len(),
            };
            let mut plan = self.scenario.plan(self.next_cycle, &cast);
            self.timeline.append(&mut plan);
            self.timeline.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.next_cycle += self.scenario_every;
        }
        let due = self.timeline.partition_point(|(t, _)| *t <= self.clock);
        let steps: Vec<Action> = self.timeline.drain(..due).map(|(_, a)| a).collect();
        for action in steps {
            self.act(now, action, out);
        }
    }

    fn act(&mut self, now: Timestamp, action: Action, out: &mut Vec<Event>) {
        match action {
            Action::RouterDown(r) => self.router_down(now, r, f64::INFINITY, out),
            Action::RouterUp(r) => self.router_up(now, r, out),
            Action::Detach(i) if self.identities[i].at.is_some() => out.push(self.detach(now, i)),
            // A deleted identity connects nowhere.
            Action::Attach(i, _) | Action::Reattach(i) if self.identities[i].listing.deleted => {}
            Action::Attach(i, r) if self.identities[i].at.is_none() => out.push(self.attach(now, i, r)),
            Action::Reattach(i) if self.identities[i].at.is_none() => {
                if let Some(r) = self.target_router(i) {
                    out.push(self.attach(now, i, r));
                }
            }
            Action::Detach(_) | Action::Attach(..) | Action::Reattach(_) => {}
            Action::Isolate(c) => self.isolate(now, c, out),
            Action::Rejoin(c) => self.rejoin(now, c, out),
            Action::Lead(c) => self.lead(now, c, out),
            Action::RenameRouter(r) => self.rename_router(now, r, out),
            Action::RenameIdentity(i) => self.rename_identity(now, i, out),
            Action::DeleteIdentity(i) => self.delete_identity(now, i, out),
            Action::CreateIdentity(i) => self.recreate_identity(now, i, out),
            Action::Degrade { link, extra_ms, jitter_ms } => {
                if let Some(l) = self.links.get_mut(link) {
                    l.extra_ms = extra_ms;
                    l.jitter_ms = jitter_ms;
                    // Sample now, so the change shows at once.
                    l.next_sample = self.clock;
                }
            }
        }
    }

    /// Routers and peers whose outage is over come back.
    fn recover(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        for r in 0..self.routers.len() {
            if self.routers[r].down_until.is_some_and(|t| t <= self.clock) {
                self.router_up(now, r, out);
            }
        }
        let clock = self.clock;
        let (back, still): (Vec<_>, Vec<_>) = self.peers_down.drain(..).partition(|p| p.2 <= clock);
        self.peers_down = still;
        for (a, b, _) in back {
            out.push(self.peer_event(now, a, b, true));
        }
    }

    /// A random live edge router goes down for 8–25 s.
    fn random_outage(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let candidates: Vec<usize> = self.edges().filter(|&r| self.routers[r].down_until.is_none()).collect();
        if candidates.len() < 2 {
            return;
        }
        let r = candidates[self.rng.random_range(0..candidates.len())];
        let until = self.clock + self.rng.random_range(8.0..25.0);
        self.router_down(now, r, until, out);
    }

    /// A router loses every controller: its links fault, its identities
    /// drop, and a third of them fail over at once to another live router.
    fn router_down(&mut self, now: Timestamp, r: usize, until: f64, out: &mut Vec<Event>) {
        if self.routers[r].down_until.is_some() {
            return;
        }
        self.routers[r].down_until = Some(until);
        for c in 0..self.ctrls.len() {
            out.push(self.router_event(now, r, c, false));
        }
        for l in 0..self.links.len() {
            let (src, dst) = (self.links[l].src, self.links[l].dst);
            if (src == r || dst == r) && self.router_up_now(if src == r { dst } else { src }) {
                out.push(self.link_event(now, l, false));
            }
        }
        for i in 0..self.identities.len() {
            if self.identities[i].at == Some(r) {
                out.push(self.detach(now, i));
                if Some(i) != self.flapper && self.rng.random_bool(0.33) {
                    if let Some(other) = self.live_edge_router() {
                        out.push(self.attach(now, i, other));
                    }
                }
            }
        }
    }

    fn router_up(&mut self, now: Timestamp, r: usize, out: &mut Vec<Event>) {
        if self.routers[r].down_until.take().is_none() {
            return;
        }
        for c in 0..self.ctrls.len() {
            out.push(self.router_event(now, r, c, true));
        }
        for l in 0..self.links.len() {
            let (src, dst) = (self.links[l].src, self.links[l].dst);
            if (src == r || dst == r) && self.router_up_now(src) && self.router_up_now(dst) {
                out.push(self.link_event(now, l, true));
            }
        }
    }

    fn router_up_now(&self, r: usize) -> bool {
        self.routers[r].down_until.is_none()
    }

    fn router_event(&mut self, now: Timestamp, r: usize, c: usize, up: bool) -> Event {
        let addr = up.then(|| format!("10.{}.0.{}:{}", 20 + r / 200, r % 200 + 10, 40000 + r));
        self.event(now, ConnKind::RouterToCtrl, self.routers[r].id.clone(), self.ctrls[c].clone(), up, addr)
    }

    /// The accepting side reports a peer connection; here the lower index accepts.
    fn peer_event(&mut self, now: Timestamp, a: usize, b: usize, up: bool) -> Event {
        let addr = up.then(|| format!("10.0.0.{}:6262", 10 + b));
        self.event(now, ConnKind::CtrlToCtrl, self.ctrls[b].clone(), self.ctrls[a].clone(), up, addr)
    }

    fn event(
        &mut self,
        now: Timestamp,
        kind: ConnKind,
        src: String,
        dst: String,
        up: bool,
        addr: Option<String>,
    ) -> Event {
        // Routers report identities' connections to every controller; the
        // leader's copy stands for them all (HA copies would be deduplicated).
        let via = match kind {
            ConnKind::RouterToCtrl | ConnKind::CtrlToCtrl | ConnKind::EdgeToCtrl => dst.clone(),
            ConnKind::EdgeToRouter => self.ctrls[self.leader].clone(),
        };
        let mut ev = self.stamp(now, Event::conn(Timestamp(0), kind, src, dst, up).body, via);
        if let Some(a) = addr {
            ev = ev.with_addr(a);
        }
        ev
    }

    /// An event at `now`, strictly after the previous one.
    fn stamp(&mut self, now: Timestamp, body: zitiscope_core::event::Body, via: String) -> Event {
        let at = now.0.max(self.last_at + 1);
        self.last_at = at;
        Event { at: Timestamp(at), via: Some(via), body }
    }
}

mod cluster;
mod identities;
mod inventory;
mod links;

use inventory::{Books, Listing};
use links::topology;

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
