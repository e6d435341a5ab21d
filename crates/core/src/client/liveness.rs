//! Whether the feed's stream is alive, and whether that can be judged at
//! all. Our own feed opens every stream with a snapshot (or a resume) and
//! then beats every few seconds, so silence from it means trouble. A plain
//! third-party producer (the design note's events as unnamed `message`s)
//! sends no heartbeat and no snapshot: it is quiet whenever its network is,
//! and its silence means nothing. Judged by our feed's rules it showed as
//! "connecting", stale and disconnected, and was torn down every few
//! seconds while its connection was open and its events arrived.
//!
//! The rule, decided per feed from what its streams show:
//!
//! - a feed **announces** a heartbeat with a `heartbeat`, `snapshot` or
//!   `resume` event (ours open every stream with one of the last two); from
//!   then on it is held to it ([`Beats::Sent`]), as it always was;
//! - a stream whose first message is anything else, or that stays open a
//!   whole heartbeat period without a word, shows a feed that sends none
//!   ([`Beats::Absent`]), until it announces one;
//! - a stream is **live** once it has announced, or, for a feed that sends
//!   no heartbeat, as soon as it is open (EventSource `open`). Until the
//!   feed has shown which it is, an open stream is still connecting: so
//!   our feed goes live on its snapshot, as it always did, and a plain
//!   producer on its first message (or after a silent heartbeat period);
//! - the watchdog replaces a stream that did not open within
//!   [`DEAD_BEATS`] heartbeat periods (a half-open socket, a proxy that
//!   holds the request), and, for a feed that sends heartbeats, one that
//!   said nothing for that long; never an open stream of a feed that
//!   announced none;
//! - staleness (the banner, the stale alert) is judged only for a feed
//!   that has not shown it sends no heartbeat ([`Beats::judged`]).
//!
//! A real disconnect (an EventSource error) is reported as ever, whatever
//! the feed. Times are milliseconds on the browser's clock, passed in, so a
//! test clock drives every rule.

use crate::alerts::config::DEAD_BEATS;
use crate::wire;

/// What a feed has shown of its heartbeat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Beats {
    /// Nothing yet: no stream has said anything.
    #[default]
    Unknown,
    /// It announced one (a heartbeat, a snapshot or a resume).
    Sent,
    /// It has shown it sends none.
    Absent,
}

impl Beats {
    /// Whether its silence can mean it is stale. Only a feed that has shown
    /// it sends no heartbeat cannot be judged; before it said anything there
    /// is no silence to judge yet.
    pub fn judged(self) -> bool {
        self != Beats::Absent
    }
}

/// Where the current stream stands, for the status badge and the alerts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// No stream, or one that is not live yet.
    #[default]
    Connecting,
    /// Announced, or open for a feed that sends no heartbeat.
    Live,
    /// The stream failed; the app reconnects on its schedule.
    Failed,
}

/// See the module docs. One per feed URL, for the page's whole life: what
/// it learnt of the feed's heartbeat outlives each stream.
#[derive(Clone, Debug, Default)]
pub struct Liveness {
    beats: Beats,
    /// When the current stream was started (`None`: no stream).
    started_ms: Option<f64>,
    /// Its `open` came.
    open: bool,
    /// It announced a heartbeat.
    announced: bool,
    /// When it last said anything (its `open` counts).
    last_word_ms: Option<f64>,
    /// Messages it delivered.
    words: u64,
    failed: bool,
}

impl Liveness {
    /// Nothing known of the feed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new stream is being opened at `now_ms`, replacing any other.
    pub fn connecting(&mut self, now_ms: f64) {
        *self = Liveness { beats: self.beats, started_ms: Some(now_ms), ..Liveness::default() };
    }

    /// The stream's `open` came: the reply is a 200 event stream.
    pub fn opened(&mut self, now_ms: f64) {
        self.open = true;
        self.last_word_ms = Some(now_ms);
    }

    /// The stream delivered an SSE message named `event` (`message` for an
    /// unnamed one). Every message is a word: it keeps the stream from
    /// being taken for dead.
    pub fn heard(&mut self, event: &str, now_ms: f64) {
        // A message is proof enough of an open stream, whatever came first.
        self.open = true;
        if matches!(event, wire::HEARTBEAT | wire::SNAPSHOT | wire::RESUME) {
            self.announced = true;
            self.beats = Beats::Sent;
        } else if self.words == 0 {
            // The stream's first message is not an announcement: ours never
            // starts so. (A producer that announces later still counts.)
            self.beats = Beats::Absent;
        }
        self.last_word_ms = Some(now_ms);
        self.words = self.words.saturating_add(1);
    }

    /// The stream failed (an EventSource error).
    pub fn failed(&mut self) {
        self.failed = true;
        self.open = false;
    }

    /// What the feed has shown of its heartbeat.
    pub fn beats(&self) -> Beats {
        self.beats
    }

    /// Where the current stream stands.
    pub fn phase(&self) -> Phase {
        if self.failed {
            Phase::Failed
        } else if self.open && (self.announced || self.beats == Beats::Absent) {
            Phase::Live
        } else {
            Phase::Connecting
        }
    }

    /// The watchdog, called on a timer with the feed's heartbeat period:
    /// learns that a feed that stayed silent a whole period sends none, and
    /// says whether the stream should be given up for dead and replaced.
    pub fn check(&mut self, now_ms: f64, heartbeat_ms: f64) -> bool {
        let Some(started) = self.started_ms else { return false };
        if self.failed {
            return false;
        }
        let quiet = now_ms - self.last_word_ms.unwrap_or(started).max(started);
        if self.open && self.beats == Beats::Unknown && self.words == 0 && quiet > heartbeat_ms {
            self.beats = Beats::Absent;
        }
        let dead = quiet > DEAD_BEATS * heartbeat_ms;
        dead && (!self.open || self.beats == Beats::Sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEAT: f64 = 5_000.0;

    #[test]
    fn a_plain_producer_is_live_while_open_and_never_replaced() {
        let mut l = Liveness::new();
        l.connecting(0.0);
        assert_eq!(l.phase(), Phase::Connecting, "not open yet");
        l.opened(100.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Connecting, Beats::Unknown), "open, but what feed is it?");
        l.heard("message", 200.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Absent), "a first plain message: no heartbeat");
        assert!(!l.beats().judged());
        // A minute and more of silence, checked every second as the app does.
        for t in (1..=120).map(|s| 200.0 + s as f64 * 1_000.0) {
            assert!(!l.check(t, BEAT), "replaced at {t} ms");
            assert_eq!(l.phase(), Phase::Live);
        }
        l.heard("message", 200_000.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Absent));
    }

    #[test]
    fn an_open_stream_silent_a_whole_period_sends_no_heartbeat() {
        let mut l = Liveness::new();
        l.connecting(0.0);
        l.opened(10.0);
        assert!(!l.check(10.0 + BEAT, BEAT));
        assert_eq!((l.phase(), l.beats()), (Phase::Connecting, Beats::Unknown), "one period is not yet telling");
        assert!(!l.check(11.0 + BEAT, BEAT));
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Absent));
        assert!(!l.check(10.0 + 10.0 * BEAT, BEAT), "an open stream of a feed without heartbeats stays");
        assert_eq!(l.phase(), Phase::Live);
    }

    #[test]
    fn our_feed_is_held_to_its_heartbeat() {
        let mut l = Liveness::new();
        l.connecting(0.0);
        l.opened(5.0);
        assert_eq!(l.phase(), Phase::Connecting, "live on its snapshot, as ever");
        l.heard(wire::SNAPSHOT, 6.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Sent));
        l.heard(wire::BATCH, 1_000.0);
        assert_eq!(l.beats(), Beats::Sent, "a batch after the snapshot changes nothing");
        l.heard(wire::HEARTBEAT, 5_000.0);
        assert!(!l.check(5_000.0 + 3.0 * BEAT, BEAT), "exactly 3× is not yet dead");
        assert!(l.check(5_001.0 + 3.0 * BEAT, BEAT), "silent past 3×: replaced");

        // The replacement: open but without its snapshot it still connects,
        // and is given up in turn if the snapshot never comes.
        l.connecting(30_000.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Connecting, Beats::Sent), "what was learnt stays");
        l.opened(30_010.0);
        assert_eq!(l.phase(), Phase::Connecting, "waiting for its snapshot");
        assert!(l.check(30_011.0 + 3.0 * BEAT, BEAT));
        l.connecting(50_000.0);
        l.opened(50_001.0);
        l.heard(wire::RESUME, 50_002.0);
        assert_eq!(l.phase(), Phase::Live, "a resume announces as a snapshot does");
    }

    #[test]
    fn a_stream_that_never_opens_is_replaced_whatever_the_feed() {
        for first in [None, Some("message"), Some(wire::SNAPSHOT)] {
            let mut l = Liveness::new();
            if let Some(event) = first {
                l.connecting(0.0);
                l.heard(event, 1.0);
            }
            l.connecting(100.0);
            assert!(!l.check(100.0 + 3.0 * BEAT, BEAT), "{first:?}: exactly 3×");
            assert!(l.check(101.0 + 3.0 * BEAT, BEAT), "{first:?}: a half-open socket");
            assert_eq!(l.phase(), Phase::Connecting);
        }
    }

    #[test]
    fn failures_are_reported_and_a_new_stream_starts_over() {
        let mut l = Liveness::new();
        assert!(!l.check(1e9, BEAT), "no stream, nothing to replace");
        l.connecting(0.0);
        l.heard("message", 1.0);
        l.failed();
        assert_eq!(l.phase(), Phase::Failed, "a real disconnect, for a feed without heartbeats too");
        assert!(!l.check(1e6, BEAT), "the app's backoff reconnects, not the watchdog");
        l.connecting(2_000.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Connecting, Beats::Absent));
        l.opened(2_100.0);
        assert_eq!(l.phase(), Phase::Live, "a feed known to send no heartbeat is live once open");
    }

    #[test]
    fn what_the_first_message_shows_can_change() {
        // Plain messages first, a heartbeat later: held to it from then on.
        let mut l = Liveness::new();
        l.connecting(0.0);
        l.heard("message", 1.0);
        assert_eq!(l.beats(), Beats::Absent);
        l.heard(wire::HEARTBEAT, 2.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Sent));
        assert!(l.check(3.0 + 3.0 * BEAT, BEAT));
        // Our feed replaced at its URL by a plain producer.
        l.connecting(100_000.0);
        l.opened(100_001.0);
        assert_eq!(l.phase(), Phase::Connecting);
        l.heard("message", 100_002.0);
        assert_eq!((l.phase(), l.beats()), (Phase::Live, Beats::Absent));
        assert!(!l.check(200_000.0, BEAT));
        assert!(Beats::Unknown.judged() && Beats::Sent.judged() && !Beats::Absent.judged());
    }
}
