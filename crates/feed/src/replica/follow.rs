//! A replica's life: it follows the log until it gets the leader's lock,
//! then leads until it exits (see the rules in `mod.rs`).

use super::log::{self, Logged, CHANNEL, POLL};
use super::{fenced, Replica, SNAPSHOT_EVERY};
use crate::hub::Frame;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, watch};
use tokio_postgres::Client;
use zitiscope_core::Event;

/// Follows, then leads, until `stop`.
pub async fn run(replica: Arc<Replica>, stop: watch::Receiver<bool>) {
    let mut stopped = std::pin::pin!(crate::stopped(stop.clone()));
    let mut backoff = zitiscope_core::backoff::Backoff::new(250.0, 5_000.0);
    loop {
        // One session: the notifications, the reads and, in the end, the lock.
        let (tx, notes) = mpsc::unbounded_channel();
        let session = async {
            let db = log::connect(&replica.url, Some(tx)).await?;
            db.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
            Ok::<_, tokio_postgres::Error>(db)
        };
        let db = tokio::select! {
            db = session => db,
            () = stopped.as_mut() => return,
        };
        match db {
            Ok(db) => {
                backoff = zitiscope_core::backoff::Backoff::new(250.0, 5_000.0);
                match follow(&replica, &db, notes, &mut stopped).await {
                    Ok(Some(notes)) => return lead(replica, db, notes, stop).await,
                    Ok(None) => return,
                    Err(e) => tracing::warn!(target: "zitiscope::replica", "following the log: {e}"),
                }
            }
            Err(e) => tracing::warn!(target: "zitiscope::replica", "connecting to the log: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(backoff.next_delay_ms(0.5) as u64)) => {}
            () = stopped.as_mut() => return,
        }
    }
}

/// Applies the log's batches as they come, and tries the lock every
/// [`POLL`]. `Some` once this session holds the lock (its notifications
/// still to watch), `None` when the feed stops, `Err` when the session
/// broke.
async fn follow(
    replica: &Replica,
    db: &Client,
    mut notes: mpsc::UnboundedReceiver<u64>,
    stopped: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> Result<Option<mpsc::UnboundedReceiver<u64>>, String> {
    let text = |e: tokio_postgres::Error| e.to_string();
    loop {
        catch_up(replica, db).await.map_err(text)?;
        if log::try_lead(db).await.map_err(text)? {
            return Ok(Some(notes));
        }
        let deadline = tokio::time::Instant::now() + POLL;
        loop {
            tokio::select! {
                note = notes.recv() => match note {
                    Some(seq) => {
                        replica.status.head.fetch_max(seq, Ordering::Relaxed);
                        catch_up(replica, db).await.map_err(text)?;
                    }
                    None => return Err("the session ended".into()),
                },
                () = tokio::time::sleep_until(deadline) => break,
                () = stopped.as_mut() => return Ok(None),
            }
        }
    }
}

/// Applies every batch the log has after this replica's hub's last.
async fn catch_up(replica: &Replica, db: &Client) -> Result<(), tokio_postgres::Error> {
    loop {
        let batches = log::after(db, replica.hub.seq(), 1_000).await?;
        let Some(last) = batches.last().map(|b| b.seq) else { return Ok(()) };
        replica.status.head.fetch_max(last, Ordering::Relaxed);
        for Logged { seq, data } in batches {
            // The leader wrote it from events: it always parses.
            let events: Vec<Event> = serde_json::from_str(&data).unwrap_or_default();
            match replica.hub.publish_at(seq, data, &events) {
                Ok(()) => {}
                Err(have) if have >= seq => {}
                Err(have) => fenced(&format!("the log no longer holds batch {} (it starts at {seq})", have + 1)),
            }
        }
    }
}

/// Leads: applies what the log holds, writes the history's missing
/// batches and starts the sources, then saves snapshots until the feed
/// stops; exits if its lock's session ends.
async fn lead(replica: Arc<Replica>, db: Client, mut notes: mpsc::UnboundedReceiver<u64>, stop: watch::Receiver<bool>) {
    let took = Instant::now();
    if let Err(e) = catch_up(&replica, &db).await {
        fenced(&format!("reading the log after taking the lead: {e}"));
    }
    replica.status.leading.store(true, Ordering::Relaxed);
    tracing::info!(target: "zitiscope::replica", "leading from batch {}", replica.hub.seq());
    // The history: the frames from now on, after the batches it lacks.
    let frames = replica.hub.frames();
    let until = replica.hub.seq();
    let url = replica.url.clone();
    let backlog: crate::history::Backlog = Box::new(move |written| backlog(&url, written, until));
    // Off the async threads: it waits for the writer to restore its state.
    let history = replica.history.clone();
    match tokio::task::spawn_blocking(move || history.write(frames, Some(backlog))).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => fenced(&format!("starting the history's writer: {e}")),
        Err(e) => fenced(&format!("starting the history's writer: {e}")),
    }
    let lead = replica.lead.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(start) = lead {
        if let Err(e) = start() {
            fenced(&format!("starting the sources: {e}"));
        }
    }
    replica.status.takeovers.fetch_add(1, Ordering::Relaxed);
    replica.status.takeover_ms.store(took.elapsed().as_millis() as u64, Ordering::Relaxed);

    let mut stopped = std::pin::pin!(crate::stopped(stop));
    let mut every = tokio::time::interval(SNAPSHOT_EVERY);
    let mut saved = 0;
    loop {
        tokio::select! {
            _ = every.tick() => {
                let (seq, text) = replica.hub.snapshot_at();
                if seq > saved {
                    match log::snapshot(&db, seq, &text).await {
                        Ok(()) => saved = seq,
                        Err(e) => tracing::warn!(target: "zitiscope::replica", "saving a snapshot: {e}"),
                    }
                }
            }
            note = notes.recv() => if note.is_none() {
                fenced("the session holding the leader's lock ended");
            },
            () = stopped.as_mut() => return,
        }
    }
}

/// The log's batches after `written` up to `until` (the history's writer
/// thread asks; blocking, with a client of its own).
fn backlog(url: &str, written: u64, until: u64) -> Result<Vec<Arc<Frame>>, crate::history::StoreError> {
    let err = |e: postgres::Error| crate::history::StoreError(format!("the log: {e}"));
    let mut db = postgres::Client::connect(url, postgres::NoTls).map_err(err)?;
    let rows = db
        .query(
            "SELECT seq, data FROM feed_batches WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            &[&(written as i64), &(until as i64)],
        )
        .map_err(err)?;
    Ok(rows
        .iter()
        .map(|r| {
            let data: String = r.get(1);
            let len = serde_json::from_str::<Vec<serde_json::Value>>(&data).map_or(0, |v| v.len());
            Arc::new(Frame { seq: r.get::<_, i64>(0) as u64, data, len })
        })
        .collect())
}
