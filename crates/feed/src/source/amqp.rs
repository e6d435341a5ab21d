//! `amqp`: the queue that the controllers' AMQP event handlers publish into.
//!
//! A controller's `events` handler of `type: amqp`, `format: json`
//! (`controller/events/amqp_logger.go`) declares its queue (durable, not
//! auto-deleted, not exclusive, no arguments) and publishes one JSON event
//! per message, with no trailing newline, to the default exchange with the
//! queue's name as routing key. Every controller of a cluster may publish
//! into the same queue; the store counts HA copies once.
//!
//! The invariant: **a message is acknowledged only once its event is
//! published to the clients and, with the history on, the history's writer
//! has dealt with it.** So a feed that dies before that gets the message
//! again from the broker, and one that dies after it has already passed it
//! on. Redelivered events change nothing the feed already has (the store
//! dedupes). The rules that keep it:
//! - the consumer acks by hand, and the broker sends at most `prefetch`
//!   messages ahead of the acks;
//! - it gathers messages into a batch as the batcher does (`--batch-max`,
//!   `--batch-interval-ms`) and publishes the batch itself, so it knows the
//!   batch's sequence number; once the history's writer has passed that
//!   number, it acks every message up to the batch's last at once
//!   (`multiple`). It reads on meanwhile: the writer takes its time (up to
//!   100 ms a transaction), and waiting for it batch by batch would cap
//!   the source at a few batches a second;
//! - a message that is not an event is counted (rejected or skipped) and
//!   acked with its batch: a broken message must not come back forever;
//! - the broker going away, a refused declaration or a closed channel
//!   marks the source down with the reason and retries on the core's
//!   backoff; whatever was not acked is redelivered.

use super::lines::Overlong;
use super::spec::AmqpSpec;
use super::{Publish, Reader};
use crate::redact::redacted;
use futures_util::StreamExt;

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Acker, Connection, ConnectionProperties};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::watch;
use zitiscope_core::Backoff;

/// Consumes the queue `spec` names until `stop`, reconnecting as needed
/// on the core's backoff (as `exec` restarts its command): from
/// `retry-ms`, doubling with jitter up to `retry-max-ms`, and from the
/// start again once a connection consumed.
pub async fn consume(spec: AmqpSpec, read: Reader, to: Publish, stop: watch::Receiver<bool>) {
    read.stats().down(crate::hub::now(), format!("connecting to {}", redacted(&spec.url)));
    let mut backoff = Backoff::new(spec.retry_ms as f64, spec.retry_max_ms as f64);
    let mut jitter = SmallRng::seed_from_u64(crate::hub::now().0 as u64 ^ read.name().len() as u64);
    let mut messages = 0u64;
    loop {
        let reason = tokio::select! {
            ended = session(&spec, &read, &to, &mut messages, || backoff.reset()) => ended,
            () = crate::stopped(stop.clone()) => return,
        };
        let delay = Duration::from_millis(backoff.next_delay_ms(jitter.random::<f64>()) as u64);
        let was_up = read.stats().down(crate::hub::now(), reason.clone());
        // A broker away for hours must not fill the log: every try at
        // first, then ever more rarely (the counters stay exact).
        if was_up || backoff.attempts() <= 3 || backoff.attempts().is_power_of_two() {
            tracing::warn!(source = %read.name(), "{reason}; retrying in {} ms", delay.as_millis());
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = crate::stopped(stop.clone()) => return,
        }
    }
}

/// One connection's life: connects, declares the queue as the controllers
/// do, and consumes until something fails. Returns why it ended.
/// `connected` is called once the consumer runs.
async fn session(spec: &AmqpSpec, read: &Reader, to: &Publish, messages: &mut u64, connected: impl FnOnce()) -> String {
    let broker = redacted(&spec.url);
    let props = ConnectionProperties::default().with_connection_name("zitiscope-feed".into());
    let conn = match Connection::connect(&spec.url, props).await {
        Ok(c) => c,
        Err(e) => return format!("cannot connect to {broker}: {e}"),
    };
    let channel = match conn.create_channel().await {
        Ok(c) => c,
        Err(e) => return format!("{broker}: cannot open a channel: {e}"),
    };
    let options = QueueDeclareOptions {
        passive: false,
        durable: spec.durable,
        exclusive: spec.exclusive,
        auto_delete: spec.auto_delete,
        nowait: false,
    };
    if let Err(e) = channel.queue_declare(spec.queue.as_str().into(), options, FieldTable::default()).await {
        return format!("{broker}: queue {:?} cannot be declared: {e}", spec.queue);
    }
    if let Err(e) = channel.basic_qos(spec.prefetch, BasicQosOptions::default()).await {
        return format!("{broker}: cannot set the prefetch: {e}");
    }
    let consume = BasicConsumeOptions { no_ack: false, ..Default::default() };
    let mut consumer = match channel
        .basic_consume(spec.queue.as_str().into(), "zitiscope-feed".into(), consume, FieldTable::default())
        .await
    {
        Ok(c) => c,
        Err(e) => return format!("{broker}: cannot consume {:?}: {e}", spec.queue),
    };
    read.stats().up();
    connected();
    tracing::info!(source = %read.name(), "consuming {:?} at {broker}", spec.queue);
    let mut written = to.written.clone();
    // Published batches not yet acknowledged: their sequence numbers, and
    // the acker of each one's last message. The consumer reads on while
    // the history writes (the prefetch bounds how far ahead it gets).
    let mut pending: VecDeque<(u64, Acker)> = VecDeque::new();
    loop {
        let through = written.as_ref().map_or(u64::MAX, |w| *w.borrow());
        if let Some(last) = written_part(&mut pending, through) {
            if let Err(e) = last.ack(BasicAckOptions { multiple: true }).await {
                return format!("{broker}: cannot acknowledge: {e}");
            }
        }
        // The first message of a batch, with no deadline (but woken to
        // acknowledge what the history has written meanwhile); then what
        // follows until the batch is full or its time is up.
        let first = tokio::select! {
            next = consumer.next() => next,
            moved = progress(written.as_mut()), if !pending.is_empty() => match moved {
                true => continue,
                false => return "the history's writer stopped".into(),
            },
        };
        let mut batch: Vec<Delivery> = match first {
            Some(Ok(d)) => vec![d],
            Some(Err(e)) => return format!("{broker}: {e}"),
            None => return format!("{broker}: the broker cancelled the consumer"),
        };
        let deadline = tokio::time::Instant::now() + to.batch.max_delay;
        let mut failed = None;
        while batch.len() < to.batch.max_events {
            match tokio::time::timeout_at(deadline, consumer.next()).await {
                Ok(Some(Ok(d))) => batch.push(d),
                // What was gathered is still published: it is unacked, so
                // it comes again, and then changes nothing.
                Ok(Some(Err(e))) => failed = Some(format!("{broker}: {e}")),
                Ok(None) => failed = Some(format!("{broker}: the broker cancelled the consumer")),
                Err(_) => break,
            }
            if failed.is_some() {
                break;
            }
        }
        let events = batch
            .iter()
            .flat_map(|d| {
                *messages += 1;
                events(read, *messages, &d.data, spec.max_line_bytes)
            })
            .collect();
        let seq = to.to.publish(events).await;
        if let Some(failed) = failed {
            return failed;
        }
        let last = batch.pop().expect("a batch holds at least its first message");
        pending.push_back((seq, last.acker));
    }
}

/// Takes the batches at or before `through` off the front of `pending`,
/// and returns the acker of the last of them: acknowledging its message
/// with `multiple` acknowledges every message before it on the channel.
fn written_part(pending: &mut VecDeque<(u64, Acker)>, through: u64) -> Option<Acker> {
    let mut last = None;
    while pending.front().is_some_and(|(seq, _)| *seq <= through) {
        last = pending.pop_front().map(|(_, acker)| acker);
    }
    last
}

/// Resolves when the history's writer moves on (`true`), or has stopped
/// (`false`); never without a history (every batch is acked at once then).
async fn progress(written: Option<&mut watch::Receiver<u64>>) -> bool {
    match written {
        Some(w) => w.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

/// The events in one message: one JSON event, as the controller sends it,
/// or JSON lines from another publisher. Counted into the reader's stats.
fn events(read: &Reader, n: u64, body: &[u8], max: usize) -> Vec<zitiscope_core::Event> {
    if body.len() > max {
        return read.event(n, Err(Overlong { len: body.len(), max })).into_iter().collect();
    }
    body.split(|b| *b == b'\n').filter_map(|line| read.event(n, Ok(line))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::SourceStats;
    use std::sync::Arc;

    #[test]
    fn a_message_is_one_event_or_lines_and_bad_ones_are_counted() {
        let stats = Arc::new(SourceStats::default());
        let read = Reader::new("amqp:ziti", stats.clone()).unit("message");
        let online = r#"{"namespace":"router","timestamp":"2025-06-12T11:00:02Z","event_src_id":"ctrl1","event_type":"router-online","router_id":"r1","router_online":true}"#;
        assert_eq!(
            events(&read, 1, online.as_bytes(), 1 << 20).len(),
            1,
            "no trailing newline, as the controller sends"
        );
        let two = format!("{online}\n{}\n", online.replace("r1", "r2"));
        assert_eq!(events(&read, 2, two.as_bytes(), 1 << 20).len(), 2);
        assert!(events(&read, 3, b"<script>alert(1)</script>", 1 << 20).is_empty());
        assert!(events(&read, 4, online.as_bytes(), 64).is_empty(), "over the size limit");
        let get = SourceStats::get;
        assert_eq!((get(&stats.events), get(&stats.rejected)), (3, 2));
        let last = stats.last_error.lock().unwrap().clone().unwrap();
        assert!(last.starts_with("message 4: message is"), "{last}");
    }
}
