//! The leader's way into the log: a batch is numbered, appended and only
//! then published to the leader's own hub (the rule "log, then publish").

use super::{fenced, log, Status};
use crate::hub::Hub;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use zitiscope_core::Event;

/// The leader's way into the log: see [`Log::publish`].
pub struct Log {
    url: String,
    hub: Arc<Hub>,
    /// One append at a time, in order; `None` until connected (or after
    /// the connection broke).
    db: tokio::sync::Mutex<Option<tokio_postgres::Client>>,
    status: Arc<Status>,
}

impl Log {
    pub fn new(url: String, hub: Arc<Hub>, status: Arc<Status>) -> Log {
        Log { url, hub, db: tokio::sync::Mutex::new(None), status }
    }

    /// The hub the batches end in.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Appends a batch to the log under the next number, then publishes it
    /// to this replica's hub; returns its number. Waits, retrying, while
    /// the server is away (the sources wait with it); exits when another
    /// replica took the number (see the module's rules).
    pub async fn publish(&self, events: Vec<Event>) -> u64 {
        if events.is_empty() {
            return self.hub.seq();
        }
        assert!(self.status.leading.load(Ordering::Relaxed), "only the leader publishes");
        let data = serde_json::to_string(&events).expect("events always serialise");
        let mut db = self.db.lock().await;
        let seq = self.hub.seq() + 1;
        let mut backoff = zitiscope_core::backoff::Backoff::new(100.0, 2_000.0);
        loop {
            if db.is_none() {
                match log::connect(&self.url, None).await {
                    Ok(client) => *db = Some(client),
                    Err(e) => tracing::warn!(target: "zitiscope::replica", "the log: {e}"),
                }
            }
            if let Some(client) = db.as_ref() {
                match log::append(client, seq, &data).await {
                    Ok(()) => break,
                    Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                        fenced(&format!("another feed published batch {seq}: this one no longer leads"))
                    }
                    Err(e) => {
                        tracing::warn!(target: "zitiscope::replica", "appending batch {seq}: {e}");
                        if client.is_closed() {
                            *db = None;
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(backoff.next_delay_ms(0.5) as u64)).await;
        }
        if let Err(last) = self.hub.publish_at(seq, data, &events) {
            fenced(&format!("batch {seq} after {last}: the hub moved under the leader"));
        }
        self.status.head.fetch_max(seq, Ordering::Relaxed);
        seq
    }
}
