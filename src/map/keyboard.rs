//! The keyboard on the map: its node (a focus ring, not the selection),
//! and whether it is moving between nodes, which is what lets Tab move
//! between them too.

use zitiscope_core::layout::NodeId;

/// The keyboard's place on the map.
#[derive(Default)]
pub struct Keyboard {
    /// The keyboard's node (arrows and Tab move it, Enter opens it).
    pub focus: Option<NodeId>,
    /// Whether the keyboard is moving between nodes: an arrow starts it,
    /// Escape ends it. Only then does Tab move between nodes; otherwise it
    /// moves on past the map as usual, so the map is never a keyboard trap.
    pub navigating: bool,
}

impl Keyboard {
    /// The node after (`delta` 1) or before (-1) the keyboard's in
    /// `order`; from none, the first (forwards) or the last. `None` at
    /// either end when `wrap` is off (Tab leaves the map there).
    pub fn step(&self, order: &[NodeId], delta: isize, wrap: bool) -> Option<NodeId> {
        if order.is_empty() {
            return None;
        }
        let current = self.focus.as_ref().and_then(|n| order.iter().position(|m| m == n));
        let next = match current {
            None if delta > 0 => 0,
            // Backwards from nowhere: the last node, for an arrow.
            None if wrap => order.len() - 1,
            None => return None,
            Some(i) => {
                let j = i as isize + delta;
                if !wrap && (j < 0 || j >= order.len() as isize) {
                    return None;
                }
                j.rem_euclid(order.len() as isize) as usize
            }
        };
        Some(order[next].clone())
    }

    /// Lets go of the map (Escape, or Tab past either end).
    pub fn let_go(&mut self) {
        self.focus = None;
        self.navigating = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyboard_steps_wrap_for_arrows_and_stop_at_the_ends_for_tab() {
        let order = [
            NodeId::Controller("c1".into()),
            NodeId::Router("r1".into()),
            NodeId::Router("r2".into()),
            NodeId::Router("r3".into()),
        ];
        let mut k = Keyboard::default();
        let ids = |n: Option<NodeId>| n.map(|n| n.id().to_owned());
        assert_eq!(ids(k.step(&order, 1, false)), Some("c1".into()), "the first node");
        assert_eq!(k.step(&order, -1, false), None, "Shift+Tab with nothing focused leaves");
        assert_eq!(ids(k.step(&order, -1, true)), Some("r3".into()), "an arrow back from nowhere: the last");
        k.focus = Some(NodeId::Router("r3".into()));
        assert_eq!(k.step(&order, 1, false), None, "Tab past the last node leaves the map");
        assert_eq!(ids(k.step(&order, 1, true)), Some("c1".into()), "an arrow wraps");
        assert_eq!(ids(k.step(&order, -1, false)), Some("r2".into()));
        assert_eq!(k.step(&[], 1, true), None, "an empty map has nowhere to go");
    }
}
