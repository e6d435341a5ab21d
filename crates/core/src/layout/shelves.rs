//! Where a new group box goes: left to right along a shelf, and a new
//! shelf below once a shelf is as wide as the picture should be. A box,
//! once placed, never moves: growth only ever adds boxes after the last.

use super::Rect;

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub(super) struct Shelves {
    /// How wide a shelf may grow before the next one starts (fixed by the
    /// first boxes placed, so nothing placed later moves anything).
    pub width: Option<f64>,
    /// Where the next box goes on the current shelf.
    x: f64,
    /// The current shelf's top, and its height so far.
    y: f64,
    h: f64,
}

impl Shelves {
    /// Empty shelves `width` wide.
    pub fn new(width: f64) -> Self {
        Shelves { width: Some(width), ..Default::default() }
    }

    /// Of the widths that end a shelf after the first k of these boxes
    /// (`(w, h)`, in order), the one whose packed picture, `above` taller,
    /// is nearest `aspect` (width : height).
    pub fn fit_width(boxes: &[(f64, f64)], gap: f64, aspect: f64, above: f64) -> f64 {
        let off = |w: f64, h: f64| ((w / h) / aspect).ln().abs();
        let mut best = (f64::INFINITY, 0.0);
        let mut width = -gap;
        for (w, _) in boxes {
            width += w + gap;
            let mut packed = Shelves::new(width);
            let (mut right, mut bottom): (f64, f64) = (0.0, 0.0);
            for &(bw, bh) in boxes {
                let r = packed.place(bw, bh, gap);
                right = right.max(r.x + r.w);
                bottom = bottom.max(r.y + r.h);
            }
            let score = off(right, bottom + above);
            if score < best.0 {
                best = (score, width);
            }
        }
        best.1
    }

    /// A place for a `w` × `h` box, `gap` away from its neighbours.
    pub fn place(&mut self, w: f64, h: f64, gap: f64) -> Rect {
        let width = self.width.unwrap_or(f64::INFINITY);
        if self.x > 0.0 && self.x + w > width {
            self.y += self.h + gap;
            self.x = 0.0;
            self.h = 0.0;
        }
        let at = Rect { x: self.x, y: self.y, w, h };
        self.x += w + gap;
        self.h = self.h.max(h);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_fill_a_shelf_then_start_the_next_below_the_tallest() {
        let mut s = Shelves { width: Some(250.0), ..Default::default() };
        let a = s.place(100.0, 50.0, 10.0);
        let b = s.place(100.0, 80.0, 10.0);
        let c = s.place(100.0, 20.0, 10.0);
        assert_eq!((a.x, a.y, b.x, b.y), (0.0, 0.0, 110.0, 0.0));
        assert_eq!((c.x, c.y), (0.0, 90.0), "below the shelf's tallest box");
        let wide = s.place(900.0, 10.0, 10.0);
        assert_eq!((wide.x, wide.y), (0.0, 120.0), "a box wider than the shelf gets a shelf of its own");
    }
}
