//! Reconnect timing: exponential backoff with jitter and a ceiling.
//!
//! Browsers' EventSource gives up for good on a non-200 reply or a wrong
//! content type, so the app reconnects by itself on this schedule. Jitter
//! keeps a wall of dashboards from reconnecting in lock-step after a feed
//! restart.

/// See the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// The first delay, in milliseconds.
    pub base_ms: f64,
    /// The longest delay, in milliseconds.
    pub max_ms: f64,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(500.0, 15_000.0)
    }
}

impl Backoff {
    /// A schedule from `base_ms`, doubling up to `max_ms`.
    pub fn new(base_ms: f64, max_ms: f64) -> Self {
        Backoff { base_ms, max_ms, attempt: 0 }
    }

    /// The delay before the next attempt. `jitter` is a random number in
    /// [0, 1); it spreads the delay over ±20%.
    pub fn next_delay_ms(&mut self, jitter: f64) -> f64 {
        let raw = (self.base_ms * 2f64.powi(self.attempt.min(30) as i32)).min(self.max_ms);
        self.attempt = self.attempt.saturating_add(1);
        raw * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))
    }

    /// Failed attempts since the last success.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Call on success: the next failure starts from `base_ms` again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_a_ceiling_and_resets() {
        let mut b = Backoff::new(500.0, 4_000.0);
        let delays: Vec<f64> = (0..6).map(|_| b.next_delay_ms(0.5)).collect();
        assert_eq!(delays, [500.0, 1000.0, 2000.0, 4000.0, 4000.0, 4000.0]);
        assert_eq!(b.attempts(), 6);
        b.reset();
        assert_eq!(b.next_delay_ms(0.5), 500.0);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let mut lo = Backoff::new(1000.0, 1000.0);
        let mut hi = lo.clone();
        assert_eq!(lo.next_delay_ms(0.0), 800.0);
        assert!((hi.next_delay_ms(0.999_999) - 1200.0).abs() < 0.01);
        let clamped = Backoff::default().next_delay_ms(7.0);
        assert!((clamped - 600.0).abs() < 1e-9, "out-of-range jitter is clamped: {clamped}");
    }
}
