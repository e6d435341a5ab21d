//! The `simulate` source: a seeded, realistic network played in real time,
//! so that a first run shows something alive without a controller. It looks
//! like a real controller's network: opaque ids in the events, the names
//! only through `entityChange` and through the management-API subset that
//! the feed serves from [`Live`] (`directory`).

mod directory;
mod events;
mod names;
mod network;
mod options;
mod scenario;

pub use directory::Live;
pub use network::Network;
pub use options::SimulateArgs;
pub use scenario::Scenario;

use crate::metrics::SourceStats;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use zitiscope_core::{Event, Timestamp};

/// How often the simulation advances.
pub const TICK: Duration = Duration::from_millis(50);

/// Wall-clock time as an event timestamp.
pub fn wall_clock() -> Timestamp {
    crate::hub::now()
}

/// Plays the network `live` holds until shutdown or until the batcher is
/// gone (nothing, while it holds none).
pub async fn run(live: Live, tx: mpsc::Sender<Event>, stats: Arc<SourceStats>, shutdown: watch::Receiver<bool>) {
    let stop = crate::stopped(shutdown);
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut stop => return,
        }
        let step = live.with(|net| net.step(wall_clock(), TICK.as_secs_f64())).unwrap_or_default();
        for e in step {
            stats.events.fetch_add(1, Ordering::Relaxed);
            if tx.send(e).await.is_err() {
                return;
            }
        }
    }
}
