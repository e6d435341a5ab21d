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
mod tests {
    use super::*;
    use crate::cli::Sources;

    fn with_file(name: &str, text: &str, args: &[&str]) -> Result<Args, clap::Error> {
        let path = std::env::temp_dir().join(format!("zitiscope-config-{name}-{}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let mut argv = vec!["zitiscope-feed".to_string(), "--config".into(), path.display().to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        let out = load(argv);
        let _ = std::fs::remove_file(&path);
        out
    }

    const FILE: &str = r#"
        listen = "0.0.0.0:9000"
        batch_max = 77
        allow-origin = ["https://a.example", "https://b.example"]
        no-auth = true
        source = "file"

        [file]
        path = "/var/log/ziti/events.jsonl"
        from-start = true
        poll-ms = 100
    "#;

    #[test]
    fn the_file_gives_defaults_and_picks_the_source() {
        let args = with_file("defaults", FILE, &[]).unwrap();
        assert_eq!((args.listen.as_str(), args.batch_max, args.no_auth), ("0.0.0.0:9000", 77, true));
        assert_eq!(args.allow_origins, vec!["https://a.example", "https://b.example"]);
        let Ok(Sources::Lines(l)) = args.sources() else { panic!("the file's source") };
        let [(name, SourceSpec::File(f))] = &l[..] else { panic!("one file source: {l:?}") };
        assert_eq!(name, "file");
        assert_eq!((f.path.to_str().unwrap(), f.from_start, f.poll_ms), ("/var/log/ziti/events.jsonl", true, 100));
    }

    #[test]
    fn the_command_line_wins() {
        let args = with_file("cli", FILE, &["--batch-max", "5", "simulate", "--routers", "9"]).unwrap();
        assert_eq!((args.listen.as_str(), args.batch_max), ("0.0.0.0:9000", 5));
        let Ok(Sources::Simulate(s)) = args.sources() else { panic!("the command line's source") };
        assert_eq!(s.routers, 9);
    }

    #[test]
    fn mistakes_are_errors_that_name_the_key() {
        for (text, needle) in [
            ("batch-maks = 5", "unknown key `batch-maks`"),
            ("[file]\npaht = \"x\"", "[file] unknown key `paht`"),
            ("source = \"kafka\"", "`source` must be one of"),
            ("batch-max = \"lots\"", "lots"),
            ("listen = [", "TOML"),
        ] {
            let err = with_file("bad", text, &[]).expect_err(text).to_string();
            assert!(err.contains(needle) || (needle == "TOML" && err.contains("config")), "{text}: {err}");
        }
    }

    #[test]
    fn without_a_file_it_is_the_plain_command_line() {
        let args = load(["zitiscope-feed", "--batch-max", "3"]).unwrap();
        assert_eq!(args.batch_max, 3);
        assert!(matches!(args.sources(), Ok(Sources::Simulate(_))));
    }

    const HA: &str = r#"
        [[source]]
        kind = "exec"
        name = "ctrl1"
        command = ["ziti", "fabric", "stream", "events"]
        stall-secs = 120

        [[source]]
        kind = "exec"
        name = "ctrl2"
        command = ["ziti", "fabric", "stream", "events", "--cli-identity", "ctrl2"]

        [[source]]
        kind = "file"
        path = "/var/log/ctrl3.jsonl"
        from-start = true
    "#;

    #[test]
    fn source_tables_list_every_source_unless_the_command_line_names_one() {
        let args = with_file("sources", HA, &[]).unwrap();
        let Ok(Sources::Lines(l)) = args.sources() else { panic!("the file's sources") };
        let names: Vec<&str> = l.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ctrl1", "ctrl2", "file"]);
        let SourceSpec::Exec(e) = &l[0].1 else { panic!("exec") };
        assert_eq!((e.stall_secs, e.command.len()), (120, 4));
        for cli in [&["stdin"][..], &["--exec", "x"], &["--file", "/y"]] {
            let args = with_file("sources-cli", HA, cli).unwrap();
            let Ok(Sources::Lines(l)) = args.sources() else { panic!("{cli:?}") };
            assert_eq!(l.len(), 1, "{cli:?} replaces the file's sources: {l:?}");
        }
        for (bad, needle) in [
            ("[[source]]\nkind = \"exec\"\nname = \"a\"\ncomand = [\"x\"]", "[[source]] a: unknown field `comand`"),
            ("[[source]]\nkind = \"exec\"\ncommand = []", "needs a command"),
            ("[[source]]\nkind = \"socket\"", "unknown variant `socket`"),
            ("[[source]]\nkind = \"stdin\"\n[[source]]\nkind = \"stdin\"", "one source only"),
            ("exec = [\"ziti\"]", "write [[source]] tables"),
        ] {
            let err = with_file("bad-source", bad, &[]).expect_err(bad).to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn the_alerts_table_sets_the_app_s_thresholds_and_refuses_typos() {
        let args = with_file("alerts", "[alerts]\nmass-count = 20\nhold-ms = 3000\n", &[]).unwrap();
        let alerts = args.alerts.expect("an [alerts] table");
        assert_eq!((alerts.mass_count, alerts.hold_ms, alerts.flap_threshold), (20, 3000, 4));
        let err = with_file("alerts-bad", "[alerts]\nmass-cont = 20\n", &[]).expect_err("a typo").to_string();
        assert!(err.contains("[alerts]") && err.contains("mass-cont"), "{err}");
        assert!(with_file("no-alerts", "batch-max = 3", &[]).unwrap().alerts.is_none());
    }

    #[test]
    fn hooks_come_from_hook_tables_and_are_checked() {
        let text = r#"
            [[hook]]
            name = "router-down"
            when = { kinds = ["router-to-ctrl"], up = false, pattern = "edge-*" }
            url = "http://127.0.0.1:9000/ziti"

            [[hook]]
            name = "log"
            command = ["logger", "-t", "zitiscope"]
            retries = 0
        "#;
        let args = with_file("hooks", text, &[]).unwrap();
        assert_eq!(args.hooks.len(), 2);
        let crate::hooks::When::Table(when) = &args.hooks[0].when else { panic!("the table form") };
        assert_eq!(when.kinds, vec![zitiscope_core::ConnKind::RouterToCtrl]);
        assert_eq!((when.up, when.pattern.as_deref()), (Some(false), Some("edge-*")));
        assert_eq!(args.hooks[1].when, crate::hooks::When::default(), "no `when`: every change");
        assert_eq!((args.hooks[1].retries, args.hooks[1].timeout_ms), (0, 5_000));
        for (bad, needle) in [
            ("[[hook]]\nname = \"x\"", "needs `url` or `command`"),
            ("[[hook]]\nname = \"x\"\nurl = \"https://a\"", "only http://"),
            ("[[hook]]\nname = \"x\"\nurl = \"http://a\"\nwhen = { kind = 1 }", "unknown field `kind`"),
            ("[[hook]]\nname = \"x\"\nurl = \"http://a\"\nwhen = \"kind=router-to-ctrl AND stat=down\"", "col 25"),
            ("[[hook]]\nname = \"x\"\nurl = \"http://a\"\nwhen = 3", "a change expression"),
        ] {
            let err = with_file("badhook", bad, &[]).expect_err(bad).to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
