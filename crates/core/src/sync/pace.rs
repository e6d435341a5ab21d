//! [`FramePace`]: when the page asks the worker to send its next update.
//!
//! The page draws at its display's frames. An update that reaches it
//! before a frame begins is drawn in that frame; one that arrives just
//! after waits a whole frame. So the page asks at the start of a frame,
//! for the update to leave [`CROSSING_MS`] before the next frame is due:
//! the worker gathers what arrives until then (one update a frame, never
//! one an event), and only what arrives in the last `CROSSING_MS` goes
//! with the frame after, where a page that parsed the stream itself would
//! have drawn it in this one.
//!
//! The frame interval is learnt from the frames' times: the shortest
//! recent one (a frame the page was too busy for is longer, never
//! shorter), drifting slowly up so that a slower display (a window moved
//! to a 30 Hz screen) is followed within a few seconds.

/// What the update's way to the page takes, at most, in ms: the worker
/// building and encoding it, the message, the page decoding and applying
/// it before its frame begins.
pub const CROSSING_MS: f64 = 4.0;
/// The interval before the page saw two frames (60 Hz).
const FIRST_INTERVAL_MS: f64 = 1_000.0 / 60.0;
/// The interval's bounds: a 240 Hz display, and 20 frames a second (a
/// page slower than that gets its update at once anyway).
const INTERVAL_MS: (f64, f64) = (4.0, 50.0);
/// How much the learnt interval may grow a frame, in ms.
const DRIFT_MS: f64 = 0.05;

/// See the module docs.
#[derive(Clone, Debug)]
pub struct FramePace {
    last: Option<f64>,
    interval: f64,
}

impl Default for FramePace {
    fn default() -> Self {
        FramePace { last: None, interval: FIRST_INTERVAL_MS }
    }
}

impl FramePace {
    /// A frame began at `at_ms` (on the shared epoch clock): when the next
    /// update should leave the worker ([`super::Command::Ready`]'s
    /// `send_at`).
    pub fn frame(&mut self, at_ms: f64) -> f64 {
        if let Some(last) = self.last.replace(at_ms) {
            let seen = at_ms - last;
            if seen > 0.0 {
                self.interval = seen.min(self.interval + DRIFT_MS).clamp(INTERVAL_MS.0, INTERVAL_MS.1);
            }
        }
        at_ms + (self.interval - CROSSING_MS).max(0.0)
    }

    /// The frame interval as learnt, in ms.
    pub fn interval(&self) -> f64 {
        self.interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(pace: &mut FramePace, from: f64, every: f64, n: usize) -> f64 {
        (0..n).map(|k| pace.frame(from + every * k as f64)).last().unwrap()
    }

    #[test]
    fn the_update_leaves_in_time_for_the_next_frame() {
        let mut pace = FramePace::default();
        assert_eq!(pace.frame(1_000.0), 1_000.0 + FIRST_INTERVAL_MS - CROSSING_MS);
        let at = frames(&mut pace, 2_000.0, 8.0, 10);
        assert_eq!(pace.interval(), 8.0, "a 120 Hz display is learnt at once");
        assert_eq!(at, 2_072.0 + 8.0 - CROSSING_MS);
    }

    #[test]
    fn busy_frames_do_not_stretch_the_interval_but_a_slower_display_does() {
        let mut pace = FramePace::default();
        frames(&mut pace, 0.0, 16.0, 10);
        pace.frame(300.0);
        assert!(pace.interval() < 16.1, "one long frame (or a quiet stream's late ask) is not the display's");
        frames(&mut pace, 1_000.0, 33.0, 400);
        assert_eq!(pace.interval(), 33.0, "a 30 Hz display is followed");
        frames(&mut pace, 20_000.0, 100.0, 2_000);
        assert_eq!(pace.interval(), INTERVAL_MS.1);
        assert_eq!(pace.frame(400_000.0 + 1.0), 400_001.0 + INTERVAL_MS.1 - CROSSING_MS, "never past the bound");
    }

    #[test]
    fn a_clock_that_went_back_changes_nothing() {
        let mut pace = FramePace::default();
        frames(&mut pace, 0.0, 16.0, 5);
        pace.frame(10.0);
        assert_eq!(pace.interval(), 16.0);
    }
}
