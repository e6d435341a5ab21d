//! A group's state at a glance: how many of its routers are in each
//! health, and the worst of them, which is what the group shows when it is
//! drawn as one node (the map's collapsed groups, their headers).
//!
//! The rule: a group is as bad as its worst member ([`Health`]'s order,
//! best to worst); an empty group has no state.

use super::topology::Topology;
use super::Health;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rollup {
    /// Members in each health, in [`Health::ALL`]'s order.
    pub counts: [u32; 4],
}

impl Rollup {
    /// The roll-up of these members' healths.
    pub fn of(healths: impl IntoIterator<Item = Health>) -> Rollup {
        let mut r = Rollup::default();
        for h in healths {
            r.counts[h as usize] += 1;
        }
        r
    }

    /// How many members.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// How many members are in `h`.
    pub fn count(&self, h: Health) -> u32 {
        self.counts[h as usize]
    }

    /// The worst member's health (`None`: no members).
    pub fn worst(&self) -> Option<Health> {
        Health::ALL.into_iter().rev().find(|h| self.count(*h) > 0)
    }

    /// What a person reads beside the group's name: the size, then each
    /// state that is not ok, worst first (`12 · 1 down · 2 degraded`).
    pub fn text(&self) -> String {
        let mut s = self.total().to_string();
        for h in Health::ALL.into_iter().rev().filter(|h| *h != Health::Ok) {
            let n = self.count(h);
            if n > 0 {
                s.push_str(&format!(" · {n} {}", h.as_str()));
            }
        }
        s
    }
}

impl Topology {
    /// The roll-up of these routers (ids not on the map are skipped).
    pub fn rollup<'a>(&self, routers: impl IntoIterator<Item = &'a str>) -> Rollup {
        Rollup::of(routers.into_iter().filter_map(|id| self.router(id)).map(|r| r.health))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_group_reads_its_size_then_its_troubles_worst_first() {
        let r = Rollup::of([Health::Ok, Health::Degraded, Health::Down, Health::Ok, Health::Degraded]);
        assert_eq!(r.text(), "5 · 1 down · 2 degraded");
        assert_eq!(Rollup::of([Health::Ok; 3]).text(), "3");
        assert_eq!(Rollup::default().worst(), None);
    }

    proptest! {
        /// The group's state is its worst member's, and its counts add up.
        #[test]
        fn the_roll_up_is_the_worst_member(healths in proptest::collection::vec(0usize..4, 0..60)) {
            let healths: Vec<Health> = healths.into_iter().map(|i| Health::ALL[i]).collect();
            let r = Rollup::of(healths.iter().copied());
            prop_assert_eq!(r.worst(), healths.iter().copied().max());
            prop_assert_eq!(r.total() as usize, healths.len());
            for h in Health::ALL {
                prop_assert_eq!(r.count(h) as usize, healths.iter().filter(|x| **x == h).count());
            }
        }
    }
}
