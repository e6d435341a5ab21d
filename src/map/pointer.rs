//! The pointer on the map: the node under it, a press that may become a
//! drag (a pan), and the pointers down (two make a pinch zoom).

use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{NodeId, Point};

/// How far (screen pixels) a press moves before it is a drag, not a click.
const DRAG_AFTER: f64 = 4.0;

/// What the pointer is doing.
#[derive(Default)]
pub struct Pointer {
    /// The node under the pointer (or under its badge, see the map).
    pub hover: Option<NodeId>,
    /// Pointer down at (x, y); whether it moved enough to be a drag.
    press: Option<(f64, f64, bool)>,
    /// Pointers down now, by id (two make a pinch).
    pointers: Vec<(i32, Point)>,
}

impl Pointer {
    /// Pointer `id` went down at `p`.
    pub fn down(&mut self, id: i32, p: Point) {
        self.pointers.retain(|(i, _)| *i != id);
        self.pointers.push((id, p));
        // A second finger turns a press into a pinch, never a click.
        self.press = (self.pointers.len() == 1).then_some((p.x, p.y, false));
    }

    /// Pointer `id` moved to `p`: a pinch zooms `view`, a drag pans it.
    /// Whether it did either (a plain move only hovers).
    pub fn moved(&mut self, id: i32, p: Point, view: &mut Viewport) -> bool {
        if self.pointers.len() == 2 {
            let Some(i) = self.pointers.iter().position(|(i, _)| *i == id) else { return false };
            let from = (self.pointers[0].1, self.pointers[1].1);
            self.pointers[i].1 = p;
            let to = (self.pointers[0].1, self.pointers[1].1);
            view.pinch(from, to);
            return true;
        }
        match self.press {
            Some((x, y, moved)) if moved || (p.x - x).hypot(p.y - y) > DRAG_AFTER => {
                view.pan(p.x - x, p.y - y);
                self.press = Some((p.x, p.y, true));
                true
            }
            _ => false,
        }
    }

    /// Pointer `id` went up: whether that made a click (a press that
    /// never became a drag or a pinch).
    pub fn up(&mut self, id: i32) -> bool {
        self.pointers.retain(|(i, _)| *i != id);
        matches!(self.press.take(), Some((_, _, false)))
    }

    /// The pointer left the map: nothing is pressed or hovered.
    pub fn leave(&mut self) {
        self.press = None;
        self.hover = None;
        self.pointers.clear();
    }

    /// Hovers `node`; whether that changed what is hovered.
    pub fn set_hover(&mut self, node: Option<NodeId>) -> bool {
        let changed = self.hover != node;
        self.hover = node;
        changed
    }
}
