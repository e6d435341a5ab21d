//! The config file: defaults, sources, hooks, alerts and maintenance windows.

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
#[cfg(feature = "tz")]
fn maintenance_windows_come_from_their_tables_and_are_checked() {
    use zitiscope_core::report::windows::{Day, Scope, When};
    let text = r#"
        [[maintenance]]
        name = "core, Sunday nights"
        when = { kind = "weekly", days = ["sun"], start = "01:00", minutes = 180, zone = "Europe/Berlin" }
        scope = { filter = "attr=core" }

        [[maintenance]]
        name = "edge-4 swap"
        when = { kind = "once", from = "2026-12-08T22:00:00Z", to = "2026-12-08T23:30:00+01:00" }
        scope = { nodes = ["edge-4"] }
    "#;
    let args = with_file("maintenance", text, &[]).unwrap();
    assert_eq!(args.maintenance.len(), 2);
    assert_eq!(args.maintenance[0].scope, Scope::Filter("attr=core".into()));
    let When::Weekly { days, .. } = &args.maintenance[0].when else { panic!("weekly") };
    assert_eq!(days, &[Day::Sun]);
    let When::Once { from, to } = args.maintenance[1].when else { panic!("once") };
    assert_eq!(to - from, 30 * 60 * 1_000_000_000, "RFC 3339 with any offset");
    for (bad, needle) in [
        (
            r#"when = { kind = "weekly", days = ["sun"], start = "01:00", minutes = 60, zone = "Europe/Narnia" }"#,
            "`w`: zone: \"Europe/Narnia\"",
        ),
        (r#"when = { kind = "once", from = 5, to = 1 }"#, "`w`: from: must be before to"),
        (r#"when = { kind = "daily" }"#, "`w`: unknown variant `daily`"),
    ] {
        let table = format!("[[maintenance]]\nname = \"w\"\n{bad}\nscope = {{ nodes = [\"r\"] }}\n");
        let err = with_file("bad-maintenance", &table, &[]).expect_err(bad).to_string();
        assert!(err.contains(needle), "{bad}: {err}");
    }
    let err = with_file("bad-scope", "[[maintenance]]\nname = \"s\"\nwhen = { kind = \"once\", from = 1, to = 2 }\nscope = { filter = \"stat=down\" }\n", &[])
        .expect_err("a filter that does not parse")
        .to_string();
    assert!(err.contains("`s`: scope: filter"), "{err}");
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
