//! The command line. `zitiscope-feed --help` is its documentation.

use crate::simulate::SimulateArgs;
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
    /// tables too), and automation hooks (`[[hook]]` tables: a webhook or a
    /// command run on matching state changes; see the README). The command
    /// line and the environment win over it.
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

    /// Keep every event in this SQLite file (the history: `GET /history`,
    /// `GET /state?at=`). Created if missing; kept across restarts.
    #[arg(long, value_name = "FILE", env = "ZITISCOPE_HISTORY", default_value = "zitiscope-history.db")]
    pub history: PathBuf,

    /// Keep no history (nothing is written to disk).
    #[arg(long, env = "ZITISCOPE_NO_HISTORY")]
    pub no_history: bool,

    /// Drop history older than this many days.
    #[arg(long, default_value_t = 7.0)]
    pub history_days: f64,

    /// Keep the history file under this many MiB (the oldest tenth goes first).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub history_mb: u64,

    /// Automation hooks (`[[hook]]` tables of the config file).
    #[arg(skip)]
    pub hooks: Vec<crate::hooks::HookSpec>,

    /// The app's alert thresholds (the config file's `[alerts]` table),
    /// served as `/config.json` with this feed's heartbeat period.
    #[arg(skip)]
    pub alerts: Option<zitiscope_core::alerts::AlertConfig>,

    /// Where events come from.
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
    /// At end of input the feed keeps serving the last state.
    Stdin(LineArgs),
    /// Follow the controller's JSON event log (the `file` event handler
    /// with `format: json`), like `tail -F`: across rotation and truncation,
    /// waiting for a line that is still being written.
    File(FileArgs),
}

/// Options of every line-reading source.
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct LineArgs {
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

/// The default `--max-line-bytes`: 1 MiB. Real events are well under 4 KiB.
pub const MAX_LINE_DEFAULT: usize = 1 << 20;

/// The source to run, with defaults applied.
pub enum Source {
    Simulate(SimulateArgs),
    Stdin(LineArgs),
    File(FileArgs),
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

    /// The chosen source; `simulate` with its defaults when none was named.
    pub fn source(&self) -> Source {
        match &self.source {
            Some(SourceCmd::Simulate(s)) => Source::Simulate(s.clone()),
            Some(SourceCmd::Stdin(l)) => Source::Stdin(l.clone()),
            Some(SourceCmd::File(f)) => Source::File(f.clone()),
            None => Source::Simulate(SimulateArgs::default()),
        }
    }
}
