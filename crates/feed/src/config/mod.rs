//! `--config FILE` (or `ZITISCOPE_CONFIG`): a TOML file of defaults for the
//! command line. Its keys are the long option names (`batch-max` or
//! `batch_max`); a `source = "file"` key picks the source when the command
//! line names none; `[simulate]`, `[stdin]` and `[file]` tables hold each
//! source's options; or `[[source]]` tables list any number of sources
//! ([`crate::source::spec`]); `[[hook]]` tables define automation hooks (see
//! [`crate::hooks`]). Precedence: command line, then environment, then the
//! file, then the built-in defaults; for sources, any named on the command
//! line (a subcommand, `--exec`, `--file`) replace the file's. An unknown
//! key is an error, so a typo never goes unnoticed.
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! token-file = "/etc/zitiscope/token"
//! static = "/srv/zitiscope/dist"
//! allow-origin = ["https://noc.example.net"]
//! source = "file"
//!
//! [file]
//! path = "/var/log/ziti/events.jsonl"
//! from-start = false
//! ```
//!
//! or, one source a controller of an HA cluster:
//!
//! ```toml
//! [[source]]
//! kind = "exec"
//! name = "ctrl1"
//! command = ["ziti", "fabric", "stream", "events", "--connect", "--sdk", "--routers", "--cli-identity", "ctrl1"]
//! ```

use crate::cli::Args;
use crate::hooks::{HookSpec, When};
use crate::source::SourceSpec;
use clap::error::ErrorKind;
use clap::{Command, CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::path::PathBuf;
use zitiscope_core::alerts::AlertConfig;

/// The sources, as named on the command line and in `source = "…"`.
const SOURCES: [&str; 3] = ["simulate", "stdin", "file"];

/// Parses the command line with defaults from the config file, if any.
pub fn load<I, T>(argv: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let mut cmd = Args::command();
    let path = config_path(&argv).or_else(|| std::env::var_os("ZITISCOPE_CONFIG").map(PathBuf::from));
    let mut default_source = None;
    let mut hooks = Vec::new();
    let mut alerts = None;
    let mut sources = Vec::new();
    let mut windows = Vec::new();
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| cmd.error(ErrorKind::Io, format!("cannot read the config file {}: {e}", path.display())))?;
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| cmd.error(ErrorKind::InvalidValue, format!("{}: {e}", path.display())))?;
        let invalid =
            |msg: String| Args::command().error(ErrorKind::InvalidValue, format!("{}: {msg}", path.display()));
        let (next, extras) = apply(cmd, &table).map_err(invalid)?;
        cmd = next;
        default_source = extras.source;
        hooks = extras.hooks;
        alerts = extras.alerts;
        sources = extras.sources;
        windows = extras.maintenance;
    }
    let mut matches = cmd.clone().try_get_matches_from(&argv)?;
    let named = |m: &clap::ArgMatches| {
        m.subcommand().is_some() || ["exec", "files"].iter().any(|id| m.get_many::<String>(id).is_some())
    };
    if !named(&matches) {
        if let Some(source) = default_source {
            // No source on the command line: the file's, with its table's
            // values as defaults. Appending is safe: nothing follows.
            argv.push(source.into());
            matches = cmd.try_get_matches_from(&argv)?;
        }
    }
    let mut args = Args::from_arg_matches(&matches)?;
    args.hooks = hooks;
    args.alerts = alerts;
    args.config_sources = sources;
    args.maintenance = windows;
    Ok(args)
}

/// `--config X` or `--config=X`, found before clap runs (it decides the
/// defaults clap will use).
fn config_path(argv: &[OsString]) -> Option<PathBuf> {
    let mut it = argv.iter().skip(1);
    while let Some(arg) = it.next() {
        let s = arg.to_string_lossy();
        if s == "--" {
            return None;
        }
        if s == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = s.strip_prefix("--config=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// What a config file says besides options' defaults.
#[derive(Default)]
struct Extras {
    /// `source = "…"`.
    source: Option<String>,
    /// `[[hook]]` tables.
    hooks: Vec<HookSpec>,
    /// The `[alerts]` table: the app's alert thresholds (`/config.json`).
    alerts: Option<AlertConfig>,
    /// `[[source]]` tables.
    sources: Vec<SourceSpec>,
    /// `[[maintenance]]` tables.
    maintenance: Vec<crate::history::Window>,
}

/// Sets the file's values as the command's defaults; returns the command
/// and the rest of what the file says.
fn apply(mut cmd: Command, table: &toml::Table) -> Result<(Command, Extras), String> {
    let mut x = Extras::default();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("alerts", value) => {
                x.alerts = Some(value.clone().try_into::<AlertConfig>().map_err(|e| format!("[alerts]: {e}"))?);
            }
            ("hook", value) => x.hooks = hooks(value)?,
            ("maintenance", value) => x.maintenance = maintenance(value)?,
            ("source", toml::Value::String(s)) if SOURCES.contains(&s.as_str()) => x.source = Some(s.clone()),
            ("source", toml::Value::Array(tables)) => x.sources = sources(tables)?,
            ("source", other) => {
                return Err(format!("`source` must be one of {SOURCES:?} or [[source]] tables, not {other}"))
            }
            ("exec" | "file", other) if !other.is_table() => {
                return Err(format!("`{key}` is for the command line; in a config file, write [[source]] tables"))
            }
            ("config", _) => return Err("`config` cannot be set inside a config file".into()),
            (name, toml::Value::Table(sub)) if SOURCES.contains(&name) => {
                let mut err = None;
                cmd = cmd.mut_subcommand(name, |mut sc| {
                    for (k, v) in sub {
                        if let Err(e) = set_default(&mut sc, k, v) {
                            err.get_or_insert(format!("[{name}] {e}"));
                        }
                    }
                    sc
                });
                if let Some(e) = err {
                    return Err(e);
                }
            }
            (_, _) => set_default(&mut cmd, key, value)?,
        }
    }
    Ok((cmd, x))
}

/// The `[[source]]` tables, each checked (names, options); a mistake names
/// its source.
fn sources(tables: &[toml::Value]) -> Result<Vec<SourceSpec>, String> {
    let specs = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            let name = table.get("name").and_then(toml::Value::as_str).map_or(format!("#{}", i + 1), str::to_owned);
            table.clone().try_into::<SourceSpec>().map_err(|e| format!("[[source]] {name}: {}", e.to_string().trim()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::source::spec::named(specs.clone()).map_err(|e| format!("[[source]]: {e}"))?;
    Ok(specs)
}

/// The `[[hook]]` tables, each checked; a mistake names its hook.
fn hooks(value: &toml::Value) -> Result<Vec<HookSpec>, String> {
    let Some(tables) = value.as_array() else { return Err("`hook` must be [[hook]] tables".into()) };
    tables
        .iter()
        .map(|table| {
            let name = table.get("name").and_then(toml::Value::as_str).unwrap_or("(unnamed)");
            // Read the rule first, for an error that shows it whole.
            if let Some(text) = table.get("when").and_then(toml::Value::as_str) {
                When::parse(text).map_err(|e| format!("[[hook]] `{name}`: when = \"{text}\": {e}"))?;
            }
            let spec = table
                .clone()
                .try_into::<HookSpec>()
                .map_err(|e| format!("[[hook]] `{name}`: {}", e.to_string().trim()))?;
            spec.validate()?;
            Ok(spec)
        })
        .collect()
}

/// The `[[maintenance]]` tables, each checked; a mistake names its window.
fn maintenance(value: &toml::Value) -> Result<Vec<crate::history::Window>, String> {
    let Some(tables) = value.as_array() else { return Err("`maintenance` must be [[maintenance]] tables".into()) };
    tables
        .iter()
        .map(|table| {
            let name = table.get("name").and_then(toml::Value::as_str).unwrap_or("(unnamed)");
            let w = table
                .clone()
                .try_into::<crate::history::Window>()
                .map_err(|e| format!("[[maintenance]] `{name}`: {}", e.to_string().trim()))?;
            w.check().map_err(|e| format!("[[maintenance]] `{name}`: {e}"))?;
            Ok(w)
        })
        .collect()
}

/// Makes `value` the default of the option named `key` (long name, `-` or `_`).
fn set_default(cmd: &mut Command, key: &str, value: &toml::Value) -> Result<(), String> {
    let long = key.replace('_', "-");
    let id = cmd
        .get_arguments()
        .find(|a| a.get_long() == Some(long.as_str()) || (a.is_positional() && a.get_id() == key))
        .map(|a| a.get_id().clone());
    let Some(id) = id else {
        return Err(format!("unknown key `{key}`"));
    };
    let values: Vec<String> = match value {
        toml::Value::Array(items) => match items.iter().map(scalar).collect::<Option<Vec<_>>>() {
            Some(v) => v,
            None => return Err(format!("`{key}` must be a list of plain values")),
        },
        other => match scalar(other) {
            Some(v) => vec![v],
            None => return Err(format!("`{key}` must be a plain value")),
        },
    };
    // A default satisfies a required argument (the `file` source's path).
    *cmd = std::mem::take(cmd).mut_arg(id, |a| a.default_values(values).required(false));
    Ok(())
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
