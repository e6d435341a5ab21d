//! zitiscope-feed: the native bridge between OpenZiti controllers and the
//! dashboards. It only does I/O; all meaning comes from `zitiscope-core`.
//!
//! - [`cli`]: the command line, and [`config`]: its TOML defaults file;
//! - [`simulate`]: the embedded source, a seeded simulated network;
//! - [`source`]: the `stdin` and `file` sources of real controller events;
//! - [`batcher`]: groups source events into batches by count or time;
//! - [`hub`]: the one state store, the sequence numbers and the fan-out;
//! - [`hooks`]: webhooks and commands run on matching state changes;
//! - [`server`]: HTTP: `/events` (SSE, in [`sse`]), `/snapshot`, `/healthz`,
//!   `/metrics` (in [`metrics`]), the static app.

pub mod batcher;
pub mod cli;
pub mod config;
pub mod hooks;
pub mod hub;
pub mod metrics;
pub mod security;
pub mod server;
pub mod simulate;
pub mod source;
pub mod sse;

pub use cli::Args;

use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Starts everything the arguments ask for on an already-bound listener,
/// and runs until `shutdown` turns `true`. Tests call this with port 0.
pub async fn run(args: Args, listener: TcpListener, shutdown: watch::Receiver<bool>) -> std::io::Result<()> {
    let allow_origins = args
        .allow_origins
        .iter()
        .map(|o| {
            axum::http::HeaderValue::from_str(o.trim_end_matches('/')).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("--allow-origin {o:?} is not a valid origin"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
    // A CSP source must not be able to end its directive or the header.
    if let Some(bad) = args
        .connect_src
        .iter()
        .find(|o| o.is_empty() || !o.bytes().all(|b| b.is_ascii_graphic() && !b";,'\"".contains(&b)))
    {
        return Err(invalid(format!("--connect-src {bad:?} is not an origin")));
    }
    let auth = security::Auth::new(args.token()?).map_err(invalid)?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() && !auth.required() && !args.no_auth {
        return Err(invalid(format!(
            "listening on {local} (not loopback) needs --token or --token-file, or --no-auth to waive it explicitly"
        )));
    }
    if args.no_auth && !auth.required() && !local.ip().is_loopback() {
        tracing::warn!("listening on {local} with no token (--no-auth): anyone who reaches it can read the feed");
    }
    let hub = Arc::new(hub::Hub::new(args.client_queue, args.replay));
    // Router and cluster changes are worth a log line; identities are too many.
    let _log = hub.changes.on(
        zitiscope_core::dispatch::Filter {
            kinds: vec![zitiscope_core::ConnKind::RouterToCtrl, zitiscope_core::ConnKind::CtrlToCtrl],
            ..Default::default()
        },
        |change| {
            let l = change.label();
            tracing::info!(target: "zitiscope::changes", "{} {} {}", l.what, l.subject, l.state);
        },
    );
    // Held until the server stops: dropping a hook unsubscribes it.
    let _hooks: Vec<hooks::Hook> = args.hooks.iter().cloned().map(|spec| hooks::start(spec, &hub)).collect();
    let (tx, rx) = tokio::sync::mpsc::channel(args.batch_max * 4);
    let batch_cfg = batcher::BatchConfig {
        max_events: args.batch_max,
        max_delay: std::time::Duration::from_millis(args.batch_interval_ms),
    };
    tokio::spawn(batcher::run(rx, hub.clone(), batch_cfg));
    match args.source() {
        cli::Source::Simulate(sim) => {
            // Seed the initial network before accepting clients, so the
            // first snapshot already shows a populated network.
            let mut net = simulate::Network::new(&sim);
            let boot = net.bootstrap(simulate::wall_clock());
            for chunk in boot.chunks(args.batch_max.max(1)) {
                hub.publish(chunk.to_vec());
            }
            tokio::spawn(simulate::run(net, tx, hub.register_source("simulate"), shutdown.clone()));
        }
        cli::Source::Stdin(opts) => {
            let ingest = source::Ingest::new("stdin", hub.register_source("stdin"), tx);
            std::thread::Builder::new()
                .name("source-stdin".into())
                .spawn(move || source::stdin::read(std::io::stdin().lock(), &ingest, opts.max_line_bytes))?;
        }
        cli::Source::File(opts) => {
            let ingest = source::Ingest::new("file", hub.register_source("file"), tx);
            let tail = source::file::TailOptions {
                path: opts.path,
                from_start: opts.from_start,
                max_line: opts.lines.max_line_bytes,
            };
            let (poll, stop) = (std::time::Duration::from_millis(opts.poll_ms), shutdown.clone());
            std::thread::Builder::new()
                .name("source-file".into())
                .spawn(move || source::file::follow(tail, &ingest, poll, stop))?;
        }
    }
    let app = server::router(
        server::AppState {
            hub,
            heartbeat: std::time::Duration::from_millis(args.heartbeat_ms),
            shutdown: shutdown.clone(),
            retry_ms: args.retry_ms,
        },
        args.static_dir.as_deref(),
        server::Protection { allow_origins, auth: std::sync::Arc::new(auth), connect_src: args.connect_src.clone() },
    );
    axum::serve(listener, app).with_graceful_shutdown(stopped(shutdown)).await
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
