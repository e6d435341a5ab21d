//! The inventory client: with `--controller`, the feed lists the
//! controller's edge routers and identities at start and every
//! `--controller-refresh` seconds, and passes what changed to the hub as
//! `Listed` events (`zitiscope_core::event::EntityListed`), beside whatever
//! its sources read. So names, role attributes and identities that never
//! connected are known, and the first paint after a start already knows
//! every router's state (`isOnline`, until its channels are observed).
//!
//! The rules:
//! - it is a source like the others, named [`SOURCE`]: its counters
//!   (`events` = entities reported, `rejected` = failed rounds, with the
//!   last reason) and its state show in `/healthz`, `/metrics` and the
//!   heartbeat, so a failing API raises the app's source-down alert with
//!   its reason ("HTTP 401: UNAUTHORIZED …"), resolved by the next good
//!   round;
//! - a round lists both types; what one list read stands even when the
//!   other failed, and nothing already known is lost on a failure;
//! - after a failure, the next round comes with capped backoff (1 s to
//!   60 s, never later than the refresh period);
//! - what a listing means (only changes, deletion after two complete
//!   misses) is core's `Lister`.

pub mod client;
pub mod options;

use crate::metrics::SourceStats;
use client::Api;
use options::ApiOptions;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use zitiscope_core::event::{Body, EntityEvent};
use zitiscope_core::mgmt::listing::{identity_listed, router_listed, Lister};
use zitiscope_core::mgmt::{EdgeRouter, Identity, EDGE_ROUTERS_PATH, IDENTITIES_PATH};
use zitiscope_core::{Backoff, EntityType, Event};

/// The source name the client's counters go under.
pub const SOURCE: &str = "controller-api";

/// Starts listing; an error (a CA bundle that cannot be used) stops the
/// feed at start.
pub fn start(
    opts: ApiOptions,
    stats: Arc<SourceStats>,
    tx: mpsc::Sender<Event>,
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let refresh = opts.refresh;
    let api = Api::new(opts)?;
    Ok(tokio::spawn(run(api, refresh, stats, tx, stop)))
}

/// The two lists' memories.
#[derive(Default)]
struct Listers {
    routers: Lister,
    identities: Lister,
}

async fn run(
    mut api: Api,
    refresh: Duration,
    stats: Arc<SourceStats>,
    tx: mpsc::Sender<Event>,
    mut stop: watch::Receiver<bool>,
) {
    let mut listers = Listers::default();
    let mut backoff = Backoff::new(1_000.0, 60_000.0);
    loop {
        let at = crate::hub::now();
        let (events, failure) = round(&mut api, &mut listers).await;
        for l in events {
            let ev = Event { at, via: None, body: Body::Entity(EntityEvent::Listed(l)) };
            if tx.send(ev).await.is_err() {
                return; // the feed is shutting down
            }
            stats.events.fetch_add(1, Ordering::Relaxed);
        }
        let wait = match failure {
            None => {
                if stats.up() {
                    tracing::info!("the controller's management API answers again");
                }
                backoff.reset();
                refresh
            }
            Some(reason) => {
                tracing::warn!("the controller's management API: {reason}");
                stats.rejected.fetch_add(1, Ordering::Relaxed);
                *stats.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.clone());
                stats.down(at, reason);
                // Half to full jitter from the round's own time: many feeds
                // restarted at once do not hammer the controller together.
                let jitter = (at.0 as u64 % 1000) as f64 / 1000.0;
                Duration::from_millis(backoff.next_delay_ms(jitter) as u64).min(refresh)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// One listing of both types: the reports, and the failure, if any.
async fn round(api: &mut Api, listers: &mut Listers) -> (Vec<zitiscope_core::event::EntityListed>, Option<String>) {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    match api.list::<EdgeRouter>(EDGE_ROUTERS_PATH).await {
        Ok((items, ended)) => {
            out.extend(listers.routers.round(EntityType::Router, items.iter().map(router_listed).collect(), ended))
        }
        Err(f) => failures.push(format!("edge routers: {f}")),
    }
    match api.list::<Identity>(IDENTITIES_PATH).await {
        Ok((items, ended)) => out.extend(listers.identities.round(
            EntityType::Identity,
            items.iter().map(identity_listed).collect(),
            ended,
        )),
        Err(f) => failures.push(format!("identities: {f}")),
    }
    (out, (!failures.is_empty()).then(|| failures.join("; ")))
}
