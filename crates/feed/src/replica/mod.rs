//! Replicas (`--replica`): several feeds serve one network from one
//! PostgreSQL, behind a load balancer, so that hundreds of screens can
//! watch it and any one feed can die.
//!
//! The invariant: every replica's hub holds the same batches under the
//! same sequence numbers and the same run id, so a client's resume point
//! (`<run>:<seq>`) is good on any of them; and a batch reaches a client
//! only once it is in the shared log (`log.rs`), where every replica can
//! read it.
//!
//! The rules:
//! - **One leads.** The leader is the replica whose session holds the
//!   advisory lock [`log::LEADER_LOCK`]; only it runs the sources and
//!   writes the history. PostgreSQL frees the lock when that session ends,
//!   so a leader that dies (or loses the server) is replaced within a
//!   [`log::POLL`] or two.
//! - **Log, then publish.** The leader numbers a batch (its hub's last +
//!   1), appends it to the log and only then publishes it to its own hub
//!   ([`Log::publish`]). The append notifies the followers in the same
//!   statement.
//! - **Follow in order.** A follower applies the log's batches after its
//!   hub's last, in order, woken by the notification and every
//!   [`log::POLL`] regardless (a notification can be lost with its
//!   connection); it reads the same text, so its clients receive the
//!   leader's bytes.
//! - **Take over complete.** A follower that gets the lock first applies
//!   every batch in the log, then has its history's writer write the
//!   batches the history lacks (from the mark the writer leaves,
//!   `HistoryStore::mark_batch`), then starts the sources.
//! - **Fenced.** A leader whose append finds its number taken (another
//!   leader), or whose lock session ends, exits (status 75), so that its
//!   supervisor restarts it as a follower; a follower that finds a batch
//!   missing from the log (it fell behind what the log keeps) exits too,
//!   and restarts from the newest snapshot. Exiting is the one way out that
//!   cannot leave two leaders or a hub with a hole.
//! - **Start from a snapshot.** Every replica starts from the log's newest
//!   snapshot (the leader saves one every [`SNAPSHOT_EVERY`]) plus the
//!   batches after it.

#[cfg(feature = "postgres")]
mod append;
#[cfg(feature = "postgres")]
mod follow;
#[cfg(feature = "postgres")]
pub(crate) mod log;
#[cfg(feature = "postgres")]
mod open;
mod status;

#[cfg(feature = "postgres")]
pub use append::Log;
#[cfg(feature = "postgres")]
pub use follow::run;
#[cfg(feature = "postgres")]
pub use open::{open, Lead, Opened, Replica};
pub use status::Status;

use std::time::Duration;

/// How often the leader saves its hub's state in the log.
pub const SNAPSHOT_EVERY: Duration = Duration::from_secs(30);

/// The exit status of a replica that must restart as a follower.
pub const EXIT_RESTART: i32 = 75;

/// Exits so that the supervisor restarts this feed as a follower (see the
/// module's rules).
#[cfg(feature = "postgres")]
fn fenced(why: &str) -> ! {
    tracing::error!(target: "zitiscope::replica", "{why}; exiting ({EXIT_RESTART}) to restart as a follower");
    std::process::exit(EXIT_RESTART)
}
