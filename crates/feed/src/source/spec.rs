//! What a line source is: its kind, its options and its name, from the
//! command line (`stdin`, `file PATH`, `exec -- CMD…`, and the repeatable
//! `--file`/`--exec`) or from the config file's `[[source]]` tables:
//!
//! ```toml
//! [[source]]
//! kind = "exec"
//! name = "ctrl2"
//! command = ["ziti", "fabric", "stream", "events", "--connect", "--sdk", "--routers"]
//! stall-secs = 120        # restart it after 2 min without a line (0, the default: never)
//!
//! [[source]]
//! kind = "file"
//! path = "/var/log/ziti/ctrl3-events.jsonl"
//!
//! [[source]]
//! kind = "amqp"
//! url = "amqp://zitiscope:secret@rabbit.example.net:5672/%2f"
//! queue = "ziti-events"
//! ```
//!
//! A source's name labels its counters and its state everywhere (`/healthz`,
//! `/metrics`, the heartbeats, the app's alerts), so it must be unique. When
//! none is given it is derived: `stdin`; `file` for the only file source,
//! else `file:PATH`; an exec source's program name (`ziti`); `amqp:QUEUE`;
//! with `-2`, `-3` after it when several share one.

use serde::Deserialize;
use std::path::PathBuf;

/// The default longest line, in bytes: 1 MiB (real events are under 4 KiB).
pub const MAX_LINE_DEFAULT: usize = 1 << 20;
/// The longest source name, in characters (the app keeps no more).
pub const MAX_NAME: usize = 64;

/// One line source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceSpec {
    /// JSON lines from standard input.
    Stdin(StdinSpec),
    /// The controller's JSON event log, followed like `tail -F`.
    File(FileSpec),
    /// A command's standard output, supervised: restarted when it exits.
    Exec(ExecSpec),
    /// A RabbitMQ queue the controllers' AMQP event handlers publish into.
    Amqp(AmqpSpec),
}

/// The `stdin` source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StdinSpec {
    pub name: Option<String>,
    #[serde(default = "max_line")]
    pub max_line_bytes: usize,
}

/// A `file` source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileSpec {
    pub name: Option<String>,
    pub path: PathBuf,
    /// Read what the file holds first (else only new lines).
    #[serde(default)]
    pub from_start: bool,
    /// How often to look for new lines, rotation and truncation.
    #[serde(default = "poll_ms")]
    pub poll_ms: u64,
    #[serde(default = "max_line")]
    pub max_line_bytes: usize,
}

/// An `exec` source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExecSpec {
    pub name: Option<String>,
    /// The program and its arguments (run directly, not through a shell).
    pub command: Vec<String>,
    /// Restart the command after this many seconds without a line (0:
    /// never; a quiet network is legal, so only set it when the command
    /// prints something regularly, such as `--metrics`).
    #[serde(default)]
    pub stall_secs: u64,
    /// The first restart delay, doubling up to `restart-max-ms`.
    #[serde(default = "restart_ms")]
    pub restart_ms: u64,
    #[serde(default = "restart_max_ms")]
    pub restart_max_ms: u64,
    #[serde(default = "max_line")]
    pub max_line_bytes: usize,
}

/// The `amqp` source. The queue options default to what the controller's
/// handler declares (`controller/events/amqp_logger.go`: durable, not
/// auto-deleted, not exclusive, no arguments): a declaration that differs
/// from the queue's is refused by the broker.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AmqpSpec {
    pub name: Option<String>,
    /// `amqp://user:password@host:port/vhost` (the vhost `/` is `%2f`; no
    /// `amqps://` yet).
    pub url: String,
    pub queue: String,
    /// How many messages the broker may send before the feed acks them.
    #[serde(default = "prefetch")]
    pub prefetch: u16,
    #[serde(default = "yes")]
    pub durable: bool,
    #[serde(default)]
    pub auto_delete: bool,
    #[serde(default)]
    pub exclusive: bool,
    /// The first retry delay after the broker went away, doubling up to
    /// `retry-max-ms`.
    #[serde(default = "restart_ms")]
    pub retry_ms: u64,
    #[serde(default = "restart_max_ms")]
    pub retry_max_ms: u64,
    /// The largest message accepted, in bytes (one event each).
    #[serde(default = "max_line")]
    pub max_line_bytes: usize,
}

impl AmqpSpec {
    /// An amqp source of `queue` at `url` with the default options.
    pub fn new(name: Option<String>, url: String, queue: String) -> Self {
        AmqpSpec {
            name,
            url,
            queue,
            prefetch: prefetch(),
            durable: true,
            auto_delete: false,
            exclusive: false,
            retry_ms: restart_ms(),
            retry_max_ms: restart_max_ms(),
            max_line_bytes: max_line(),
        }
    }
}

/// Messages in flight: the source acks a batch once the history's writer
/// has it, which takes up to ~150 ms (its transactions gather for 100 ms),
/// so this bounds the rate at about `prefetch / 0.15 s` (BENCHMARKS.md,
/// "AMQP in"). A feed that dies gets at most this many again.
fn prefetch() -> u16 {
    10_000
}
fn yes() -> bool {
    true
}
fn max_line() -> usize {
    MAX_LINE_DEFAULT
}
fn poll_ms() -> u64 {
    250
}
fn restart_ms() -> u64 {
    1_000
}
fn restart_max_ms() -> u64 {
    30_000
}

impl ExecSpec {
    /// An exec source of `command` with the default options.
    pub fn new(name: Option<String>, command: Vec<String>) -> Self {
        ExecSpec {
            name,
            command,
            stall_secs: 0,
            restart_ms: restart_ms(),
            restart_max_ms: restart_max_ms(),
            max_line_bytes: max_line(),
        }
    }
}

impl FileSpec {
    /// A file source of `path` with the default options (new lines only).
    pub fn new(name: Option<String>, path: PathBuf) -> Self {
        FileSpec { name, path, from_start: false, poll_ms: poll_ms(), max_line_bytes: max_line() }
    }
}

impl SourceSpec {
    /// The name it was given, if any.
    pub fn given_name(&self) -> Option<&str> {
        match self {
            SourceSpec::Stdin(s) => s.name.as_deref(),
            SourceSpec::File(f) => f.name.as_deref(),
            SourceSpec::Exec(e) => e.name.as_deref(),
            SourceSpec::Amqp(a) => a.name.as_deref(),
        }
    }

    /// Checks its options; a mistake says which.
    fn validate(&self) -> Result<(), String> {
        let line = |n: usize| {
            (1024..=1 << 30).contains(&n).then_some(()).ok_or(format!("max-line-bytes must be 1024..=2^30, not {n}"))
        };
        match self {
            SourceSpec::Stdin(s) => line(s.max_line_bytes),
            SourceSpec::File(f) => {
                line(f.max_line_bytes)?;
                if !(10..=60_000).contains(&f.poll_ms) {
                    return Err(format!("poll-ms must be 10..=60000, not {}", f.poll_ms));
                }
                Ok(())
            }
            SourceSpec::Exec(e) => {
                line(e.max_line_bytes)?;
                if e.command.first().is_none_or(|p| p.trim().is_empty()) {
                    return Err("an exec source needs a command".into());
                }
                backoff("restart", e.restart_ms, e.restart_max_ms)
            }
            SourceSpec::Amqp(a) => {
                line(a.max_line_bytes)?;
                if a.url.starts_with("amqps://") {
                    // lapin is built without a TLS stack (see Cargo.toml).
                    return Err("amqps:// is not supported yet: use amqp:// on a trusted network or through a TLS tunnel (stunnel, a sidecar)".into());
                }
                if !a.url.starts_with("amqp://") {
                    return Err("url must start with amqp://".into());
                }
                if a.queue.trim().is_empty() || a.queue.len() > 255 {
                    return Err("queue must be a name of 1 to 255 bytes".into());
                }
                if a.prefetch == 0 {
                    return Err("prefetch must be at least 1".into());
                }
                backoff("retry", a.retry_ms, a.retry_max_ms)
            }
        }
    }
}

/// Checks a backoff's first and longest delay (`{what}-ms`, `{what}-max-ms`).
fn backoff(what: &str, first: u64, max: u64) -> Result<(), String> {
    if !(10..=600_000).contains(&first) || max < first {
        return Err(format!("{what}-ms must be 10..=600000 and at most {what}-max-ms, not {first} and {max}"));
    }
    Ok(())
}

/// The sources, each with its unique name (see the module docs), in order;
/// or what is wrong with them.
pub fn named(specs: Vec<SourceSpec>) -> Result<Vec<(String, SourceSpec)>, String> {
    if specs.iter().filter(|s| matches!(s, SourceSpec::Stdin(_))).count() > 1 {
        return Err("standard input can feed one source only".into());
    }
    let files = specs.iter().filter(|s| matches!(s, SourceSpec::File(_))).count();
    let mut out: Vec<(String, SourceSpec)> = Vec::with_capacity(specs.len());
    let mut given = std::collections::BTreeSet::new();
    for spec in &specs {
        if let Some(name) = spec.given_name() {
            check_name(name)?;
            if !given.insert(name.to_owned()) {
                return Err(format!("two sources are named `{name}`"));
            }
        }
    }
    for spec in specs {
        spec.validate().map_err(|e| format!("source {}: {e}", spec.given_name().unwrap_or("(unnamed)")))?;
        let name = match spec.given_name() {
            Some(name) => name.to_owned(),
            None => {
                let base = derived(&spec, files);
                let taken = |n: &str| given.contains(n) || out.iter().any(|(o, _)| o == n);
                let name = (1..).map(|i| if i == 1 { base.clone() } else { format!("{base}-{i}") }).find(|n| !taken(n));
                name.expect("an unbounded range always has a free name")
            }
        };
        out.push((name, spec));
    }
    Ok(out)
}

/// The name a source gets when none is given.
fn derived(spec: &SourceSpec, files: usize) -> String {
    let name = match spec {
        SourceSpec::Stdin(_) => "stdin".to_owned(),
        SourceSpec::File(_) if files == 1 => "file".to_owned(),
        SourceSpec::File(f) => format!("file:{}", f.path.display()),
        SourceSpec::Exec(e) => {
            let program = e.command.first().map(String::as_str).unwrap_or("exec");
            let base = program.rsplit(['/', '\\']).next().filter(|b| !b.is_empty()).unwrap_or(program);
            base.to_owned()
        }
        SourceSpec::Amqp(a) => format!("amqp:{}", a.queue),
    };
    // A long path still makes a name the app keeps whole.
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(MAX_NAME) {
        Some((at, _)) => clean[..at].to_owned(),
        None => clean,
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(format!("a source name is 1 to {MAX_NAME} printable characters, not {name:?}"));
    }
    Ok(())
}

/// Splits `[NAME=]VALUE` (the `--exec` and `--file` forms): a leading word
/// of letters, digits, `-`, `_` and `.` before a `=` names the source.
pub fn split_name(text: &str) -> (Option<String>, &str) {
    match text.split_once('=') {
        Some((name, rest))
            if !name.is_empty()
                && !name.starts_with('.')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
        {
            (Some(name.to_owned()), rest)
        }
        _ => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(name: Option<&str>, cmd: &str) -> SourceSpec {
        SourceSpec::Exec(ExecSpec::new(name.map(str::to_owned), cmd.split(' ').map(str::to_owned).collect()))
    }

    fn file(name: Option<&str>, path: &str) -> SourceSpec {
        SourceSpec::File(FileSpec::new(name.map(str::to_owned), path.into()))
    }

    fn names(specs: Vec<SourceSpec>) -> Vec<String> {
        named(specs).unwrap().into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn names_are_derived_unique_and_given_ones_win() {
        assert_eq!(names(vec![file(None, "/a.jsonl")]), ["file"], "the only file source keeps the old name");
        assert_eq!(names(vec![file(None, "/a"), file(None, "/b")]), ["file:/a", "file:/b"]);
        assert_eq!(
            names(vec![exec(None, "/usr/bin/ziti fabric"), exec(None, "ziti x"), exec(Some("ziti-2"), "ziti y")]),
            ["ziti", "ziti-3", "ziti-2"],
            "a derived name steps around a given one"
        );
        assert_eq!(
            names(vec![exec(Some("ctrl2"), "ziti"), SourceSpec::Stdin(StdinSpec { name: None, max_line_bytes: 4096 })]),
            ["ctrl2", "stdin"]
        );
        let long = format!("/{}", "x".repeat(200));
        assert_eq!(names(vec![file(None, &long), file(None, "/b")])[0].chars().count(), MAX_NAME);
    }

    #[test]
    fn mistakes_are_refused_with_their_reason() {
        let stdin = || SourceSpec::Stdin(StdinSpec { name: None, max_line_bytes: MAX_LINE_DEFAULT });
        for (specs, needle) in [
            (vec![stdin(), stdin()], "one source only"),
            (vec![exec(Some("a"), "x"), file(Some("a"), "/p")], "two sources are named `a`"),
            (vec![exec(Some("bad\nname"), "x")], "printable"),
            (vec![exec(Some(""), "x")], "printable"),
            (vec![SourceSpec::Exec(ExecSpec::new(None, vec![]))], "needs a command"),
            (
                vec![SourceSpec::Exec(ExecSpec {
                    restart_ms: 5_000,
                    restart_max_ms: 10,
                    ..ExecSpec::new(None, vec!["x".into()])
                })],
                "restart-ms",
            ),
            (vec![SourceSpec::File(FileSpec { poll_ms: 1, ..FileSpec::new(None, "/p".into()) })], "poll-ms"),
            (vec![SourceSpec::Amqp(AmqpSpec::new(None, "http://x".into(), "q".into()))], "amqp://"),
            (vec![SourceSpec::Amqp(AmqpSpec::new(None, "amqps://x".into(), "q".into()))], "not supported yet"),
            (vec![SourceSpec::Amqp(AmqpSpec::new(None, "amqp://x".into(), " ".into()))], "queue"),
            (
                vec![SourceSpec::Amqp(AmqpSpec { prefetch: 0, ..AmqpSpec::new(None, "amqp://x".into(), "q".into()) })],
                "prefetch",
            ),
        ] {
            let err = named(specs).expect_err(needle);
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn name_prefixes() {
        assert_eq!(split_name("ctrl2=ziti fabric stream events"), (Some("ctrl2".into()), "ziti fabric stream events"));
        assert_eq!(split_name("/var/log/a=b.jsonl"), (None, "/var/log/a=b.jsonl"));
        assert_eq!(split_name("./a=b"), (None, "./a=b"), "a relative path is not a name");
        assert_eq!(split_name("ziti --flag=x"), (None, "ziti --flag=x"));
        assert_eq!(split_name("=x"), (None, "=x"));
    }

    #[test]
    fn config_tables_read_every_kind_and_refuse_typos() {
        #[derive(Deserialize)]
        struct Doc {
            source: Vec<SourceSpec>,
        }
        let doc: Doc = toml::from_str(
            r#"
            [[source]]
            kind = "exec"
            name = "ctrl1"
            command = ["ziti", "fabric", "stream", "events"]
            stall-secs = 60
            [[source]]
            kind = "file"
            path = "/var/log/e.jsonl"
            from-start = true
            [[source]]
            kind = "stdin"
            [[source]]
            kind = "amqp"
            url = "amqp://127.0.0.1:5672/%2f"
            queue = "ziti-events"
            prefetch = 100
            "#,
        )
        .unwrap();
        let SourceSpec::Exec(e) = &doc.source[0] else { panic!("exec first") };
        assert_eq!((e.name.as_deref(), e.stall_secs, e.restart_ms, e.command.len()), (Some("ctrl1"), 60, 1_000, 4));
        let SourceSpec::File(f) = &doc.source[1] else { panic!("file second") };
        assert_eq!((f.from_start, f.poll_ms), (true, 250));
        assert!(matches!(doc.source[2], SourceSpec::Stdin(_)));
        let SourceSpec::Amqp(a) = &doc.source[3] else { panic!("amqp fourth") };
        assert_eq!((a.queue.as_str(), a.prefetch, a.durable, a.auto_delete), ("ziti-events", 100, true, false));
        assert_eq!(names(doc.source), ["ctrl1", "file", "stdin", "amqp:ziti-events"]);
        for bad in ["kind = \"exec\"\ncommnd = [\"x\"]", "kind = \"kafka\"", "path = \"/x\""] {
            assert!(toml::from_str::<Doc>(&format!("[[source]]\n{bad}")).is_err(), "{bad}");
        }
    }
}
