//! Numbered slots (a group's cells, in order): a node keeps its slot for
//! as long as it exists, freed slots are reused lowest first, and a node
//! that comes back gets its old slot if it is still free.

use std::collections::{BTreeSet, HashMap};

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    /// Slots in use, by node.
    taken: HashMap<String, usize>,
    /// Freed slots below `next`.
    free: BTreeSet<usize>,
    /// The first slot never used.
    next: usize,
    /// Where nodes that left were, so a node that returns lands there again
    /// (while the slot is still free: at most one memory per free slot).
    remembered: HashMap<String, usize>,
    last_holder: HashMap<usize, String>,
}

impl Slots {
    /// No slot taken.
    pub fn new() -> Self {
        Slots {
            taken: HashMap::new(),
            free: BTreeSet::new(),
            next: 0,
            remembered: HashMap::new(),
            last_holder: HashMap::new(),
        }
    }

    /// Gives `id` a slot (its existing one if it has one).
    pub fn place(&mut self, id: &str) -> usize {
        if let Some(&s) = self.taken.get(id) {
            return s;
        }
        let mine = self.remembered.remove(id);
        if let Some(s) = mine {
            self.last_holder.remove(&s);
        }
        let slot = match mine {
            Some(s) if self.free.contains(&s) => s,
            _ => self.free.first().copied().unwrap_or(self.next),
        };
        if !self.free.remove(&slot) {
            self.next += 1;
        }
        // Whoever was here before cannot come back to it any more.
        if let Some(prev) = self.last_holder.remove(&slot) {
            self.remembered.remove(&prev);
        }
        self.taken.insert(id.to_owned(), slot);
        slot
    }

    /// Frees `id`'s slot, remembering it.
    pub fn remove(&mut self, id: &str) {
        if let Some(slot) = self.taken.remove(id) {
            self.free.insert(slot);
            self.remembered.insert(id.to_owned(), slot);
            self.last_holder.insert(slot, id.to_owned());
        }
    }

    /// The ids holding a slot, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.taken.keys().map(String::as_str)
    }

    /// `id`'s slot.
    pub fn slot(&self, id: &str) -> Option<usize> {
        self.taken.get(id).copied()
    }

    /// How many nodes hold a slot.
    pub fn len(&self) -> usize {
        self.taken.len()
    }

    /// One past the highest slot ever used (what the slots' boxes must hold).
    pub fn span(&self) -> usize {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_and_returning_nodes_get_theirs_back() {
        let mut s = Slots::new();
        let a = s.place("a");
        let b = s.place("b");
        let c = s.place("c");
        assert_eq!((a, b, c), (0, 1, 2));
        s.remove("b");
        assert_eq!(s.place("d"), 1, "the lowest free slot");
        s.remove("a");
        s.remove("d");
        assert_eq!(s.place("a"), 0, "a returns to its slot");
        assert_eq!(s.place("b"), 1, "b's old slot was reused by d, which left too");
        assert_eq!(s.place("e"), 3);
        assert_eq!(s.span(), 4);
    }

    #[test]
    fn memory_of_departed_nodes_is_bounded_by_the_free_slots() {
        let mut s = Slots::new();
        for i in 0..10_000 {
            let id = format!("n{i}");
            s.place(&id);
            s.remove(&id);
        }
        assert_eq!((s.next, s.remembered.len(), s.last_holder.len()), (1, 1, 1));
    }
}
