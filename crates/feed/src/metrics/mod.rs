//! `GET /metrics`: the feed's counters in the Prometheus text format
//! (version 0.0.4): what the sources read, skipped and rejected, what the
//! store holds, the clients and their lag, resets and the replay ring, the
//! hooks, and the history's writer.
//!
//! The sources' and hooks' own counters live here too ([`counters`]): they
//! register with a [`Registry`] that this service, `/healthz` and the SSE
//! heartbeats read, so neither the hub nor the hooks know about each other.

pub mod counters;

pub use counters::{HookStats, Registry, SourceStats};

use crate::history::HistoryStats;
use crate::hub::Hub;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use zitiscope_core::EntityType;

/// What `/metrics` reads.
#[derive(Clone)]
pub struct MetricsState {
    pub hub: Arc<Hub>,
    pub registry: Arc<Registry>,
    /// The history writer's counters, unless the feed keeps no history.
    pub history: Option<Arc<HistoryStats>>,
    /// With `--replica`: its role and how far behind the log it is.
    pub replica: Option<Arc<crate::replica::Status>>,
}

/// The `/metrics` route.
pub fn router(state: MetricsState) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(state)
}

async fn metrics(State(m): State<MetricsState>) -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)],
        render(&m.hub, &m.registry, m.history.as_deref(), m.replica.as_deref()),
    )
}

/// The exposition's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Writes one metric family at a time, so HELP and TYPE come once each.
struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP zitiscope_feed_{name} {help}\n# TYPE zitiscope_feed_{name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let _ = write!(self.0, "zitiscope_feed_{name}");
        if !labels.is_empty() {
            let body: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
            let _ = write!(self.0, "{{{}}}", body.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }

    fn one(&mut self, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }
}

/// Label values escape `\`, `"` and newlines.
fn escape(v: &str) -> String {
    v.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

/// The whole exposition.
pub fn render(
    hub: &Hub,
    registry: &Registry,
    history: Option<&HistoryStats>,
    replica: Option<&crate::replica::Status>,
) -> String {
    let mut o = Out(String::new());
    let sources = registry.sources();
    type Counter = fn(&SourceStats) -> u64;
    let per_source: [(&str, &str, Counter); 4] = [
        ("source_lines_total", "Lines read by the source (blank lines excluded).", |s| s.lines.load(Ordering::Relaxed)),
        ("source_events_total", "Events the source parsed and passed on.", |s| s.events.load(Ordering::Relaxed)),
        ("source_skipped_total", "Well-formed events of kinds that carry no connection state.", |s| {
            s.skipped.load(Ordering::Relaxed)
        }),
        ("source_rejected_total", "Lines that could not be read (malformed, invalid UTF-8, too long).", |s| {
            s.rejected.load(Ordering::Relaxed)
        }),
    ];
    for (name, help, get) in per_source {
        o.family(name, "counter", help);
        for (source, stats) in &sources {
            o.sample(name, &[("source", source)], get(stats));
        }
    }
    o.family("source_restarts_total", "counter", "Times the source's command was started again.");
    for (source, stats) in &sources {
        o.sample("source_restarts_total", &[("source", source)], stats.restarts.load(Ordering::Relaxed));
    }
    let states: Vec<_> = sources.iter().map(|(source, stats)| (source, stats.state())).collect();
    o.family("source_up", "gauge", "Whether the source is up (1) or down (0).");
    for (source, state) in &states {
        o.sample("source_up", &[("source", source)], u8::from(state.down_since.is_none()));
    }
    o.family(
        "source_down_since_seconds",
        "gauge",
        "When the source's current outage began (Unix time); absent while up.",
    );
    for (source, state) in &states {
        if let Some(t) = state.down_since {
            o.sample("source_down_since_seconds", &[("source", source)], format!("{:.3}", t.0 as f64 / 1e9));
        }
    }

    let m = hub.store_metrics();
    o.one("batches_total", "counter", "Batches published (the last sequence number).", m.seq);
    o.one("events_published_total", "counter", "Events published in batches.", m.events);
    o.one("events_applied_total", "counter", "Events the store applied (first sight).", m.stats.applied);
    o.one(
        "events_duplicate_total",
        "counter",
        "Events dropped as copies (HA controllers, replays).",
        m.stats.duplicates,
    );
    o.one("events_too_old_total", "counter", "Observations older than the retained history.", m.stats.too_old);
    o.one("connections", "gauge", "Connections the store tracks.", m.connections);
    o.family("entities", "gauge", "Known entities by type and state.");
    for t in [EntityType::Controller, EntityType::Router, EntityType::Identity] {
        let tally = m.summary.get(t);
        o.sample("entities", &[("type", t.as_str()), ("state", "online")], tally.online);
        o.sample("entities", &[("type", t.as_str()), ("state", "offline")], tally.offline());
    }
    o.family("links", "gauge", "Router links by state.");
    o.sample("links", &[("state", "up")], m.summary.links.online);
    o.sample("links", &[("state", "down")], m.summary.links.offline());
    o.one("replay_ring_batches", "gauge", "Batches held for resuming clients.", m.ring);
    o.one("replay_ring_capacity", "gauge", "The replay ring's size (--replay).", m.ring_cap);

    let clients = hub.clients();
    o.one("clients", "gauge", "Connected SSE clients.", clients.len());
    o.family("client_lag_batches", "gauge", "Batches published but not yet sent, per connected client.");
    for (id, sent) in &clients {
        o.sample("client_lag_batches", &[("client", &id.to_string())], m.seq.saturating_sub(*sent));
    }
    let c = &hub.counters;
    o.one("streams_snapshot_total", "counter", "Streams opened with a snapshot.", c.snapshots.load(Ordering::Relaxed));
    o.one(
        "streams_resumed_total",
        "counter",
        "Streams resumed inside the replay ring.",
        c.resumes.load(Ordering::Relaxed),
    );
    o.one(
        "client_resets_total",
        "counter",
        "Clients dropped with reset for falling behind.",
        c.resets.load(Ordering::Relaxed),
    );
    o.one(
        "client_dropped_batches_total",
        "counter",
        "Batches that reset clients had missed (they recover from a snapshot).",
        c.dropped_batches.load(Ordering::Relaxed),
    );
    type HookCounter = fn(&HookStats) -> u64;
    let per_hook: [(&str, &str, &str, HookCounter); 5] = [
        ("hook_delivered_total", "counter", "Changes a hook delivered.", |h| h.delivered.load(Ordering::Relaxed)),
        ("hook_retries_total", "counter", "Delivery attempts that failed and were retried.", |h| {
            h.retries.load(Ordering::Relaxed)
        }),
        ("hook_failed_total", "counter", "Changes given up on after every retry.", |h| {
            h.failed.load(Ordering::Relaxed)
        }),
        ("hook_dropped_total", "counter", "Changes not queued because the hook's queue was full.", |h| {
            h.dropped.load(Ordering::Relaxed)
        }),
        ("hook_queued", "gauge", "Changes waiting for delivery.", |h| h.queued.load(Ordering::Relaxed)),
    ];
    let hooks = registry.hooks();
    for (name, kind, help, get) in per_hook {
        o.family(name, kind, help);
        for (hook, stats) in &hooks {
            o.sample(name, &[("hook", hook)], get(stats));
        }
    }
    if let Some(h) = history {
        let n = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
        o.one("history_written_total", "counter", "Events written to the history.", n(&h.written));
        o.one("history_known_total", "counter", "Events already in the history (a log read again).", n(&h.known));
        o.one(
            "history_missed_batches_total",
            "counter",
            "Batches the history writer fell too far behind to receive.",
            n(&h.missed_batches),
        );
        o.one("history_errors_total", "counter", "History write failures.", n(&h.errors));
        o.one("history_checkpoints_total", "counter", "State checkpoints written.", n(&h.checkpoints));
        o.one("history_pruned_total", "counter", "Events dropped by retention.", n(&h.pruned));
    }
    if let Some(r) = replica {
        let head = r.head.load(Ordering::Relaxed);
        o.one(
            "replica_leader",
            "gauge",
            "1 while this replica leads (runs the sources).",
            u64::from(r.leading.load(Ordering::Relaxed)),
        );
        o.one(
            "replica_behind_batches",
            "gauge",
            "Batches of the shared log this replica has not applied yet.",
            head.saturating_sub(hub.seq()),
        );
        o.one(
            "replica_takeovers_total",
            "counter",
            "Times this replica took the lead.",
            r.takeovers.load(Ordering::Relaxed),
        );
    }
    o.0
}
