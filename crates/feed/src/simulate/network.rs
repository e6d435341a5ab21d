//! The simulated network's model: who is connected to whom, and what happens
//! next. It is deterministic for a seed; time is passed in, never read.
//!
//! Story it plays:
//! - a controller cluster, fully meshed; every router holds a control
//!   connection to every controller;
//! - identities attach to an edge router in their region, drop, come back,
//!   reconnect, and call the controllers' REST API;
//! - now and then an edge router loses all its controllers: its identities
//!   drop with it, some fail over to another router, and it returns after a
//!   while;
//! - rarely a cluster peer connection blips.

use super::names;
use crate::cli::SimulateArgs;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use zitiscope_core::{ConnKind, Event, Timestamp};

struct Router {
    id: String,
    core: bool,
    /// While `Some`, the router is down until this simulated second.
    down_until: Option<f64>,
}

struct Identity {
    id: String,
    /// The router it prefers (in its region).
    home: usize,
    /// The router it is connected to, if any.
    at: Option<usize>,
    addr: String,
}

/// See the module docs.
pub struct Network {
    rng: SmallRng,
    ctrls: Vec<String>,
    routers: Vec<Router>,
    identities: Vec<Identity>,
    /// Cluster peer pairs that are down, with the second they return.
    peers_down: Vec<(usize, usize, f64)>,
    rate: f64,
    outage_every: f64,
    /// Simulated seconds since start.
    clock: f64,
    /// Keeps timestamps within one step strictly increasing.
    last_at: i64,
}

impl Network {
    /// Builds the network's cast from the options; nothing is connected yet.
    pub fn new(args: &SimulateArgs) -> Self {
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let ctrls = (0..args.controllers).map(names::controller).collect();
        let routers: Vec<Router> = (0..args.routers)
            .map(|i| Router {
                id: names::router(i, args.routers),
                core: i < names::core_count(args.routers),
                down_until: None,
            })
            .collect();
        let edges: Vec<usize> = (0..routers.len()).filter(|&i| !routers[i].core).collect();
        let identities = (0..args.identities)
            .map(|i| Identity {
                id: names::identity(i),
                home: edges[rng.random_range(0..edges.len())],
                at: None,
                addr: format!(
                    "100.{}.{}.{}:{}",
                    64 + rng.random_range(0..64),
                    rng.random_range(0..256),
                    rng.random_range(1..255),
                    rng.random_range(30000..61000)
                ),
            })
            .collect();
        Network {
            rng,
            ctrls,
            routers,
            identities,
            peers_down: Vec::new(),
            rate: args.rate.max(0.0),
            outage_every: args.outage_every.max(0.0),
            clock: 0.0,
            last_at: 0,
        }
    }

    /// The events that bring the network up: the cluster mesh, every
    /// router's control connections, and ~85% of identities online.
    pub fn bootstrap(&mut self, now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        let n = self.ctrls.len();
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
        if self.outage_every > 0.0 && self.rng.random_bool((dt / self.outage_every).min(1.0)) {
            self.outage(now, &mut out);
        }
        if self.ctrls.len() > 1 && self.rng.random_bool((dt / 300.0).min(1.0)) {
            self.peer_blip(now, &mut out);
        }
        // A whole number of actions whose mean is rate × dt.
        let expected = self.rate * dt;
        let n = expected.floor() as usize + usize::from(self.rng.random_bool(expected.fract()));
        for _ in 0..n {
            self.background(now, &mut out);
        }
        out
    }

    /// Routers and peers whose outage is over come back.
    fn recover(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        for r in 0..self.routers.len() {
            if self.routers[r].down_until.is_some_and(|t| t <= self.clock) {
                self.routers[r].down_until = None;
                for c in 0..self.ctrls.len() {
                    out.push(self.router_event(now, r, c, true));
                }
            }
        }
        let clock = self.clock;
        let (back, still): (Vec<_>, Vec<_>) = self.peers_down.drain(..).partition(|p| p.2 <= clock);
        self.peers_down = still;
        for (a, b, _) in back {
            out.push(self.peer_event(now, a, b, true));
        }
    }

    /// An edge router loses every controller; its identities drop, and a
    /// third of them fail over at once to another live router.
    fn outage(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let candidates: Vec<usize> = (0..self.routers.len())
            .filter(|&r| !self.routers[r].core && self.routers[r].down_until.is_none())
            .collect();
        if candidates.len() < 2 {
            return;
        }
        let r = candidates[self.rng.random_range(0..candidates.len())];
        let duration = self.rng.random_range(8.0..25.0);
        self.routers[r].down_until = Some(self.clock + duration);
        for c in 0..self.ctrls.len() {
            out.push(self.router_event(now, r, c, false));
        }
        for i in 0..self.identities.len() {
            if self.identities[i].at == Some(r) {
                out.push(self.detach(now, i));
                if self.rng.random_bool(0.33) {
                    if let Some(other) = self.live_edge_router() {
                        out.push(self.attach(now, i, other));
                    }
                }
            }
        }
    }

    fn peer_blip(&mut self, now: Timestamp, out: &mut Vec<Event>) {
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

    /// One ordinary thing happening to a random identity.
    fn background(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        if self.identities.is_empty() {
            return;
        }
        let i = self.rng.random_range(0..self.identities.len());
        let roll: f64 = self.rng.random();
        match self.identities[i].at {
            // REST activity: a liveness signal, not a state change.
            _ if roll < 0.25 => {
                let c = self.rng.random_range(0..self.ctrls.len());
                out.push(self.event(
                    now,
                    ConnKind::EdgeToCtrl,
                    self.identities[i].id.clone(),
                    self.ctrls[c].clone(),
                    true,
                    Some(self.identities[i].addr.clone()),
                ));
            }
            Some(r) if roll < 0.60 => {
                out.push(self.detach(now, i));
                // A quick reconnect to the same router.
                if roll < 0.35 {
                    out.push(self.attach(now, i, r));
                }
            }
            Some(_) => {}
            None => {
                let home = self.identities[i].home;
                let target = if self.routers[home].down_until.is_none() { Some(home) } else { self.live_edge_router() };
                if let Some(r) = target {
                    out.push(self.attach(now, i, r));
                }
            }
        }
    }

    fn live_edge_router(&mut self) -> Option<usize> {
        let live: Vec<usize> = (0..self.routers.len())
            .filter(|&r| !self.routers[r].core && self.routers[r].down_until.is_none())
            .collect();
        (!live.is_empty()).then(|| live[self.rng.random_range(0..live.len())])
    }

    fn attach(&mut self, now: Timestamp, i: usize, r: usize) -> Event {
        self.identities[i].at = Some(r);
        let (id, addr) = (self.identities[i].id.clone(), self.identities[i].addr.clone());
        self.event(now, ConnKind::EdgeToRouter, id, self.routers[r].id.clone(), true, Some(addr))
    }

    fn detach(&mut self, now: Timestamp, i: usize) -> Event {
        let r = self.identities[i].at.take().expect("detach only connected identities");
        let id = self.identities[i].id.clone();
        self.event(now, ConnKind::EdgeToRouter, id, self.routers[r].id.clone(), false, None)
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
        let at = now.0.max(self.last_at + 1);
        self.last_at = at;
        // Routers report identities' connections to every controller; the
        // first one stands for them all (HA copies would be deduplicated).
        let via = match kind {
            ConnKind::RouterToCtrl | ConnKind::CtrlToCtrl | ConnKind::EdgeToCtrl => dst.clone(),
            ConnKind::EdgeToRouter => self.ctrls[0].clone(),
        };
        let ev = Event::conn(Timestamp(at), kind, src, dst, up).via(via);
        match addr {
            Some(a) => ev.with_addr(a),
            None => ev,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::{EntityType, Store};

    fn play(seed: u64, seconds: usize) -> (Vec<Event>, Store) {
        let args = SimulateArgs {
            seed,
            routers: 12,
            identities: 400,
            rate: 200.0,
            outage_every: 5.0,
            ..SimulateArgs::default()
        };
        let mut net = Network::new(&args);
        let mut all = net.bootstrap(Timestamp(1_000_000_000));
        for step in 0..seconds * 10 {
            all.extend(net.step(Timestamp(2_000_000_000 + step as i64 * 100_000_000), 0.1));
        }
        let mut store = Store::new();
        for e in &all {
            store.apply(e);
        }
        (all, store)
    }

    #[test]
    fn same_seed_same_story() {
        assert_eq!(play(7, 20).0, play(7, 20).0);
        assert_ne!(play(7, 20).0, play(8, 20).0);
    }

    #[test]
    fn bootstrap_brings_the_network_up() {
        let args = SimulateArgs { routers: 40, identities: 3000, ..SimulateArgs::default() };
        let mut net = Network::new(&args);
        let mut store = Store::new();
        for e in net.bootstrap(Timestamp(1)) {
            store.apply(&e);
        }
        let sum = store.summary();
        assert_eq!((sum.controllers.online, sum.controllers.total), (3, 3));
        assert_eq!((sum.routers.online, sum.routers.total), (40, 40));
        assert!(sum.identities.online > 2400 && sum.identities.online < 2700, "{:?}", sum.identities);
    }

    #[test]
    fn outages_drop_identities_and_routers_return() {
        let (events, _) = play(3, 60);
        let conns: Vec<_> = events.iter().filter_map(Event::as_conn).collect();
        let router_downs = conns.iter().filter(|c| c.kind == ConnKind::RouterToCtrl && !c.up).count();
        let router_ups = conns.iter().filter(|c| c.kind == ConnKind::RouterToCtrl && c.up).count();
        assert!(router_downs >= 3, "outages happen: {router_downs}");
        assert!(router_ups > 12 * 3, "routers return: {router_ups}");
        assert!(conns.iter().any(|c| c.kind == ConnKind::EdgeToRouter && !c.up));
        assert!(conns.iter().any(|c| c.kind == ConnKind::EdgeToCtrl));
        assert!(events.windows(2).all(|w| w[0].at < w[1].at), "timestamps strictly increase");
    }

    #[test]
    fn model_and_store_agree_on_who_is_online() {
        let args = SimulateArgs {
            seed: 11,
            routers: 10,
            identities: 300,
            rate: 300.0,
            outage_every: 3.0,
            ..SimulateArgs::default()
        };
        let mut net = Network::new(&args);
        let mut store = Store::new();
        for e in net.bootstrap(Timestamp(1)) {
            store.apply(&e);
        }
        for step in 0..300 {
            for e in net.step(Timestamp(10 + step), 0.1) {
                store.apply(&e);
            }
        }
        for ident in &net.identities {
            assert_eq!(store.is_online(EntityType::Identity, &ident.id), ident.at.is_some(), "{}", ident.id);
        }
        for r in &net.routers {
            assert_eq!(store.is_online(EntityType::Router, &r.id), r.down_until.is_none(), "{}", r.id);
        }
    }
}
