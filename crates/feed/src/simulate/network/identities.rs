//! The identities' part of the model: their everyday churn (REST calls,
//! drops, quick reconnects, coming back home or failing over), and the
//! calm that follows a reconnect, so that everyday churn never looks like
//! flapping.

use super::Network;
use rand::Rng;
use zitiscope_core::{ConnKind, Event, Timestamp};

impl Network {
    /// One ordinary thing happening to a random identity.
    pub(super) fn background(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        if self.identities.is_empty() {
            return;
        }
        let i = self.rng.random_range(0..self.identities.len());
        let roll: f64 = self.rng.random();
        // A deleted identity does nothing until it is created again.
        if self.identities[i].listing.deleted {
            return;
        }
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
            _ if Some(i) == self.flapper => {}
            Some(_) if self.identities[i].calm_until > self.clock => {}
            Some(r) if roll < 0.60 => {
                out.push(self.detach(now, i));
                // A quick reconnect to the same router.
                if roll < 0.35 {
                    out.push(self.attach(now, i, r));
                    self.calm(i);
                }
            }
            Some(_) => {}
            None => {
                if let Some(r) = self.target_router(i) {
                    out.push(self.attach(now, i, r));
                    self.calm(i);
                }
            }
        }
    }

    pub(super) fn edges(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.routers.len()).filter(|&r| !self.routers[r].core)
    }

    pub(super) fn live_edge_router(&mut self) -> Option<usize> {
        let live: Vec<usize> = self.edges().filter(|&r| self.routers[r].down_until.is_none()).collect();
        (!live.is_empty()).then(|| live[self.rng.random_range(0..live.len())])
    }

    /// Where an identity connects: home, or any live edge router.
    pub(super) fn target_router(&mut self, i: usize) -> Option<usize> {
        let home = self.identities[i].home;
        if self.routers[home].down_until.is_none() {
            Some(home)
        } else {
            self.live_edge_router()
        }
    }

    /// Leaves identity `i` be for 10 to 30 simulated minutes.
    pub(super) fn calm(&mut self, i: usize) {
        self.identities[i].calm_until = self.clock + self.rng.random_range(600.0..1800.0);
    }

    pub(super) fn attach(&mut self, now: Timestamp, i: usize, r: usize) -> Event {
        self.identities[i].at = Some(r);
        let (id, addr) = (self.identities[i].id.clone(), self.identities[i].addr.clone());
        self.event(now, ConnKind::EdgeToRouter, id, self.routers[r].id.clone(), true, Some(addr))
    }

    pub(super) fn detach(&mut self, now: Timestamp, i: usize) -> Event {
        let r = self.identities[i].at.take().expect("detach only connected identities");
        let id = self.identities[i].id.clone();
        self.event(now, ConnKind::EdgeToRouter, id, self.routers[r].id.clone(), false, None)
    }
}
