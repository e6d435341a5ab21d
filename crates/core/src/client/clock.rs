//! The feed's clock, as the browser sees it. Event times are the
//! controller's, and "recent" and "stale" must be judged on that clock,
//! not on a laptop's that may be minutes off. The feed tells its time in
//! every snapshot and heartbeat; between them, the browser's own clock
//! measures how much time has passed.

use crate::Timestamp;

/// See the module docs. Local times are milliseconds on any steady
/// browser clock (`Date.now()`, `performance.now()`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ServerClock {
    /// The latest server time heard, and the local time it was heard at.
    anchor: Option<(Timestamp, f64)>,
}

impl ServerClock {
    /// Records that the server said `server` at local time `local_ms`. The
    /// newest report wins, even when it goes back (a restarted feed on
    /// another host has another clock).
    pub fn observe(&mut self, server: Timestamp, local_ms: f64) {
        self.anchor = Some((server, local_ms));
    }

    /// The latest report and the local time it came at, if any.
    pub fn anchor(&self) -> Option<(Timestamp, f64)> {
        self.anchor
    }

    /// The server time reported last, if any.
    pub fn last_reported(&self) -> Option<Timestamp> {
        self.anchor.map(|(t, _)| t)
    }

    /// The server's time now, at local time `local_ms` (`None` before the
    /// server said anything). A local clock that went back counts as no
    /// time passed.
    pub fn now(&self, local_ms: f64) -> Option<Timestamp> {
        let (server, at) = self.anchor?;
        let elapsed_ns = ((local_ms - at).max(0.0) * 1e6) as i64;
        Some(Timestamp(server.0.saturating_add(elapsed_ns)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_elapses_on_the_server_s_clock() {
        let mut c = ServerClock::default();
        assert_eq!(c.now(5.0), None, "nothing heard yet");
        c.observe(Timestamp(1_000_000_000_000), 10_000.0);
        assert_eq!(c.now(10_000.0), Some(Timestamp(1_000_000_000_000)));
        assert_eq!(c.now(12_500.0), Some(Timestamp(1_002_500_000_000)), "2.5 s later");
        assert_eq!(c.now(9_000.0), Some(Timestamp(1_000_000_000_000)), "a local clock that went back");
        c.observe(Timestamp(500), 13_000.0);
        assert_eq!(c.now(13_001.0), Some(Timestamp(1_000_500)), "a newer report wins, even going back");
        assert_eq!(c.last_reported(), Some(Timestamp(500)));
    }
}
