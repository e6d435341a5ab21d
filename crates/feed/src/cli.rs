//! The command line. `zitiscope-feed --help` is its documentation.

use crate::simulate::SimulateArgs;
pub use crate::source::spec::MAX_LINE_DEFAULT;
use crate::source::spec::{split_name, AmqpSpec, ExecSpec, FileSpec, SourceSpec, StdinSpec};
use clap::builder::TypedValueParser;
use clap::{Args as ClapArgs, Parser, Subcommand};
use std::path::PathBuf;

/// zitiscope-feed: bridges OpenZiti controller events into a Server-Sent
/// Events feed for the zitiscope dashboard, and serves the dashboard itself.
///
/// With no source named, it simulates a realistic network.
#[derive(Parser, Debug, Clone)]
#[command(version, about, long_about)]
pub struct Args {
    /// Read defaults for these options from a TOML file (keys are the long
    /// option names; `source = "file"` and `[simulate]`/`[stdin]`/`[file]`
    /// tables too), sources (`[[source]]` tables: `kind = "exec"`, `"file"`
    /// or `"stdin"`, any number), and automation hooks (`[[hook]]` tables: a
    /// webhook or a command run on matching state changes; see the README).
    /// The command line and the environment win over it.
    #[arg(long, value_name = "FILE", env = "ZITISCOPE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, env = "ZITISCOPE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Serve the built app (trunk's dist/) from this directory at `/`.
    #[arg(long = "static", value_name = "DIR", env = "ZITISCOPE_STATIC")]
    pub static_dir: Option<PathBuf>,

    /// Let pages from this origin (e.g. `https://noc.example.net`) read the
    /// feed, for an app served elsewhere and pointed here with `?feed=`.
    /// Repeat for several origins. Without it, only same-origin pages can.
    #[arg(long = "allow-origin", value_name = "ORIGIN", env = "ZITISCOPE_ALLOW_ORIGIN", value_delimiter = ',')]
    pub allow_origins: Vec<String>,

    /// Require this bearer token for `/events`, `/snapshot` and `/metrics`
    /// (as `?token=`, the cookie it sets, or `Authorization: Bearer`).
    /// Required when listening on a non-loopback address. ≥16 characters:
    /// letters, digits, `-._~`.
    #[arg(long, env = "ZITISCOPE_TOKEN", hide_env_values = true, conflicts_with = "token_file")]
    pub token: Option<String>,

    /// Read the token from the first line of this file.
    #[arg(long, value_name = "FILE", env = "ZITISCOPE_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,

    /// Listen on a non-loopback address without a token (only behind a
    /// proxy that authenticates, or on a trusted network).
    #[arg(long)]
    pub no_auth: bool,

    /// Let the served app connect to this other feed's origin (for
    /// `?feed=`); the Content-Security-Policy allows only this origin
    /// otherwise. Repeat for several; `http://127.0.0.1:*` is valid.
    #[arg(long = "connect-src", value_name = "ORIGIN", env = "ZITISCOPE_CONNECT_SRC", value_delimiter = ',')]
    pub connect_src: Vec<String>,

    /// Flush a batch once it holds this many events.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000).map(|v| v as usize))]
    pub batch_max: usize,

    /// Flush a batch at the latest this many milliseconds after its first event.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch_interval_ms: u64,

    /// Send a `heartbeat` event this often (milliseconds).
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub heartbeat_ms: u64,

    /// The reconnect delay the server suggests to EventSource clients (`retry:`), in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    pub retry_ms: u64,

    /// Batches buffered per client. A client that falls further behind gets
    /// a `reset` event and is disconnected; it reconnects to a fresh snapshot.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000).map(|v| v as usize))]
    pub client_queue: usize,

    /// Batches kept for clients that reconnect (`Last-Event-ID` or
    /// `?since=`): one inside this window gets exactly what it missed, an
    /// older one a fresh snapshot. 0 turns resuming off.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(0..=1_000_000).map(|v| v as usize))]
    pub replay: usize,

    /// …and at most this many MiB of them (the oldest go first).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=65_536).map(|v| v as usize))]
    pub replay_mb: usize,

    /// Keep every event in this SQLite file, or in the PostgreSQL database
    /// of a `postgres://user:password@host/db` URL (the history: `GET
    /// /history`, `GET /state?at=`). Created if missing; kept across
    /// restarts.
    #[arg(long, value_name = "FILE|URL", env = "ZITISCOPE_HISTORY", default_value = "zitiscope-history.db")]
    pub history: crate::history::Location,

    /// One of several feeds serving the same network from the same
    /// PostgreSQL history (`--history postgres://…`): one of them runs the
    /// sources, the others follow it, and any of them serves any client
    /// (docs/deployment.md, "Replicas").
    #[arg(long, env = "ZITISCOPE_REPLICA")]
    pub replica: bool,

    /// Keep no history (nothing is written to disk).
    #[arg(long, env = "ZITISCOPE_NO_HISTORY")]
    pub no_history: bool,

    /// Drop history older than this many days.
    #[arg(long, default_value_t = 7.0)]
    pub history_days: f64,

    /// Keep the history under this many MiB (in a file, the oldest tenth
    /// goes first; in PostgreSQL, the oldest day).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub history_mb: u64,

    /// Automation hooks (`[[hook]]` tables of the config file).
    #[arg(skip)]
    pub hooks: Vec<crate::hooks::HookSpec>,

    /// Maintenance windows (`[[maintenance]]` tables of the config file),
    /// left out of availability reports.
    #[arg(skip)]
    pub maintenance: Vec<crate::history::Window>,

    /// The app's alert thresholds (the config file's `[alerts]` table),
    /// served as `/config.json` with this feed's heartbeat period.
    #[arg(skip)]
    pub alerts: Option<zitiscope_core::alerts::AlertConfig>,

    /// The config file's `[[source]]` tables: used when the command line
    /// names no source.
    #[arg(skip)]
    pub config_sources: Vec<SourceSpec>,

    /// Also run this command as a source, e.g. `--exec 'ctrl2=ziti fabric
    /// stream events --connect --sdk --routers'` (repeat it, one a
    /// controller). `NAME=` names the source (else the program's name);
    /// the rest is split into words like a shell does (quotes, backslashes)
    /// but not run by one. Restarted whenever it exits, with the `exec`
    /// subcommand's defaults; `[[source]]` tables in the config file set
    /// per-source options.
    #[arg(long = "exec", value_name = "[NAME=]COMMAND")]
    pub exec: Vec<String>,

    /// Also follow this event log as a source (repeat it, one a
    /// controller); `NAME=` names it (else `file:PATH`). Only new lines are
    /// read; `[[source]]` tables set `from-start`.
    #[arg(long = "file", value_name = "[NAME=]PATH")]
    pub files: Vec<String>,

    /// The controller's management API, for names and router states.
    #[command(flatten)]
    pub controller: crate::inventory::options::ControllerArgs,

    /// Where events come from (with `--exec` and `--file`, one more source).
    #[command(subcommand)]
    pub source: Option<SourceCmd>,
}

/// The event sources.
#[derive(Subcommand, Debug, Clone)]
pub enum SourceCmd {
    /// Simulate a network: controllers in a cluster, routers, identities
    /// connecting, dropping and reconnecting, and occasional router outages.
    /// This is the default.
    Simulate(SimulateArgs),
    /// Read controller events as JSON lines from standard input. The
    /// simplest bridge to a live controller:
    /// `ziti fabric stream events --connect --sdk --routers --links --cluster --metrics | zitiscope-feed stdin`.
    /// At end of input the feed keeps serving the last state, and shows the
    /// source as down (`exec` runs the command itself, and again when it exits).
    Stdin(LineArgs),
    /// Follow the controller's JSON event log (the `file` event handler
    /// with `format: json`), like `tail -F`: across rotation and truncation,
    /// waiting for a line that is still being written.
    File(FileArgs),
    /// Run a command that prints controller events as JSON lines, and run
    /// it again whenever it exits or stalls:
    /// `zitiscope-feed exec -- ziti fabric stream events --connect --sdk --routers --links --cluster`.
    /// Lines that are not JSON (the CLI's `--verbose` output) are skipped.
    Exec(ExecArgs),
    /// Consume the queue that the controllers' AMQP event handlers (`type:
    /// amqp`, `format: json`) publish into, one event a message. A message
    /// is acknowledged only once its event is published to the clients and,
    /// with the history on, written to it: a feed that dies gets the rest
    /// again. A broker that goes away is retried, with a growing delay.
    Amqp(AmqpArgs),
}

/// Options of every line-reading source.
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct LineArgs {
    /// The source's name in `/healthz`, `/metrics`, the heartbeats and the
    /// app's alerts (default: `stdin`, `file`, or the command's program name).
    #[arg(long)]
    pub name: Option<String>,

    /// Longest line accepted, in bytes; longer ones are counted as rejected.
    #[arg(long, default_value_t = MAX_LINE_DEFAULT, value_parser = clap::value_parser!(u64).range(1024..=1 << 30).map(|v| v as usize))]
    pub max_line_bytes: usize,
}

/// Options of the `file` source.
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct FileArgs {
    /// The event log, e.g. /var/lib/ziti/controller/events.json.
    pub path: PathBuf,

    /// Read the events already in the file first (else only new ones).
    #[arg(long)]
    pub from_start: bool,

    /// How often to look for new lines, rotation and truncation (ms).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: u64,

    #[command(flatten)]
    pub lines: LineArgs,
}

/// Options of the `exec` source.
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct ExecArgs {
    /// End and restart the command when it prints no line for this many
    /// seconds (0: never). A quiet network prints nothing, so set it only
    /// when the command prints regularly (e.g. with `--metrics`).
    #[arg(long, default_value_t = 0)]
    pub stall_secs: u64,

    /// The first restart delay (ms); it doubles, with jitter, after each
    /// run that ends within 10 s, up to `--restart-max-ms`.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub restart_ms: u64,

    /// The longest restart delay (ms).
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub restart_max_ms: u64,

    #[command(flatten)]
    pub lines: LineArgs,

    /// The command and its arguments, after `--`.
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Options of the `amqp` source (the queue's defaults are the controller's).
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct AmqpArgs {
    /// The broker: `amqp://user:password@host:5672/%2f` (`%2f` is the vhost
    /// `/`). Keep the password out of the command line with the environment.
    #[arg(long, env = "ZITISCOPE_AMQP_URL", hide_env_values = true)]
    pub url: String,

    /// The queue the controllers' handlers name in `queue:`.
    #[arg(long)]
    pub queue: String,

    /// How many messages may be on their way before the feed acknowledges
    /// them (it acks once the history has written them: ~150 ms).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u16).range(1..))]
    pub prefetch: u16,

    /// The first retry delay (ms) after the broker went away; it doubles up
    /// to 30 s.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub retry_ms: u64,

    #[command(flatten)]
    pub lines: LineArgs,
}

/// Where events come from, with defaults applied.
#[derive(Debug, PartialEq)]
pub enum Sources {
    /// The simulated network (it runs alone).
    Simulate(SimulateArgs),
    /// Line sources, any number, each with its unique name.
    Lines(Vec<(String, SourceSpec)>),
}

impl Args {
    /// The configured token, from `--token` or `--token-file`.
    pub fn token(&self) -> std::io::Result<Option<String>> {
        match (&self.token, &self.token_file) {
            (Some(t), _) => Ok(Some(t.clone())),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)?;
                Ok(Some(text.lines().next().unwrap_or("").trim().to_owned()))
            }
            (None, None) => Ok(None),
        }
    }

    /// The sources to run. Those the command line names (its subcommand,
    /// every `--exec` and `--file`) replace the config file's `[[source]]`
    /// tables; with none anywhere, `simulate` with its defaults.
    pub fn sources(&self) -> Result<Sources, String> {
        let mut specs = Vec::new();
        match &self.source {
            Some(SourceCmd::Simulate(s)) if self.exec.is_empty() && self.files.is_empty() => {
                return Ok(Sources::Simulate(s.clone()))
            }
            Some(SourceCmd::Simulate(_)) => return Err("`simulate` runs alone: drop --exec and --file".into()),
            Some(SourceCmd::Stdin(l)) => {
                specs.push(SourceSpec::Stdin(StdinSpec { name: l.name.clone(), max_line_bytes: l.max_line_bytes }))
            }
            Some(SourceCmd::File(f)) => specs.push(SourceSpec::File(FileSpec {
                name: f.lines.name.clone(),
                path: f.path.clone(),
                from_start: f.from_start,
                poll_ms: f.poll_ms,
                max_line_bytes: f.lines.max_line_bytes,
            })),
            Some(SourceCmd::Exec(e)) => specs.push(SourceSpec::Exec(ExecSpec {
                name: e.lines.name.clone(),
                command: e.command.clone(),
                stall_secs: e.stall_secs,
                restart_ms: e.restart_ms,
                restart_max_ms: e.restart_max_ms,
                max_line_bytes: e.lines.max_line_bytes,
            })),
            Some(SourceCmd::Amqp(a)) => specs.push(SourceSpec::Amqp(AmqpSpec {
                prefetch: a.prefetch,
                retry_ms: a.retry_ms,
                retry_max_ms: a.retry_ms.max(30_000),
                max_line_bytes: a.lines.max_line_bytes,
                ..AmqpSpec::new(a.lines.name.clone(), a.url.clone(), a.queue.clone())
            })),
            None => {}
        }
        for text in &self.exec {
            let (name, command) = split_name(text);
            let words = shlex::split(command).ok_or_else(|| format!("--exec {text:?}: unbalanced quotes"))?;
            specs.push(SourceSpec::Exec(ExecSpec::new(name, words)));
        }
        for text in &self.files {
            let (name, path) = split_name(text);
            specs.push(SourceSpec::File(FileSpec::new(name, path.into())));
        }
        if specs.is_empty() {
            if self.config_sources.is_empty() {
                return Ok(Sources::Simulate(SimulateArgs::default()));
            }
            specs = self.config_sources.clone();
        }
        crate::source::spec::named(specs).map(Sources::Lines)
    }

    /// Whether the command line names a source (the config file's then do
    /// not count).
    pub fn names_a_source(&self) -> bool {
        self.source.is_some() || !self.exec.is_empty() || !self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn sources(argv: &[&str]) -> Result<Sources, String> {
        let args = Args::try_parse_from(std::iter::once("zitiscope-feed").chain(argv.iter().copied()))
            .map_err(|e| e.to_string())?;
        args.sources()
    }

    fn lines(argv: &[&str]) -> Vec<(String, SourceSpec)> {
        match sources(argv).unwrap() {
            Sources::Lines(l) => l,
            other => panic!("line sources, not {other:?}"),
        }
    }

    #[test]
    fn the_amqp_subcommand_names_its_queue_and_keeps_the_controllers_queue_options() {
        let l = lines(&["amqp", "--url", "amqp://127.0.0.1:5672/%2f", "--queue", "ziti", "--prefetch", "50"]);
        let [(name, SourceSpec::Amqp(a))] = &l[..] else { panic!("one amqp source: {l:?}") };
        assert_eq!(name, "amqp:ziti");
        assert_eq!((a.prefetch, a.durable, a.auto_delete, a.exclusive), (50, true, false, false));
        assert!(sources(&["amqp", "--url", "amqp://x"]).is_err(), "a queue is required");
        assert!(sources(&["amqp", "--url", "http://x", "--queue", "q"]).unwrap_err().contains("amqp://"));
    }

    #[test]
    fn the_exec_subcommand_takes_everything_after_the_double_dash() {
        let l = lines(&[
            "exec",
            "--name",
            "ctrl1",
            "--stall-secs",
            "90",
            "--",
            "ziti",
            "fabric",
            "stream",
            "events",
            "--verbose",
        ]);
        let [(name, SourceSpec::Exec(e))] = &l[..] else { panic!("one exec source: {l:?}") };
        assert_eq!(name, "ctrl1");
        assert_eq!(e.command, ["ziti", "fabric", "stream", "events", "--verbose"]);
        assert_eq!((e.stall_secs, e.restart_ms, e.restart_max_ms), (90, 1_000, 30_000));
        assert!(sources(&["exec"]).is_err(), "a command is required");
    }

    #[test]
    fn repeatable_exec_and_file_run_beside_the_subcommand() {
        let l = lines(&[
            "--exec",
            "ctrl1=ziti fabric stream events --connect",
            "--exec",
            r#"ziti fabric stream events --metrics-filter '^(link|ctrl)\.latency\.'"#,
            "--file",
            "ctrl3=/var/log/ctrl3.jsonl",
            "stdin",
        ]);
        let names: Vec<&str> = l.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["stdin", "ctrl1", "ziti", "ctrl3"]);
        let SourceSpec::Exec(e) = &l[2].1 else { panic!("exec") };
        assert_eq!(e.command.last().unwrap(), r"^(link|ctrl)\.latency\.", "quotes keep a word whole");
        let SourceSpec::File(f) = &l[3].1 else { panic!("file") };
        assert_eq!((f.path.to_str().unwrap(), f.from_start), ("/var/log/ctrl3.jsonl", false));
    }

    #[test]
    fn old_forms_keep_their_names_and_simulate_runs_alone() {
        assert!(matches!(sources(&[]).unwrap(), Sources::Simulate(_)));
        assert_eq!(lines(&["stdin"])[0].0, "stdin");
        assert_eq!(lines(&["file", "/x.jsonl", "--from-start"])[0].0, "file");
        let err = sources(&["--exec", "ziti", "simulate"]).unwrap_err();
        assert!(err.contains("runs alone"), "{err}");
        let err = sources(&["--exec", "ziti 'oops"]).unwrap_err();
        assert!(err.contains("unbalanced quotes"), "{err}");
        let err = sources(&["--exec", "a=x", "--file", "a=/y"]).unwrap_err();
        assert!(err.contains("two sources are named `a`"), "{err}");
    }
}
