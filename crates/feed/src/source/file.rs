//! `file`: follows the controller's JSON event log (the `file` event
//! handler with `format: json`), like `tail -F`:
//! - it starts at the end (only new events) or, with `--from-start`, at
//!   the beginning;
//! - a line still being written waits for its newline;
//! - rotation (the path now names another file) is noticed: the old file
//!   is read to its end, its last line handed over, and the new file is
//!   read from its start;
//! - truncation (`copytruncate`, or `> file`) restarts from the top;
//! - a missing file is waited for.
//!
//! It polls: that works on every filesystem (NFS, container volumes) where
//! change notification does not, and a poll every 250 ms is nothing.

use super::lines::{Lines, Overlong};
use super::Ingest;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

/// Where and how to follow.
#[derive(Clone, Debug)]
pub struct TailOptions {
    pub path: PathBuf,
    /// Read what the file already holds (else only what is appended).
    pub from_start: bool,
    /// Longest line accepted, in bytes.
    pub max_line: usize,
}

/// Which file a handle or path is (device and inode), to notice rotation.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A followed file, advanced by [`Tail::poll`].
pub struct Tail {
    opts: TailOptions,
    file: Option<(File, Option<(u64, u64)>)>,
    pos: u64,
    lines: Lines,
    /// Whether a file was ever opened: later files are read from the start.
    opened_once: bool,
    waiting_logged: bool,
}

impl Tail {
    /// Nothing is read until the first [`Tail::poll`].
    pub fn new(opts: TailOptions) -> Self {
        let lines = Lines::new(opts.max_line, 1);
        Tail { opts, file: None, pos: 0, lines, opened_once: false, waiting_logged: false }
    }

    /// Reads everything new, following rotation and truncation, and hands
    /// each complete line to `out`.
    pub fn poll(&mut self, out: &mut impl FnMut(u64, Result<&[u8], Overlong>)) -> io::Result<()> {
        if self.file.is_none() && !self.open()? {
            return Ok(());
        }
        self.drain(out)?;
        let current = match std::fs::metadata(&self.opts.path) {
            Ok(meta) => meta,
            // Renamed away and not recreated yet: the writer may still be
            // appending to the old file, so keep reading it.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let ours = self.file.as_ref().and_then(|(_, id)| *id);
        if ours.is_some() && identity(&current) != ours {
            tracing::info!(path = %self.opts.path.display(), "log rotated; reading the new file from its start");
            self.lines.finish(out);
            self.file = None;
            if self.open()? {
                self.drain(out)?;
            }
        } else if current.len() < self.pos {
            tracing::info!(path = %self.opts.path.display(), "log truncated; reading from its start");
            if let Some((f, _)) = &mut self.file {
                f.seek(SeekFrom::Start(0))?;
            }
            self.pos = 0;
            self.lines.restart(1);
            self.drain(out)?;
        }
        Ok(())
    }

    /// Opens the path; `false` while it does not exist.
    fn open(&mut self) -> io::Result<bool> {
        let mut file = match File::open(&self.opts.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !std::mem::replace(&mut self.waiting_logged, true) {
                    tracing::warn!(path = %self.opts.path.display(), "waiting for the file to appear");
                }
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let id = identity(&file.metadata()?);
        if self.opened_once || self.opts.from_start {
            self.pos = 0;
            self.lines.restart(1);
        } else {
            // Only new events, but keep line numbers true: count the lines
            // already there, and start after the last complete one (a line
            // being written now is a new event).
            let (complete, lines) = scan(&mut file)?;
            file.seek(SeekFrom::Start(complete))?;
            self.pos = complete;
            self.lines.restart(lines + 1);
        }
        self.file = Some((file, id));
        self.opened_once = true;
        self.waiting_logged = false;
        Ok(true)
    }

    fn drain(&mut self, out: &mut impl FnMut(u64, Result<&[u8], Overlong>)) -> io::Result<()> {
        let Some((file, _)) = &mut self.file else { return Ok(()) };
        let mut buf = [0u8; 64 * 1024];
        loop {
            match file.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    self.pos += n as u64;
                    self.lines.push(&buf[..n], out);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// The offset just after the last newline, and how many lines end before it.
fn scan(file: &mut File) -> io::Result<(u64, u64)> {
    let (mut offset, mut complete, mut lines) = (0u64, 0u64, 0u64);
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok((complete, lines)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, &b)| b == b'\n') {
            lines += 1;
            complete = offset + i as u64 + 1;
        }
        offset += n as u64;
    }
}

/// Follows the file until shutdown or until the batcher is gone (run it on
/// its own thread). The source is down while the file is missing or cannot
/// be read, and up while it is open.
pub fn follow(opts: TailOptions, ingest: &Ingest, poll: Duration, stop: watch::Receiver<bool>) {
    let path = opts.path.display().to_string();
    let mut tail = Tail::new(opts);
    let mut open = true;
    let mut failing = false;
    while open && !*stop.borrow() {
        match tail.poll(&mut |n: u64, line: Result<&[u8], Overlong>| open = open && ingest.line(n, line)) {
            Ok(()) if tail.file.is_some() => {
                failing = false;
                if ingest.stats().up() {
                    tracing::info!(source = %ingest.name(), "reading {path} again");
                }
            }
            Ok(()) => {
                ingest.stats().down(crate::hub::now(), format!("waiting for {path} to appear"));
            }
            Err(e) => {
                ingest.stats().down(crate::hub::now(), format!("cannot read {path}: {e}"));
                // Log a failure once, not on every poll while it lasts.
                if !std::mem::replace(&mut failing, true) {
                    tracing::error!(source = %ingest.name(), "cannot read the log: {e}");
                }
            }
        }
        std::thread::sleep(poll);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("zitiscope-tail-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn append(path: &std::path::Path, text: &str) {
        std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
    }

    fn poll(tail: &mut Tail) -> Vec<(u64, String)> {
        let mut got = Vec::new();
        tail.poll(&mut |n, l: Result<&[u8], Overlong>| got.push((n, String::from_utf8_lossy(l.unwrap()).into_owned())))
            .unwrap();
        got
    }

    fn lines(v: &[(u64, &str)]) -> Vec<(u64, String)> {
        v.iter().map(|(n, s)| (*n, s.to_string())).collect()
    }

    #[test]
    fn starts_at_the_end_with_true_line_numbers_and_waits_for_partial_lines() {
        let d = dir("end");
        let path = d.0.join("events.json");
        append(&path, "old1\nold2\nhalf");
        let mut t = Tail::new(TailOptions { path: path.clone(), from_start: false, max_line: 1024 });
        assert!(poll(&mut t).is_empty(), "only new lines");
        append(&path, "-done\nnew");
        assert_eq!(poll(&mut t), lines(&[(3, "half-done")]), "the line being written counts as new");
        assert!(poll(&mut t).is_empty(), "a partial line waits");
        append(&path, "\n");
        assert_eq!(poll(&mut t), lines(&[(4, "new")]));
    }

    #[test]
    fn from_start_rotation_and_truncation() {
        let d = dir("rotate");
        let path = d.0.join("events.json");
        let mut t = Tail::new(TailOptions { path: path.clone(), from_start: true, max_line: 1024 });
        assert!(poll(&mut t).is_empty(), "waits for the file");
        append(&path, "a\nb\n");
        assert_eq!(poll(&mut t), lines(&[(1, "a"), (2, "b")]));

        // Rotation: the writer finishes a last line in the old file (with
        // no newline), then a new file appears at the path.
        append(&path, "c");
        std::fs::rename(&path, d.0.join("events.json.1")).unwrap();
        append(&d.0.join("events.json.1"), "-last");
        append(&path, "x\n");
        assert_eq!(poll(&mut t), lines(&[(3, "c-last"), (1, "x")]), "old file to its end, then the new one");

        // Truncation in place (copytruncate), then new lines.
        std::fs::write(&path, "").unwrap();
        assert!(poll(&mut t).is_empty());
        append(&path, "y\n");
        assert_eq!(poll(&mut t), lines(&[(1, "y")]));
    }
}
