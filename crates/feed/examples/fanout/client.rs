//! One SSE client of the fan-out benchmark: reads every batch, checks
//! sequence and loss, and records each event's delay.

use super::*;

/// What one client saw.
pub struct ClientReport {
    pub hist: Hist,
    /// Per batch inside the window: arrival − its newest event's `at`, i.e.
    /// the delivery after the batcher flushed, without the batching wait.
    pub delivery: Hist,
    /// Events stamped inside the window.
    pub in_window: u64,
    /// Every event received after the snapshot.
    pub events: u64,
    pub batches: u64,
    /// Batches skipped over (a jump in the batch ids).
    pub gaps: u64,
    /// Batches received twice or out of order.
    pub dups: u64,
    pub resets: u64,
    /// Batch elements that did not decode.
    pub bad: u64,
    /// The stream ended before the last batch, or failed.
    pub error: Option<String>,
}

/// The measured window, as `at` stamps: [start, end) in ns since the epoch.
pub type Window = Arc<OnceLock<(i64, i64)>>;

/// When the clients stop: the last batch's sequence number and a deadline.
pub type Finish = watch::Receiver<Option<(u64, tokio::time::Instant)>>;

/// One SSE client: reads `/events` until it holds batch `finish`, or its deadline.
pub async fn client(url: String, window: Window, ready: Arc<AtomicUsize>, mut finish: Finish) -> ClientReport {
    let mut r = ClientReport {
        hist: Hist::new(),
        delivery: Hist::new(),
        in_window: 0,
        events: 0,
        batches: 0,
        gaps: 0,
        dups: 0,
        resets: 0,
        bad: 0,
        error: None,
    };
    let resp = match reqwest::Client::new().get(&url).send().await {
        Ok(resp) if resp.status().is_success() => resp,
        Ok(resp) => {
            r.error = Some(format!("GET /events: {}", resp.status()));
            ready.fetch_add(1, Ordering::SeqCst);
            return r;
        }
        Err(e) => {
            r.error = Some(format!("GET /events: {e}"));
            ready.fetch_add(1, Ordering::SeqCst);
            return r;
        }
    };
    let mut stream = resp.bytes_stream().eventsource();
    let mut last: Option<u64> = None;
    loop {
        let target = *finish.borrow_and_update();
        if let (Some((end, _)), Some(l)) = (target, last) {
            if l >= end {
                break;
            }
        }
        let deadline = target.map(|(_, d)| d);
        let next = tokio::select! {
            next = stream.next() => next,
            changed = finish.changed() => {
                if changed.is_err() {
                    r.error = Some("the benchmark stopped waiting".into());
                    break;
                }
                continue;
            }
            _ = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            } => {
                r.error = Some(format!("timed out at batch {last:?} of {:?}", target.map(|(s, _)| s)));
                break;
            }
        };
        let ev = match next {
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                r.error = Some(format!("stream error after batch {last:?}: {e}"));
                break;
            }
            None => {
                r.error = Some(format!("stream ended after batch {last:?}"));
                break;
            }
        };
        match ev.event.as_str() {
            "snapshot" => {
                let seq = EventId::parse(&ev.id).map(|id| id.seq);
                if last.is_none() {
                    ready.fetch_add(1, Ordering::SeqCst);
                }
                last = seq;
            }
            "batch" => {
                let arrived = wall_ns();
                let Some(seq) = EventId::parse(&ev.id).map(|id| id.seq) else {
                    r.error = Some(format!("batch with id {:?}", ev.id));
                    break;
                };
                let Some(prev) = last else {
                    r.error = Some("a batch before the snapshot".into());
                    break;
                };
                if seq <= prev {
                    r.dups += 1;
                    continue;
                }
                r.gaps += seq - prev - 1;
                last = Some(seq);
                r.batches += 1;
                let (start, end) = window.get().copied().unwrap_or((i64::MAX, i64::MAX));
                let mut newest = None;
                for e in decode_batch(&ev.data) {
                    match e {
                        Ok(e) => {
                            r.events += 1;
                            if (start..end).contains(&e.at.0) {
                                r.in_window += 1;
                                r.hist.record(since_us(arrived, e.at.0));
                                newest = newest.max(Some(e.at.0));
                            }
                        }
                        Err(_) => r.bad += 1,
                    }
                }
                if let Some(newest) = newest {
                    r.delivery.record(since_us(arrived, newest));
                }
            }
            "reset" => {
                r.resets += 1;
                r.error = Some(format!("reset: {}", ev.data));
                break;
            }
            _ => {} // heartbeats
        }
    }
    r
}
