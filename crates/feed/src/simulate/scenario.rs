//! Named scenarios: scripted stories played on top of the background churn,
//! so an operator (or a test) can watch one kind of failure happen, cleanly
//! and repeatedly. Each story starts 5 s into its cycle and repeats every
//! `--scenario-every` seconds.

use clap::ValueEnum;

/// The stories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Background churn, random router outages (`--outage-every`) and rare
    /// peer blips: what a normal day looks like.
    #[default]
    Steady,
    /// One edge router loses all its controllers; its identities drop and a
    /// third fail over; it returns 20 s later.
    RouterOutage,
    /// The leader loses its cluster peers, leadership moves to the next
    /// controller, and the old leader rejoins as a follower 20 s later.
    ControllerFailover,
    /// One identity connects and disconnects every 3 s for 30 s.
    FlappingIdentity,
    /// Up to 5,000 connected identities drop within 1 s and all reconnect
    /// within the next 3 s.
    ReconnectStorm,
    /// Latency and jitter climb on one link for 20 s, hold for 10 s, then
    /// recover.
    LinkDegradation,
    /// The inventory changes: an edge router is renamed (`edge-eu-1`
    /// becomes `edge-eu-1-r1`, then `-r2` the next cycle, …); 5 s later an
    /// identity is renamed; 5 s after that another is deleted, and it is
    /// created again (a new id, the same name) 10 s later.
    Rename,
}

/// One scripted step, at a simulated second.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    RouterDown(usize),
    RouterUp(usize),
    Detach(usize),
    Attach(usize, usize),
    /// Identity `.0` reconnects to its home router (or any live one).
    Reattach(usize),
    /// Controller `.0` is cut off from every peer.
    Isolate(usize),
    /// Controller `.0` rejoins every peer, as a follower.
    Rejoin(usize),
    /// Leadership moves to controller `.0`.
    Lead(usize),
    /// Router `.0` gets its next name.
    RenameRouter(usize),
    /// Identity `.0` gets its next name.
    RenameIdentity(usize),
    /// Identity `.0` is deleted (its connection closes first).
    DeleteIdentity(usize),
    /// Identity `.0`, deleted, is created again under a new id.
    CreateIdentity(usize),
    /// A link's latency gets this much extra (ms), with this jitter (ms).
    Degrade {
        link: usize,
        extra_ms: f64,
        jitter_ms: f64,
    },
}

/// What a plan needs to know about the network when a cycle starts.
pub struct Cast<'a> {
    pub controllers: usize,
    pub leader: usize,
    /// Edge routers that are up.
    pub live_edges: &'a [usize],
    /// Identities connected now.
    pub connected: &'a [usize],
    /// The identity whose churn the flapping story owns.
    pub flapper: Option<usize>,
    pub links: usize,
}

/// When the story starts within its cycle (seconds).
pub const LEAD_IN: f64 = 5.0;

impl Scenario {
    /// Whether random outages and peer blips run (only on a steady day, so
    /// a story is the only failure on screen).
    pub fn random_failures(self) -> bool {
        self == Scenario::Steady
    }

    /// The story's steps for a cycle starting at `t0`, as (second, action).
    pub fn plan(self, t0: f64, cast: &Cast) -> Vec<(f64, Action)> {
        let t = t0 + LEAD_IN;
        let mut out = Vec::new();
        match self {
            Scenario::Steady => {}
            Scenario::RouterOutage => {
                if let Some(&r) = cast.live_edges.first() {
                    out.push((t, Action::RouterDown(r)));
                    out.push((t + 20.0, Action::RouterUp(r)));
                }
            }
            Scenario::ControllerFailover => {
                if cast.controllers >= 3 {
                    let old = cast.leader;
                    let new = (old + 1) % cast.controllers;
                    out.push((t, Action::Isolate(old)));
                    out.push((t + 2.0, Action::Lead(new)));
                    out.push((t + 20.0, Action::Rejoin(old)));
                }
            }
            Scenario::FlappingIdentity => {
                if let Some(i) = cast.flapper {
                    for k in 0..10 {
                        let at = t + 3.0 * k as f64;
                        out.push((at, Action::Detach(i)));
                        out.push((at + 1.5, Action::Reattach(i)));
                    }
                }
            }
            Scenario::ReconnectStorm => {
                let storm: Vec<usize> = cast.connected.iter().copied().take(5_000).collect();
                let n = storm.len().max(1) as f64;
                for (k, &i) in storm.iter().enumerate() {
                    out.push((t + k as f64 / n, Action::Detach(i)));
                    out.push((t + 1.0 + 3.0 * k as f64 / n, Action::Reattach(i)));
                }
            }
            Scenario::LinkDegradation => {
                if cast.links > 0 {
                    for k in 0..=20 {
                        let f = k as f64 / 20.0;
                        let step = Action::Degrade { link: 0, extra_ms: 250.0 * f, jitter_ms: 2.0 + 58.0 * f };
                        out.push((t + k as f64, step));
                    }
                    out.push((t + 30.0, Action::Degrade { link: 0, extra_ms: 0.0, jitter_ms: 2.0 }));
                }
            }
            Scenario::Rename => {
                if let Some(&r) = cast.live_edges.first() {
                    out.push((t, Action::RenameRouter(r)));
                }
                if let Some(&i) = cast.connected.first() {
                    out.push((t + 5.0, Action::RenameIdentity(i)));
                }
                if let Some(&i) = cast.connected.get(1) {
                    out.push((t + 10.0, Action::DeleteIdentity(i)));
                    out.push((t + 20.0, Action::CreateIdentity(i)));
                }
            }
        }
        out
    }
}
