//! The fabric's part of the model: which routers are linked, their
//! `link` events, and each end's latency samples.

use super::super::events;
use super::{Network, Router, SAMPLE_EVERY};
use rand::Rng;
use zitiscope_core::event::LinkEventType;
use zitiscope_core::{Event, Timestamp};

impl Network {
    /// Each link end whose sample is due reports its latency.
    pub(super) fn sample_links(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        for l in 0..self.links.len() {
            if self.links[l].next_sample > self.clock {
                continue;
            }
            self.links[l].next_sample = self.clock + SAMPLE_EVERY + self.rng.random_range(-3.0..3.0);
            let (src, dst) = (self.links[l].src, self.links[l].dst);
            if !(self.router_up_now(src) && self.router_up_now(dst)) {
                continue;
            }
            for end in [src, dst] {
                let link = &self.links[l];
                let noise = self.rng.random_range(-0.5..0.5) * link.jitter_ms;
                let mean = (link.base_ms + link.extra_ms + noise).max(0.1);
                let sample = events::latency(&link.id, &self.routers[end].id, mean, link.jitter_ms);
                let via = self.ctrls[self.leader].clone();
                out.push(self.stamp(now, sample, via));
            }
        }
    }

    pub(super) fn link_event(&mut self, now: Timestamp, l: usize, up: bool) -> Event {
        let link = &self.links[l];
        let kind = if up { LinkEventType::New } else { LinkEventType::Fault };
        let body = events::link(&link.id, kind, &self.routers[link.src].id, &self.routers[link.dst].id);
        let via = self.ctrls[self.leader].clone();
        self.stamp(now, body, via)
    }
}

/// Which routers are linked: every edge router dials every core router and
/// the core routers are linked to each other; with no core routers, a ring.
pub(super) fn topology(routers: &[Router]) -> Vec<(usize, usize)> {
    let cores: Vec<usize> = (0..routers.len()).filter(|&r| routers[r].core).collect();
    let mut out = Vec::new();
    if cores.is_empty() {
        let n = routers.len();
        if n >= 2 {
            out.extend((0..n).map(|i| (i, (i + 1) % n)).take(if n == 2 { 1 } else { n }));
        }
        return out;
    }
    for (k, &a) in cores.iter().enumerate() {
        out.extend(cores[k + 1..].iter().map(|&b| (a, b)));
    }
    for r in (0..routers.len()).filter(|&r| !routers[r].core) {
        out.extend(cores.iter().map(|&c| (r, c)));
    }
    out
}
