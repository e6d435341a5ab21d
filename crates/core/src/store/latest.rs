//! `Latest<T>`: a value with the time it was learnt, where a newer time
//! wins and an equal time is settled by the value's own order. So the
//! outcome never depends on which of two reports arrived first.

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// See the module docs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Latest<T>(Option<(Timestamp, T)>);

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest(None)
    }
}

impl<T: Ord + Clone> Latest<T> {
    /// Keeps `value` if it is newer (or equally new and greater). Returns
    /// whether it was kept.
    pub fn offer(&mut self, at: Timestamp, value: &T) -> bool {
        match &mut self.0 {
            Some((t, v)) if (at, value) <= (*t, &*v) => false,
            // The same value, newer: move the time, skip the clone (the
            // common case: an address repeated on every REST call).
            Some((t, v)) if *v == *value => {
                *t = at;
                true
            }
            slot => {
                *slot = Some((at, value.clone()));
                true
            }
        }
    }
}

impl<T> Latest<T> {
    /// The value, if any was offered.
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref().map(|(_, v)| v)
    }

    /// When the value was learnt.
    pub fn at(&self) -> Option<Timestamp> {
        self.0.as_ref().map(|(t, _)| *t)
    }

    /// Whether nothing was offered (for `skip_serializing_if`).
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_wins_and_ties_are_settled_by_value() {
        let mut a = Latest::default();
        assert!(a.offer(Timestamp(5), &"x".to_string()));
        assert!(!a.offer(Timestamp(4), &"z".to_string()), "older loses");
        assert!(a.offer(Timestamp(5), &"y".to_string()), "tie: greater wins");
        assert!(!a.offer(Timestamp(5), &"w".to_string()));
        let mut b = Latest::default();
        for v in ["w", "y", "x"] {
            b.offer(Timestamp(5), &v.to_string());
        }
        assert_eq!(a, b);
        assert_eq!(a.get().map(String::as_str), Some("y"));
    }
}
