//! The shared batch log in PostgreSQL: the tables, and every statement the
//! replicas run on them (tokio-postgres, on the feed's runtime).
//!
//! - `feed_batches`: every batch the leader published, under its sequence
//!   number, as the JSON its clients received. The primary key on `seq` is
//!   also the fence: a second leader's append at a taken number fails.
//! - `feed_snapshots`: the leader's hub state now and then, as the
//!   snapshot a client starts from, so that a replica starts from the
//!   newest one plus the batches after it. The two newest are kept, and
//!   the batches from the older one on.
//! - `feed_cluster`: one row, the id every replica's clients see as the
//!   feed's run: a resume point is good on any replica.

use std::time::Duration;
use tokio_postgres::{AsyncMessage, Client, NoTls};

pub(super) const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS feed_batches (
        seq  BIGINT PRIMARY KEY,
        at   BIGINT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS feed_snapshots (
        seq   BIGINT PRIMARY KEY,
        state TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS feed_cluster (
        only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
        run      TEXT NOT NULL
    );
";

/// The channel the leader notifies on each batch (the payload is its seq).
pub(super) const CHANNEL: &str = "zitiscope_batches";

/// The advisory lock the leader holds for as long as its session lives.
pub(super) const LEADER_LOCK: i64 = 0x7a69_7469_7363_6f02; // "zitisco" + 2

/// One batch of the log.
pub(super) struct Logged {
    pub seq: u64,
    pub data: String,
}

/// A connection whose messages (notifications among them) go to `notes`,
/// the connection driven by a task of its own; when it ends, `notes`
/// closes.
pub(super) async fn connect(
    url: &str,
    notes: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
) -> Result<Client, tokio_postgres::Error> {
    let (client, mut conn) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
        use futures_util::StreamExt;
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    if let (Some(tx), Ok(seq)) = (&notes, n.payload().parse()) {
                        let _ = tx.send(seq);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(target: "zitiscope::replica", "connection to the log: {e}");
                    break;
                }
            }
        }
    });
    Ok(client)
}

/// Appends batch `seq`, and notifies the followers, in one statement: the
/// notification goes out once the row is committed.
pub(super) async fn append(db: &Client, seq: u64, data: &str) -> Result<(), tokio_postgres::Error> {
    let at = crate::hub::now().0;
    db.execute(
        "WITH b AS (INSERT INTO feed_batches (seq, at, data) VALUES ($1, $2, $3) RETURNING seq)
         SELECT pg_notify('zitiscope_batches', seq::text) FROM b",
        &[&(seq as i64), &at, &data],
    )
    .await?;
    Ok(())
}

/// Up to `limit` batches after `seq`, in order.
pub(super) async fn after(db: &Client, seq: u64, limit: i64) -> Result<Vec<Logged>, tokio_postgres::Error> {
    let rows = db
        .query("SELECT seq, data FROM feed_batches WHERE seq > $1 ORDER BY seq LIMIT $2", &[&(seq as i64), &limit])
        .await?;
    Ok(rows.iter().map(|r| Logged { seq: r.get::<_, i64>(0) as u64, data: r.get(1) }).collect())
}

/// Saves the hub's snapshot at `seq`, and drops what no replica needs any
/// more: snapshots but the two newest, and the batches before the older.
pub(super) async fn snapshot(db: &Client, seq: u64, state: &str) -> Result<(), tokio_postgres::Error> {
    db.execute(
        "INSERT INTO feed_snapshots (seq, state) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING",
        &[&(seq as i64), &state],
    )
    .await?;
    db.batch_execute(
        "DELETE FROM feed_snapshots WHERE seq < (SELECT MIN(seq) FROM
             (SELECT seq FROM feed_snapshots ORDER BY seq DESC LIMIT 2) newest);
         DELETE FROM feed_batches WHERE seq <= (SELECT MIN(seq) FROM feed_snapshots)
             AND (SELECT COUNT(*) FROM feed_snapshots) >= 2;",
    )
    .await
}

/// Tries to become the leader: `true` once this session holds the lock.
pub(super) async fn try_lead(db: &Client) -> Result<bool, tokio_postgres::Error> {
    Ok(db.query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK]).await?.get(0))
}

/// How often a follower looks at the log without a notification, and
/// tries the leader's lock.
pub(super) const POLL: Duration = Duration::from_millis(500);
