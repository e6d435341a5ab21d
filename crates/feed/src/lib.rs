//! zitiscope-feed: the native bridge between OpenZiti controllers and the
//! dashboards. It only does I/O; all meaning comes from `zitiscope-core`.
//!
//! - [`cli`]: the command line, and [`config`]: its TOML defaults file;
//! - [`simulate`]: the embedded source, a seeded simulated network (with
//!   its own options, which the command line embeds);
//! - [`source`]: the `stdin`, `file` and `exec` sources of real controller
//!   events, any number at once (one a controller);
//! - [`batcher`]: groups source events into batches by count or time;
//! - [`hub`]: the one state store, the sequence numbers and the fan-out
//!   (to SSE clients, the history writer and the change dispatcher);
//! - [`hooks`]: webhooks and commands run on matching state changes;
//! - [`metrics`]: the sources' and hooks' counters, and `/metrics`;
//! - [`mgmt`]: the management-API subset the simulator serves;
//! - [`inventory`]: the management-API client (`--controller`): names,
//!   attributes and router states from a real controller;
//! - [`history`]: every event in SQLite or PostgreSQL, and its routes
//!   (`/history`, `/changes`, `/state?at=`, `/aggregate`);
//! - [`redact`]: server URLs without their credentials, for messages;
//! - [`publish`]: where the sources' batches go: the hub, or on a
//!   [`replica`] the shared log first (several feeds, one network);
//! - [`sse`]: the SSE stream, `/events`;
//! - [`security`]: the token and the served app's headers;
//! - [`server`]: merges each service's router, adds `/snapshot`,
//!   `/nodes`, `/healthz` and `/config.json`, the protection and the app.
//!
//! Each service builds its own router over its own state; nothing below
//! [`server`] imports it, and the hub imports none of the others.

pub mod batcher;
pub mod cli;
pub mod config;
pub mod history;
pub mod hooks;
pub mod hub;
pub mod inventory;
pub mod metrics;
pub mod mgmt;
pub mod ops;
pub mod publish;
pub mod redact;
pub mod replica;
pub mod security;
pub mod server;
pub mod simulate;
pub mod source;
pub mod sse;

pub use cli::Args;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use zitiscope_core::dispatch::Subscription;
use zitiscope_core::Event;

/// A feed assembled but not serving yet: the hub, the way into its batcher
/// and the HTTP app. [`run`] adds the chosen source and serves it;
/// benchmarks bring their own events instead.
pub struct Assembled {
    pub hub: Arc<hub::Hub>,
    /// The sources' and hooks' counters: a source registers with it.
    pub registry: Arc<metrics::Registry>,
    /// Events sent here are batched, applied and fanned out. The batcher
    /// flushes and ends once every sender is dropped.
    pub events: mpsc::Sender<Event>,
    pub batcher: tokio::task::JoinHandle<()>,
    /// For a source that publishes its own batches (`amqp`): their size and
    /// time, and the history writer's progress when the history is on.
    pub publish: source::Publish,
    pub app: axum::Router,
    /// Keep it for the feed's lifetime: dropping it unsubscribes the hooks
    /// and the change log.
    pub guards: Guards,
    /// The simulated network, shared with the management-API subset, when
    /// the source is the simulator ([`start_source`] installs it).
    pub simulated: Option<simulate::Live>,
    /// With `--replica`: it follows the log, and starts the sources when
    /// it leads ([`run`] sets it going).
    #[cfg(feature = "postgres")]
    pub replica: Option<Arc<replica::Replica>>,
}

/// See [`Assembled::guards`].
pub struct Guards {
    _hooks: Vec<hooks::Hook>,
    _log: Subscription,
}

/// Checks the arguments and builds everything but the source and the
/// listener. `local` is the address the feed will listen on (the loopback
/// rule for tokens depends on it). Spawns the batcher: call it inside a
/// tokio runtime.
pub fn assemble(args: &Args, local: SocketAddr, shutdown: watch::Receiver<bool>) -> std::io::Result<Assembled> {
    let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
    let allow_origins = args
        .allow_origins
        .iter()
        .map(|o| {
            axum::http::HeaderValue::from_str(o.trim_end_matches('/'))
                .map_err(|_| invalid(format!("--allow-origin {o:?} is not a valid origin")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // A CSP source must not be able to end its directive or the header.
    if let Some(bad) = args
        .connect_src
        .iter()
        .find(|o| o.is_empty() || !o.bytes().all(|b| b.is_ascii_graphic() && !b";,'\"".contains(&b)))
    {
        return Err(invalid(format!("--connect-src {bad:?} is not an origin")));
    }
    let auth = security::Auth::new(args.token()?).map_err(invalid)?;
    if !local.ip().is_loopback() && !auth.required() && !args.no_auth {
        return Err(invalid(format!(
            "listening on {local} (not loopback) needs --token or --token-file, or --no-auth to waive it explicitly"
        )));
    }
    if args.no_auth && !auth.required() && !local.ip().is_loopback() {
        tracing::warn!("listening on {local} with no token (--no-auth): anyone who reaches it can read the feed");
    }
    let simulating = matches!(args.sources(), Ok(cli::Sources::Simulate(_)));
    // A replica reads the shared run id and where to start before its hub exists.
    let replica = replica_start(args, simulating)?;
    let replica_status = replica.as_ref().map(|_| Arc::new(replica::Status::default()));
    let hub = hub::Hub::new(args.client_queue, args.replay);
    #[cfg(feature = "postgres")]
    let hub = match &replica {
        Some((_, opened)) => hub.with_run(opened.run.clone()),
        None => hub,
    };
    let hub = Arc::new(hub);
    hub.limit_replay_bytes(args.replay_mb << 20);
    let registry = Arc::new(metrics::Registry::new());
    // Weak: the hub's own dispatcher holds the labeler, and must not keep
    // the hub alive.
    let names = Arc::downgrade(&hub);
    let label: hooks::Labeler =
        Arc::new(move |c: &zitiscope_core::Change| names.upgrade().map_or_else(|| c.label(), |h| h.label(c)));
    // Router and cluster changes are worth a log line; identities are too many.
    let log_label = label.clone();
    let log = hub.changes.on(
        zitiscope_core::dispatch::Interest {
            kinds: vec![zitiscope_core::ConnKind::RouterToCtrl, zitiscope_core::ConnKind::CtrlToCtrl],
            ..Default::default()
        },
        move |change| {
            let l = log_label(change);
            tracing::info!(target: "zitiscope::changes", "{} {} {}", l.what, l.subject, l.state);
        },
    );
    let hooks = args
        .hooks
        .iter()
        .cloned()
        .map(|spec| {
            let leading = replica_status.as_ref().map(|s| s.leading_flag());
            hooks::start(spec, &hub.changes, &hub.run_id, &registry, label.clone(), leading)
        })
        .collect();
    // Before any source publishes: the history must see every batch.
    let history = if args.no_history {
        None
    } else {
        let mut cfg = history::HistoryConfig::new(args.history.clone());
        cfg.max_age = std::time::Duration::from_secs_f64(args.history_days.max(0.0) * 86_400.0);
        cfg.max_bytes = args.history_mb << 20;
        cfg.maintenance = args.maintenance.clone();
        if replica.is_some() {
            // A replica writes the history only once it leads.
            Some(history::History::open(cfg))
        } else {
            let (history, restored) = history::History::start(cfg, hub.frames())?;
            // The simulator starts a new network each run; every real source
            // continues the network the history holds.
            if !simulating {
                hub.seed(restored);
            }
            Some(history)
        }
    };
    #[cfg(feature = "postgres")]
    let (publisher, replica) = match (replica, &replica_status, &history) {
        (Some((url, opened)), Some(status), Some(history)) => {
            if let Some((seq, store)) = opened.start {
                hub.seed_at(store, seq);
            }
            let log = Arc::new(replica::Log::new(url.clone(), hub.clone(), status.clone()));
            let replica = replica::Replica {
                url,
                hub: hub.clone(),
                status: status.clone(),
                history: history.clone(),
                lead: std::sync::Mutex::new(None),
            };
            (publish::Publisher::Log(log), Some(Arc::new(replica)))
        }
        _ => (publish::Publisher::Hub(hub.clone()), None),
    };
    #[cfg(not(feature = "postgres"))]
    let publisher = publish::Publisher::Hub(hub.clone());
    let (events, rx) = mpsc::channel(args.batch_max * 4);
    let batch_cfg = batcher::BatchConfig {
        max_events: args.batch_max,
        max_delay: std::time::Duration::from_millis(args.batch_interval_ms),
    };
    let batcher = tokio::spawn(batcher::run(rx, publisher.clone(), batch_cfg));
    let publish =
        source::Publish { to: publisher, written: history.as_ref().map(|h| h.written_through()), batch: batch_cfg };
    let simulated = simulating.then(simulate::Live::default);
    let ops = history.as_ref().map(|h| ops::Shared::new(h.clone(), hub.clone(), registry.clone()));
    if let Some(ops) = &ops {
        tokio::spawn(ops.clone().run(shutdown.clone()));
    }
    let app = server::router(
        server::Services {
            hub: hub.clone(),
            registry: registry.clone(),
            history,
            replica: replica_status,
            ops,
            heartbeat: std::time::Duration::from_millis(args.heartbeat_ms),
            retry_ms: args.retry_ms,
            shutdown,
            app_config: Arc::new(zitiscope_core::alerts::AppConfig {
                alerts: zitiscope_core::alerts::AlertConfig {
                    heartbeat_ms: args.heartbeat_ms,
                    ..args.alerts.clone().unwrap_or_default()
                },
            }),
            mgmt: simulated.clone().map(|l| {
                let login = match args.sources() {
                    Ok(cli::Sources::Simulate(sim)) => sim.api_login(),
                    _ => None,
                };
                mgmt::MgmtState::new(Arc::new(l), login)
            }),
        },
        args.static_dir.as_deref(),
        server::Protection { allow_origins, auth: Arc::new(auth), connect_src: args.connect_src.clone() },
    );
    Ok(Assembled {
        hub,
        registry,
        events,
        batcher,
        publish,
        app,
        guards: Guards { _hooks: hooks, _log: log },
        simulated,
        #[cfg(feature = "postgres")]
        replica,
    })
}

/// With `--replica`: the history's URL and what the log says to start
/// from, once the arguments are checked.
#[cfg(feature = "postgres")]
fn replica_start(args: &Args, simulating: bool) -> std::io::Result<Option<(String, replica::Opened)>> {
    let invalid = |msg: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg.to_owned());
    if !args.replica {
        return Ok(None);
    }
    let history::Location::Postgres(url) = &args.history else {
        return Err(invalid(
            "--replica needs the history in PostgreSQL (--history postgres://…), which the replicas share",
        ));
    };
    if args.no_history {
        return Err(invalid("--replica needs the history (not --no-history)"));
    }
    if simulating {
        return Err(invalid("--replica needs a real source: each simulator would make a network of its own"));
    }
    Ok(Some((url.clone(), replica::open(url)?)))
}

/// Without PostgreSQL, no replicas.
#[cfg(not(feature = "postgres"))]
fn replica_start(args: &Args, _: bool) -> std::io::Result<Option<((), ())>> {
    if args.replica {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "this zitiscope-feed was built without PostgreSQL (its `postgres` feature), which --replica needs",
        ));
    }
    Ok(None)
}

/// Starts the sources the arguments name, feeding `feed`. Wait for the
/// returned handle after shutdown: the commands that `exec` sources run
/// end with them.
pub fn start_source(
    args: &Args,
    feed: &Assembled,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<source::Running> {
    let (hub, registry, tx) = (&feed.hub, &feed.registry, feed.events.clone());
    let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
    // The controller's inventory, beside whichever sources read events.
    if let Some(opts) = args.controller.options().map_err(invalid)? {
        let stats = registry.register_source(inventory::SOURCE);
        inventory::start(opts, stats, tx.clone(), shutdown.clone()).map_err(invalid)?;
    }
    match args.sources().map_err(invalid)? {
        cli::Sources::Simulate(sim) => {
            // Seed the initial network before accepting clients, so the
            // first snapshot already shows a populated network.
            let mut net = simulate::Network::new(&sim);
            let boot = net.bootstrap(simulate::wall_clock());
            for chunk in boot.chunks(args.batch_max.max(1)) {
                hub.publish(chunk.to_vec());
            }
            let live = feed.simulated.clone().unwrap_or_default();
            live.install(net);
            tokio::spawn(simulate::run(live, tx, registry.register_source("simulate"), shutdown));
            Ok(source::Running::default())
        }
        cli::Sources::Lines(sources) => source::start(sources, registry, &tx, &feed.publish, &shutdown),
    }
}

/// Serves `app` on `listener` until `shutdown`. Pushes each write at once
/// (`TCP_NODELAY`): a batch is one write, and Nagle would hold it until the
/// client acknowledged the previous one (+15 ms at p99, see BENCHMARKS.md).
pub async fn serve(listener: TcpListener, app: axum::Router, shutdown: watch::Receiver<bool>) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app).with_graceful_shutdown(stopped(shutdown)).await
}

/// Starts everything the arguments ask for on an already-bound listener,
/// and runs until `shutdown` turns `true`. Tests call this with port 0.
pub async fn run(args: Args, listener: TcpListener, shutdown: watch::Receiver<bool>) -> std::io::Result<()> {
    let feed = Arc::new(assemble(&args, listener.local_addr()?, shutdown.clone())?);
    // The sources, once started (a replica starts them when it leads).
    let running = Arc::new(std::sync::Mutex::new(None));
    #[cfg(feature = "postgres")]
    if let Some(replica) = &feed.replica {
        let (args, feed, stop, running) = (args.clone(), feed.clone(), shutdown.clone(), running.clone());
        *replica.lead.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(move || {
            let sources = start_source(&args, &feed, stop)?;
            *running.lock().unwrap_or_else(|p| p.into_inner()) = Some(sources);
            Ok(())
        }));
        tokio::spawn(replica::run(replica.clone(), shutdown.clone()));
    }
    if !is_replica(&feed) {
        *running.lock().unwrap_or_else(|p| p.into_inner()) = Some(start_source(&args, &feed, shutdown.clone())?);
    }
    let served = serve(listener, feed.app.clone(), shutdown).await;
    let sources = running.lock().unwrap_or_else(|p| p.into_inner()).take();
    // The commands the sources run end before the feed does.
    if let Some(sources) = sources {
        let stopped = tokio::task::spawn_blocking(move || sources.wait(std::time::Duration::from_secs(5))).await;
        if !matches!(stopped, Ok(true)) {
            tracing::warn!("a source did not stop within 5 s");
        }
    }
    served
}

/// Whether the feed is a replica (which starts its sources once it leads).
fn is_replica(_feed: &Assembled) -> bool {
    #[cfg(feature = "postgres")]
    return _feed.replica.is_some();
    #[cfg(not(feature = "postgres"))]
    false
}

/// Resolves once `shutdown` turns `true` (or its sender is gone).
pub async fn stopped(mut shutdown: watch::Receiver<bool>) {
    loop {
        // Copy the flag out: the borrow guard must not live across an await.
        let stop = *shutdown.borrow_and_update();
        if stop || shutdown.changed().await.is_err() {
            return;
        }
    }
}
