//! Pan and zoom: the map's transform from map units to screen pixels
//! (`screen = map × scale + offset`), with zoom about a point and fit.

use super::Point;

/// The smallest and largest zoom.
pub const MIN_SCALE: f64 = 0.02;
pub const MAX_SCALE: f64 = 8.0;

/// See the module docs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { scale: 1.0, x: 0.0, y: 0.0 }
    }
}

impl Viewport {
    /// Where a map point is on screen.
    pub fn to_screen(&self, p: Point) -> Point {
        Point { x: p.x * self.scale + self.x, y: p.y * self.scale + self.y }
    }

    /// Which map point is under a screen point.
    pub fn to_map(&self, s: Point) -> Point {
        Point { x: (s.x - self.x) / self.scale, y: (s.y - self.y) / self.scale }
    }

    /// Zooms by `factor` keeping the map point under `at` where it is.
    pub fn zoom_at(&mut self, at: Point, factor: f64) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let anchor = self.to_map(at);
        self.scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        self.x = at.x - anchor.x * self.scale;
        self.y = at.y - anchor.y * self.scale;
    }

    /// Follows a two-finger pinch from the fingers at `from` to `to`
    /// (screen points): the map point under their midpoint follows the
    /// midpoint, and the zoom follows their spread.
    pub fn pinch(&mut self, from: (Point, Point), to: (Point, Point)) {
        let mid = |(a, b): (Point, Point)| Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
        let spread = |(a, b): (Point, Point)| (a.x - b.x).hypot(a.y - b.y);
        let (m0, m1) = (mid(from), mid(to));
        // Fingers that start together say nothing about zoom.
        if spread(from) > 1.0 {
            self.zoom_at(m0, spread(to) / spread(from));
        }
        self.pan(m1.x - m0.x, m1.y - m0.y);
    }

    /// Moves the map by a screen distance.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        self.x += dx;
        self.y += dy;
    }

    /// The viewport that shows `bounds` whole and centred in a `width` ×
    /// `height` screen, with `margin` pixels around it (never above zoom 1.5).
    pub fn fit(bounds: (Point, Point), width: f64, height: f64, margin: f64) -> Viewport {
        Viewport::fit_within(bounds, width, height, margin, 1.5)
    }

    /// [`Viewport::fit`], never above zoom `max` (a wall whose text is
    /// three times a desk's may draw its map three times as large).
    pub fn fit_within(bounds: (Point, Point), width: f64, height: f64, margin: f64, max: f64) -> Viewport {
        let (lo, hi) = bounds;
        let (w, h) = ((hi.x - lo.x).max(1.0), (hi.y - lo.y).max(1.0));
        let avail_w = (width - 2.0 * margin).max(1.0);
        let avail_h = (height - 2.0 * margin).max(1.0);
        let scale = (avail_w / w).min(avail_h / h).clamp(MIN_SCALE, max.clamp(MIN_SCALE, MAX_SCALE));
        let cx = (lo.x + hi.x) / 2.0;
        let cy = (lo.y + hi.y) / 2.0;
        Viewport { scale, x: width / 2.0 - cx * scale, y: height / 2.0 - cy * scale }
    }

    /// Whether a map point is on a `width` × `height` screen (with `slack` pixels).
    pub fn visible(&self, p: Point, width: f64, height: f64, slack: f64) -> bool {
        let s = self.to_screen(p);
        s.x >= -slack && s.y >= -slack && s.x <= width + slack && s.y <= height + slack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinch_zooms_about_its_midpoint_and_pans_with_it() {
        let p = |x: f64, y: f64| Point { x, y };
        let mut v = Viewport::default();
        let under = v.to_map(p(150.0, 100.0));
        // Fingers 100 px apart spread to 200 px about the same midpoint.
        v.pinch((p(100.0, 100.0), p(200.0, 100.0)), (p(50.0, 100.0), p(250.0, 100.0)));
        assert!((v.scale - 2.0).abs() < 1e-9);
        let s = v.to_screen(under);
        assert!((s.x - 150.0).abs() < 1e-9 && (s.y - 100.0).abs() < 1e-9, "the midpoint's map point stays: {s:?}");
        // The same spread, moved 30 px right: a pan.
        v.pinch((p(50.0, 100.0), p(250.0, 100.0)), (p(80.0, 100.0), p(280.0, 100.0)));
        assert!((v.scale - 2.0).abs() < 1e-9);
        assert!((v.to_screen(under).x - 180.0).abs() < 1e-9);
        let before = v;
        v.pinch((p(10.0, 10.0), p(10.0, 10.0)), (p(10.0, 10.0), p(90.0, 10.0)));
        assert_eq!(v.scale, before.scale, "fingers that started together do not zoom");
    }

    fn close(a: Point, b: Point) -> bool {
        (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9
    }

    #[test]
    fn screen_and_map_are_inverse_and_zoom_keeps_the_anchor() {
        let mut v = Viewport { scale: 2.0, x: 10.0, y: -5.0 };
        let p = Point { x: 33.0, y: 71.0 };
        assert!(close(v.to_map(v.to_screen(p)), p));
        let at = Point { x: 200.0, y: 150.0 };
        let under = v.to_map(at);
        v.zoom_at(at, 1.7);
        assert!(close(v.to_map(at), under), "the point under the pointer stays");
        v.zoom_at(at, 1e9);
        assert_eq!(v.scale, MAX_SCALE);
        v.zoom_at(at, f64::NAN);
        assert_eq!(v.scale, MAX_SCALE, "a bad factor changes nothing");
    }

    #[test]
    fn fit_shows_everything_centred() {
        let b = (Point { x: -100.0, y: 0.0 }, Point { x: 900.0, y: 400.0 });
        let v = Viewport::fit(b, 800.0, 600.0, 20.0);
        for p in [b.0, b.1] {
            assert!(v.visible(p, 800.0, 600.0, 0.0), "{p:?}");
        }
        let centre = v.to_screen(Point { x: 400.0, y: 200.0 });
        assert!(close(centre, Point { x: 400.0, y: 300.0 }));
        assert!(!v.visible(Point { x: 5000.0, y: 0.0 }, 800.0, 600.0, 0.0));
        let small = (Point { x: 0.0, y: 0.0 }, Point { x: 10.0, y: 10.0 });
        assert_eq!(Viewport::fit(small, 800.0, 600.0, 20.0).scale, 1.5, "a desk never zooms a tiny map past 1.5");
        assert_eq!(Viewport::fit_within(small, 800.0, 600.0, 20.0, 4.0).scale, 4.0);
    }
}
