//! Groups the events that sources emit into batches: a batch is flushed when
//! it holds `max_events`, or `max_delay` after its first event, whichever
//! comes first. Browsers dispatch only ~30k SSE messages/s, so batching is
//! what makes high event rates possible at all.

use crate::publish::Publisher;
use std::time::Duration;
use tokio::sync::mpsc;
use zitiscope_core::Event;

/// When to flush.
#[derive(Clone, Copy, Debug)]
pub struct BatchConfig {
    pub max_events: usize,
    pub max_delay: Duration,
}

/// Runs until every sender is dropped, then flushes what is left.
pub async fn run(mut rx: mpsc::Receiver<Event>, to: Publisher, cfg: BatchConfig) {
    let mut batch: Vec<Event> = Vec::with_capacity(cfg.max_events);
    loop {
        // Wait for the first event of a batch with no deadline.
        match rx.recv().await {
            Some(e) => batch.push(e),
            None => break,
        }
        let deadline = tokio::time::Instant::now() + cfg.max_delay;
        while batch.len() < cfg.max_events {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(e)) => batch.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        to.publish(std::mem::replace(&mut batch, Vec::with_capacity(cfg.max_events))).await;
    }
    if !batch.is_empty() {
        to.publish(batch).await;
    }
}
