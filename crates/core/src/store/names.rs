//! Interned entity ids. Each controller, router and identity id is stored
//! once and referred to by a dense `u32`, and its record lives in a `Vec`
//! slot. So a connection's key is three integers, and applying an event
//! hashes and compares each id string once, never allocating for a lookup.
//! (Owned string keys cost two allocations and several cache misses per
//! event: see BENCHMARKS.md.)

use foldhash::HashMap;

/// The index that stands for "no id" (an empty string: the design note's
/// shape names only one end of a connection).
pub(super) const NONE: u32 = u32::MAX;

/// One entity type's ids and records.
#[derive(Clone, Debug, Default)]
pub(super) struct Names<R> {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    recs: Vec<R>,
}

impl<R: Default> Names<R> {
    /// The index of `name`, registering it (with a default record) if new.
    /// An empty name is [`NONE`] and is never registered.
    pub fn intern(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return NONE;
        }
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).expect("fewer than 4 billion entities");
        self.index.insert(name.into(), i);
        self.names.push(name.into());
        self.recs.push(R::default());
        i
    }

    /// The index of a known `name`.
    pub fn find(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The id at `i` (`""` for [`NONE`]).
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |n| n)
    }

    /// The record of a known `name`.
    pub fn get(&self, name: &str) -> Option<&R> {
        self.find(name).map(|i| &self.recs[i as usize])
    }

    /// The record at `i`; `None` for [`NONE`].
    pub fn rec_mut(&mut self, i: u32) -> Option<&mut R> {
        self.recs.get_mut(i as usize)
    }

    /// The record at `i`; `None` for [`NONE`].
    pub fn rec(&self, i: u32) -> Option<&R> {
        self.recs.get(i as usize)
    }

    /// How many ids are known.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Every id and its record, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &R)> {
        self.names.iter().map(|n| &**n).zip(&self.recs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_empty_is_none() {
        let mut n: Names<u32> = Names::default();
        let a = n.intern("a");
        let b = n.intern("b");
        assert_ne!(a, b);
        assert_eq!(n.intern("a"), a);
        assert_eq!(n.intern(""), NONE);
        assert_eq!((n.len(), n.name(b), n.name(NONE)), (2, "b", ""));
        *n.rec_mut(a).unwrap() += 3;
        assert_eq!(n.get("a"), Some(&3));
        assert_eq!(n.get("zzz"), None);
        assert!(n.rec_mut(NONE).is_none());
    }
}
