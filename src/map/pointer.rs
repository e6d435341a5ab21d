//! The pointer on the map: the node under it, a press that may become a
//! drag (a pan, or a node or group moved by hand), and the pointers down
//! (two make a pinch zoom).

use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{NodeId, Point};

/// How far (screen pixels) a press moves before it is a drag, not a click.
const DRAG_AFTER: f64 = 4.0;

/// What a press took hold of: the map (a drag pans it), or a node or a
/// group (a drag moves it, and pins it there).
#[derive(Clone, Debug, PartialEq)]
pub enum Grab {
    Map,
    Node(NodeId),
    Group(String),
}

/// A press: where the pointer last was, whether it moved enough to be a
/// drag, and what it holds.
struct Press {
    at: Point,
    moved: bool,
    grab: Grab,
}

/// What a move did.
#[derive(Debug, PartialEq)]
pub enum Moved {
    /// Nothing pressed: it only hovers.
    Hover,
    /// Panned or pinch-zoomed the view.
    View,
    /// Dragged a node or a group this far (screen pixels) since the last move.
    Drag(Grab, Point),
}

/// What letting go did.
#[derive(Debug, PartialEq)]
pub enum Release {
    /// A press that never became a drag or a pinch.
    Click,
    /// The end of a drag of a node or a group.
    Drop(Grab),
    Nothing,
}

/// What the pointer is doing.
#[derive(Default)]
pub struct Pointer {
    /// The node under the pointer (or under its badge, see the map).
    pub hover: Option<NodeId>,
    press: Option<Press>,
    /// Pointers down now, by id (two make a pinch).
    pointers: Vec<(i32, Point)>,
}

impl Pointer {
    /// Pointer `id` went down at `p`, on `grab`.
    pub fn down(&mut self, id: i32, p: Point, grab: Grab) {
        self.pointers.retain(|(i, _)| *i != id);
        self.pointers.push((id, p));
        // A second finger turns a press into a pinch, never a click.
        self.press = (self.pointers.len() == 1).then_some(Press { at: p, moved: false, grab });
    }

    /// Pointer `id` moved to `p`: a pinch zooms `view`, a drag of the map
    /// pans it, a drag of a node or a group says how far it went.
    pub fn moved(&mut self, id: i32, p: Point, view: &mut Viewport) -> Moved {
        if self.pointers.len() == 2 {
            let Some(i) = self.pointers.iter().position(|(i, _)| *i == id) else { return Moved::Hover };
            let from = (self.pointers[0].1, self.pointers[1].1);
            self.pointers[i].1 = p;
            let to = (self.pointers[0].1, self.pointers[1].1);
            view.pinch(from, to);
            return Moved::View;
        }
        let Some(press) = &mut self.press else { return Moved::Hover };
        let by = Point { x: p.x - press.at.x, y: p.y - press.at.y };
        if !press.moved && by.x.hypot(by.y) <= DRAG_AFTER {
            return Moved::Hover;
        }
        press.moved = true;
        press.at = p;
        match &press.grab {
            Grab::Map => {
                view.pan(by.x, by.y);
                Moved::View
            }
            grab => Moved::Drag(grab.clone(), by),
        }
    }

    /// Pointer `id` went up: a click, the end of a drag, or nothing.
    pub fn up(&mut self, id: i32) -> Release {
        self.pointers.retain(|(i, _)| *i != id);
        match self.press.take() {
            Some(Press { moved: false, .. }) => Release::Click,
            Some(Press { moved: true, grab: Grab::Map, .. }) | None => Release::Nothing,
            Some(Press { grab, .. }) => Release::Drop(grab),
        }
    }

    /// The pointer left the map: nothing is pressed or hovered. Whether
    /// that ended a drag of a node or a group.
    pub fn leave(&mut self) -> bool {
        let dragging = self.press.take().is_some_and(|p| p.moved && p.grab != Grab::Map);
        self.hover = None;
        self.pointers.clear();
        dragging
    }

    /// Hovers `node`; whether that changed what is hovered.
    pub fn set_hover(&mut self, node: Option<NodeId>) -> bool {
        let changed = self.hover != node;
        self.hover = node;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_press_clicks_pans_or_drags_what_it_holds() {
        let p = |x: f64, y: f64| Point { x, y };
        let mut view = Viewport::default();
        let mut ptr = Pointer::default();
        ptr.down(1, p(10.0, 10.0), Grab::Map);
        assert_eq!(ptr.moved(1, p(12.0, 10.0), &mut view), Moved::Hover, "a tremble is still a click");
        assert_eq!(ptr.up(1), Release::Click);

        ptr.down(1, p(10.0, 10.0), Grab::Map);
        assert_eq!(ptr.moved(1, p(30.0, 10.0), &mut view), Moved::View);
        assert_eq!(view.x, 20.0, "the map panned");
        assert_eq!(ptr.up(1), Release::Nothing);

        let node = Grab::Node(NodeId::Router("r1".into()));
        ptr.down(1, p(10.0, 10.0), node.clone());
        assert_eq!(ptr.moved(1, p(20.0, 15.0), &mut view), Moved::Drag(node.clone(), p(10.0, 5.0)));
        assert_eq!(
            ptr.moved(1, p(21.0, 15.0), &mut view),
            Moved::Drag(node.clone(), p(1.0, 0.0)),
            "since the last move"
        );
        assert_eq!(view.x, 20.0, "the map stayed");
        assert_eq!(ptr.up(1), Release::Drop(node));
    }
}
