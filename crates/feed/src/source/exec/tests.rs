//! The supervisor with real child processes (`sh`): restarts, reasons,
//! stalls, skipped chatter, recovery, and no process left behind.

use super::*;
use crate::metrics::SourceStats;
use std::path::{Path, PathBuf};

const WAIT: Duration = Duration::from_secs(20);
const ONLINE: &str = r#"{"namespace":"router","timestamp":"2025-06-12T11:00:02Z","event_src_id":"ctrl1","event_type":"router-online","router_id":"r1","router_online":true}"#;

struct Supervised {
    stats: Arc<SourceStats>,
    events: tokio::sync::mpsc::Receiver<zitiscope_core::Event>,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Supervised {
    /// Supervises `sh -c script` with quick restarts.
    fn sh(script: &str, tune: impl FnOnce(&mut ExecOptions)) -> Supervised {
        let mut opts = ExecOptions {
            command: vec!["sh".into(), "-c".into(), script.into()],
            stall: None,
            restart: (Duration::from_millis(20), Duration::from_millis(80)),
            max_line: 1 << 20,
            healthy: HEALTHY,
            grace: Duration::from_millis(500),
        };
        tune(&mut opts);
        let stats = Arc::new(SourceStats::default());
        let (tx, events) = tokio::sync::mpsc::channel(1024);
        let ingest = Arc::new(Ingest::new("test", stats.clone(), tx).not_json(super::super::NotJson::Skip));
        let (stop, rx) = watch::channel(false);
        let thread = std::thread::spawn(move || supervise(opts, ingest, rx));
        Supervised { stats, events, stop, thread: Some(thread) }
    }

    fn until(&self, what: &str, ok: impl Fn(&SourceStats) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !ok(&self.stats) {
            assert!(Instant::now() < deadline, "{what}: {:?} {:?}", self.stats.counters(), self.stats.state());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the supervisor; returns how long it took.
    fn stop(&mut self) -> Duration {
        let t = Instant::now();
        let _ = self.stop.send(true);
        self.thread.take().unwrap().join().unwrap();
        t.elapsed()
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop();
        }
    }
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zitiscope-exec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read_pid(path: &Path) -> u32 {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(pid) = std::fs::read_to_string(path).ok().and_then(|t| t.trim().parse().ok()) {
            return pid;
        }
        assert!(Instant::now() < deadline, "no pid in {}", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_command_that_exits_is_run_again_with_its_lines_counted_and_chatter_skipped() {
    // One write of three lines, so that a run is never caught half-printed.
    let script = format!("printf '%s\\n' 'emitting events' '{ONLINE}' '{{broken'; echo oops >&2; exit 0");
    let mut s = Supervised::sh(&script, |_| {});
    s.until("three runs", |st| get(&st.restarts) >= 2 && get(&st.lines) >= 9);
    s.stop();
    let c = s.stats.counters();
    assert_eq!(c.events * 3, c.lines, "one event, one chatter line and one broken line a run: {c:?}");
    assert_eq!((c.skipped, c.rejected), (c.events, c.events), "chatter is skipped, broken JSON rejected: {c:?}");
    let reason = c.reason.expect("why it last went down");
    assert!(reason == "exited with status 0: oops", "the exit and its last stderr line: {reason}");
    assert!(s.events.try_recv().is_ok(), "events reach the batcher");
}

#[test]
fn a_command_that_does_not_exist_is_retried_counted_and_down_with_its_reason() {
    let mut s = Supervised::sh("", |o| o.command = vec!["/nonexistent/zitiscope-no-such-command".into()]);
    s.until("retried", |st| get(&st.restarts) >= 3);
    let c = s.stats.counters();
    assert_eq!(c.reason.as_deref(), Some("spawn failed: No such file or directory"));
    let since = c.down_since.expect("down");
    s.until("more retries", |st| get(&st.restarts) >= 5);
    assert_eq!(s.stats.counters().down_since, Some(since), "one outage, however many attempts");
    assert_eq!(s.stats.state().pid, None);
    assert!(s.stop() < Duration::from_secs(2), "a stop ends the backoff wait");
}

#[test]
fn down_until_a_later_run_prints_a_line_then_up_with_the_reason_kept() {
    let dir = scratch("gate");
    let gate = dir.join("gate");
    std::fs::write(&gate, "").unwrap();
    let script = format!(
        "if [ -e '{}' ]; then echo 'controller unreachable' >&2; exit 3; fi; echo '{ONLINE}'; exec sleep 60",
        gate.display()
    );
    let mut s = Supervised::sh(&script, |_| {});
    s.until("down", |st| st.counters().down_since.is_some() && get(&st.restarts) >= 2);
    assert_eq!(s.stats.counters().reason.as_deref(), Some("exited with status 3: controller unreachable"));
    std::fs::remove_file(&gate).unwrap();
    s.until("up again", |st| st.counters().down_since.is_none());
    let c = s.stats.counters();
    assert_eq!((c.events, c.reason.as_deref()), (1, Some("exited with status 3: controller unreachable")));
    let pid = s.stats.state().pid.expect("running");
    assert!(!gone(pid));
    s.stop();
    assert!(gone(pid), "the command ends with its source");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stalled_command_is_ended_with_what_it_started_and_run_again() {
    let dir = scratch("stall");
    let pids = dir.join("child.pid");
    // The shell starts a child of its own that holds the pipe open: ending
    // the run must end it too, or its output would never close.
    let script = format!("echo '{ONLINE}'; sleep 60 & echo $! > '{}'; wait", pids.display());
    let mut s = Supervised::sh(&script, |o| o.stall = Some(Duration::from_millis(300)));
    let first_child = read_pid(&pids);
    s.until("stalled and restarted", |st| get(&st.restarts) >= 1);
    let c = s.stats.counters();
    assert_eq!(c.reason.as_deref(), Some("stalled: no line for 300 ms"), "{c:?}");
    let deadline = Instant::now() + WAIT;
    while !gone(first_child) {
        assert!(Instant::now() < deadline, "the stalled run's own child is gone too");
        std::thread::sleep(Duration::from_millis(10));
    }
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_quiet_healthy_run_counts_as_up_and_starts_the_backoff_over() {
    let dir = scratch("quiet");
    let gate = dir.join("gate");
    std::fs::write(&gate, "").unwrap();
    // Fails while the gate is there, then runs quietly (no line at all).
    let script = format!("if [ -e '{}' ]; then exit 1; fi; exec sleep 60", gate.display());
    let mut s = Supervised::sh(&script, |o| o.healthy = Duration::from_millis(300));
    s.until("down", |st| st.counters().down_since.is_some());
    std::fs::remove_file(&gate).unwrap();
    s.until("up after running quietly for a while", |st| st.counters().down_since.is_none());
    assert_eq!(s.stats.counters().lines, 0, "not one line: up by time alone");
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failure_the_command_printed_on_stdout_joins_its_reason() {
    // As the ziti CLI does when the controller refuses the subscription.
    let script = format!("echo '{ONLINE}'; echo 'error starting event streaming [not authorized]'; exit 1");
    let mut s = Supervised::sh(&script, |_| {});
    s.until("ended", |st| st.counters().reason.is_some());
    let reason = s.stats.counters().reason.unwrap();
    assert_eq!(reason, "exited with status 1: error starting event streaming [not authorized]");
    s.stop();
    // A clean exit after chatter says only that it exited.
    let mut s = Supervised::sh("echo 'event streaming started: success'; exit 0", |_| {});
    s.until("ended", |st| st.counters().reason.is_some());
    assert_eq!(s.stats.counters().reason.as_deref(), Some("exited with status 0"));
    s.stop();
}

#[test]
fn helpers_describe_exits_and_errors_plainly() {
    assert_eq!(os_message(&io::Error::from_raw_os_error(2)), "No such file or directory");
    let status = Command::new("sh").args(["-c", "exit 7"]).status().unwrap();
    assert_eq!(describe(status), "exited with status 7");
    let status = Command::new("sh").args(["-c", "kill -9 $$"]).status().unwrap();
    assert_eq!(describe(status), "killed by signal 9");
}
