//! `exec`: runs a command that prints controller events as JSON lines
//! (`ziti fabric stream events …`), reads its standard output line by line,
//! and runs it again whenever it ends: the CLI exits, with status 0, when its
//! controller restarts or fails over, and a feed reading it through a pipe
//! would go on serving a frozen network that looks live.
//!
//! - **Restarts** follow a capped exponential backoff (1 s doubling to
//!   30 s by default, with jitter); a run that lasted [`HEALTHY`] starts
//!   the schedule over. A command that cannot start ("spawn failed: No such
//!   file or directory") or exits at once is retried on the same schedule,
//!   counted, and its reason kept: the other sources go on, and nothing
//!   the store already holds is lost.
//! - **Down** starts when a run ends (or fails to start) and lasts until a
//!   later run proves itself: it prints a line, or runs for [`HEALTHY`]
//!   (a quiet network prints nothing). So a command that fails again and
//!   again is one outage, with the newest reason; the first run counts as
//!   up from the start.
//! - **Stalls**: with `stall-secs`, a run that prints nothing for that
//!   long is ended and restarted. Off by default, since a quiet network is
//!   legal; it suits a command that prints something regularly (`--metrics`).
//! - **Lines** that are not JSON objects (the CLI's `--verbose` request
//!   lines) are skipped and counted, not rejected. Standard error goes to
//!   the log (thinned), and its last line joins the exit's reason.
//! - **No orphans**: the command runs in its own process group, which is
//!   ended (SIGTERM, then SIGKILL after a grace period) when a run ends and
//!   when the feed stops; on Linux it also dies with the feed
//!   (`PR_SET_PDEATHSIG`), even if the feed is killed outright.

use super::lines::{Lines, Overlong};
use super::spec::ExecSpec;
use super::{cap, Ingest};
use crate::hub::now;
use rand::{Rng, SeedableRng};
use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use zitiscope_core::{Backoff, Timestamp};

/// A run that lasts this long is healthy: it counts as up even if it
/// printed nothing, and the restart schedule starts over after it.
pub const HEALTHY: Duration = Duration::from_secs(10);
/// How often a run is looked at (exit, stall, shutdown).
const TICK: Duration = Duration::from_millis(25);
/// Standard error lines logged in full per source before logging thins out.
const LOG_FIRST: u64 = 20;

/// How to run and supervise the command.
#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// End a run that prints nothing for this long.
    pub stall: Option<Duration>,
    /// The first restart delay and the longest.
    pub restart: (Duration, Duration),
    /// Longest line accepted, in bytes.
    pub max_line: usize,
    /// See [`HEALTHY`].
    pub healthy: Duration,
    /// How long a command has to end after SIGTERM before SIGKILL.
    pub grace: Duration,
}

impl From<&ExecSpec> for ExecOptions {
    fn from(e: &ExecSpec) -> Self {
        ExecOptions {
            command: e.command.clone(),
            stall: (e.stall_secs > 0).then(|| Duration::from_secs(e.stall_secs)),
            restart: (Duration::from_millis(e.restart_ms), Duration::from_millis(e.restart_max_ms)),
            max_line: e.max_line_bytes,
            healthy: HEALTHY,
            grace: Duration::from_secs(2),
        }
    }
}

/// Runs the command until `stop` (run it on its own thread). Its state and
/// restarts go to the ingest's counters.
pub fn supervise(opts: ExecOptions, ingest: Arc<Ingest>, stop: watch::Receiver<bool>) {
    let (stats, name) = (ingest.stats().clone(), ingest.name().to_owned());
    let (first, max) = opts.restart;
    let mut backoff = Backoff::new(first.as_millis() as f64, max.as_millis() as f64);
    let mut jitter = rand::rngs::SmallRng::seed_from_u64(now().0 as u64 ^ name.len() as u64);
    let mut runs = 0u64;
    while !*stop.borrow() {
        if runs > 0 {
            stats.restarts.fetch_add(1, Ordering::Relaxed);
        }
        runs += 1;
        let began = Instant::now();
        let (at, reason) = match Run::start(&opts, &ingest) {
            Err(e) => (now(), format!("spawn failed: {}", os_message(&e))),
            Ok(run) => {
                stats.set_pid(Some(run.child.id()));
                tracing::info!(source = %name, pid = run.child.id(), "started {}", opts.command.join(" "));
                match run.watch(&opts, &ingest, &stop) {
                    Some(ended) => ended,
                    None => break,
                }
            }
        };
        if began.elapsed() >= opts.healthy {
            backoff.reset();
        }
        let delay = Duration::from_millis(backoff.next_delay_ms(jitter.random::<f64>()) as u64);
        let was_up = stats.down(at, reason.clone());
        if was_up || backoff.attempts() <= 3 || backoff.attempts().is_power_of_two() {
            tracing::warn!(source = %name, runs, "{reason}; running it again in {} ms", delay.as_millis());
        }
        if !sleep_unless(&stop, delay) {
            break;
        }
    }
    stats.set_pid(None);
}

/// Sleeps for `d` unless `stop` turns true first; returns whether it slept through.
fn sleep_unless(stop: &watch::Receiver<bool>, d: Duration) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if *stop.borrow() {
            return false;
        }
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
    !*stop.borrow()
}

/// One run of the command, with its readers.
struct Run {
    child: Child,
    began: Instant,
    /// When the newest line came, in ms since `began`, plus 1 (0: none yet).
    activity: Arc<AtomicU64>,
    /// The newest line on standard error, for the exit's reason.
    last_stderr: Arc<Mutex<Option<String>>>,
    /// The last line on standard output if it was not JSON (the CLI prints
    /// "error starting event streaming […]" there before it exits 1).
    last_chatter: Arc<Mutex<Option<String>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Run {
    fn start(opts: &ExecOptions, ingest: &Arc<Ingest>) -> io::Result<Run> {
        let (program, args) = opts.command.split_first().ok_or(io::ErrorKind::InvalidInput)?;
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        own_group(&mut cmd);
        let mut run = Run {
            child: cmd.spawn()?,
            began: Instant::now(),
            activity: Arc::new(AtomicU64::new(0)),
            last_stderr: Arc::new(Mutex::new(None)),
            last_chatter: Arc::new(Mutex::new(None)),
            threads: Vec::new(),
        };
        if let Err(e) = run.read(opts, ingest) {
            run.end(Duration::ZERO);
            return Err(e);
        }
        Ok(run)
    }

    /// Starts the threads that read standard output into the ingest and
    /// standard error into the log.
    fn read(&mut self, opts: &ExecOptions, ingest: &Arc<Ingest>) -> io::Result<()> {
        let name = ingest.name().to_owned();
        let mut stdout = self.child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?;
        let stderr = self.child.stderr.take().ok_or(io::ErrorKind::BrokenPipe)?;
        let (ingest, activity, began, max_line) = (ingest.clone(), self.activity.clone(), self.began, opts.max_line);
        let chatter = self.last_chatter.clone();
        self.threads.push(std::thread::Builder::new().name(format!("exec-{name}")).spawn(move || {
            let mut lines = Lines::new(max_line, 1);
            // Whether the batcher still takes events (it goes at shutdown).
            let open = std::cell::Cell::new(true);
            let mut out = |n: u64, line: Result<&[u8], Overlong>| {
                activity.store(began.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
                let text = line.as_ref().ok().map(|b| String::from_utf8_lossy(b));
                let said = text.as_deref().map(str::trim).filter(|t| !t.is_empty() && !t.starts_with('{'));
                *chatter.lock().unwrap_or_else(|p| p.into_inner()) = said.map(|t| cap(t, 200));
                open.set(open.get() && ingest.line(n, line));
            };
            let mut buf = vec![0u8; 64 * 1024];
            while open.get() {
                match stdout.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => lines.push(&buf[..n], &mut out),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            lines.finish(&mut out);
        })?);
        let last = self.last_stderr.clone();
        self.threads.push(
            std::thread::Builder::new()
                .name(format!("exec-{name}-stderr"))
                .spawn(move || log_stderr(stderr, &name, &last))?,
        );
        Ok(())
    }

    /// Watches the run until it ends (when it was seen to, and why) or
    /// `stop` ends it (`None`).
    fn watch(
        mut self,
        opts: &ExecOptions,
        ingest: &Ingest,
        stop: &watch::Receiver<bool>,
    ) -> Option<(Timestamp, String)> {
        let mut proven = false;
        loop {
            if *stop.borrow() {
                self.end(opts.grace);
                return None;
            }
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    let at = now();
                    self.end(opts.grace);
                    let reason = describe(status);
                    // What it last said: on stderr, or, when it failed, the
                    // message it printed last on stdout.
                    let take = |m: &Mutex<Option<String>>| m.lock().unwrap_or_else(|p| p.into_inner()).take();
                    let said =
                        take(&self.last_stderr).or_else(|| take(&self.last_chatter).filter(|_| !status.success()));
                    return Some((
                        at,
                        match said {
                            Some(text) => format!("{reason}: {text}"),
                            None => reason,
                        },
                    ));
                }
                Ok(None) => {}
                Err(e) => {
                    let at = now();
                    self.end(opts.grace);
                    return Some((at, format!("cannot wait for it: {}", os_message(&e))));
                }
            }
            let elapsed = self.began.elapsed();
            let last = self.activity.load(Ordering::Relaxed);
            if !proven && (last > 0 || elapsed >= opts.healthy) {
                proven = true;
                if ingest.stats().up() {
                    tracing::info!(source = %ingest.name(), "up again");
                }
            }
            let quiet = elapsed.saturating_sub(Duration::from_millis(last.saturating_sub(1)));
            if let Some(stall) = opts.stall.filter(|s| quiet >= *s) {
                let at = now();
                self.end(opts.grace);
                let secs = if stall.subsec_millis() == 0 {
                    format!("{} s", stall.as_secs())
                } else {
                    format!("{} ms", stall.as_millis())
                };
                return Some((at, format!("stalled: no line for {secs}")));
            }
            std::thread::sleep(TICK);
        }
    }

    /// Ends the run: SIGTERM to its process group, SIGKILL after `grace`,
    /// and whatever it left in its group goes too; then waits for the
    /// readers to take the last of its output.
    fn end(&mut self, grace: Duration) {
        if matches!(self.child.try_wait(), Ok(None)) {
            signal_group(&mut self.child, Signal::Term);
            let until = Instant::now() + grace;
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        signal_group(&mut self.child, Signal::Kill);
        let _ = self.child.wait();
        // The pipes close once the whole group is gone; a process that left
        // the group and still holds one must not hold the supervisor too.
        let until = Instant::now() + Duration::from_secs(2);
        while self.threads.iter().any(|t| !t.is_finished()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        for t in self.threads.drain(..).filter(|t| t.is_finished()) {
            let _ = t.join();
        }
    }
}

/// Logs standard error line by line (thinned past [`LOG_FIRST`]) and keeps
/// the newest line.
fn log_stderr(mut stderr: impl Read, name: &str, last: &Mutex<Option<String>>) {
    let mut lines = Lines::new(4096, 1);
    let mut logged = 0u64;
    let mut out = |_: u64, line: Result<&[u8], Overlong>| {
        let text = match line {
            Ok(b) => String::from_utf8_lossy(b).trim().to_owned(),
            Err(o) => format!("({} bytes)", o.len),
        };
        if text.is_empty() {
            return;
        }
        logged += 1;
        if logged <= LOG_FIRST || logged.is_power_of_two() {
            tracing::warn!(source = %name, "stderr: {}", cap(&text, 1000));
        }
        *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(cap(&text, 200));
    };
    let mut buf = [0u8; 4096];
    loop {
        match stderr.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => lines.push(&buf[..n], &mut out),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    lines.finish(&mut out);
}

/// "exited with status 1", "killed by signal 9".
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended ({status})"),
    }
}

/// An I/O error's message without its " (os error 2)" suffix.
fn os_message(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    }
}

enum Signal {
    Term,
    Kill,
}

/// Runs the command in a process group of its own (so that ending the run
/// ends whatever it started), and on Linux lets it die with the feed.
#[cfg(unix)]
fn own_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: between fork and exec only async-signal-safe calls are
    // allowed; prctl is one, and nothing here allocates or locks.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn own_group(_cmd: &mut Command) {}

#[cfg(unix)]
fn signal_group(child: &mut Child, signal: Signal) {
    let sig = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // The child leads its group, so the group's id is its pid. A group
    // that is already gone answers ESRCH, which is fine.
    if let Ok(pgid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // it touches no memory of ours.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }
}

#[cfg(not(unix))]
fn signal_group(child: &mut Child, _signal: Signal) {
    let _ = child.kill();
}

#[cfg(test)]
mod tests;
