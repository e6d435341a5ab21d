//! A hook's delivery task: one change at a time, in order, to its webhook
//! or its command, with a timeout per attempt and retries on the core's
//! backoff schedule, counting what happened.

use super::HookSpec;
use crate::metrics::HookStats;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use zitiscope_core::store::ChangeLabel;
use zitiscope_core::{Backoff, Change};

/// What a hook receives.
#[derive(Serialize)]
struct Payload<'a> {
    hook: &'a str,
    /// The feed's run id, under the protocol's name for it (as in the SSE
    /// ids and snapshots), so a receiver can tell a restart.
    #[serde(rename = "feed")]
    run_id: &'a str,
    change: &'a Change,
    /// The same change in words: what, subject (routers and identities by
    /// name), state.
    label: ChangeLabel,
}

/// Delivers every change `rx` brings until the hook is dropped.
pub(super) async fn deliver_all(
    spec: HookSpec,
    run_id: String,
    mut rx: mpsc::Receiver<(Change, ChangeLabel)>,
    stats: Arc<HookStats>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(spec.timeout_ms))
        .build()
        .expect("an HTTP client without TLS always builds");
    while let Some((change, label)) = rx.recv().await {
        stats.queued.fetch_sub(1, Ordering::Relaxed);
        let payload = Payload { hook: &spec.name, run_id: &run_id, change: &change, label };
        let body = serde_json::to_vec(&payload).expect("changes always serialise");
        let mut backoff = Backoff::new(spec.backoff_ms as f64, 30_000.0);
        let mut jitter = rand::rngs::SmallRng::seed_from_u64(stats.delivered.load(Ordering::Relaxed) ^ 0x5eed);
        let mut attempt = 0;
        loop {
            match deliver(&spec, &client, &body).await {
                Ok(()) => {
                    stats.delivered.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(e) if attempt < spec.retries => {
                    attempt += 1;
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                    let delay = backoff.next_delay_ms(jitter.random::<f64>());
                    tracing::debug!(hook = %spec.name, attempt, "delivery failed ({e}); retrying in {delay:.0} ms");
                    tokio::time::sleep(Duration::from_millis(delay as u64)).await;
                }
                Err(e) => {
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(hook = %spec.name, "giving up on a change after {} attempts: {e}", attempt + 1);
                    break;
                }
            }
        }
    }
}

/// One attempt.
async fn deliver(spec: &HookSpec, client: &reqwest::Client, body: &[u8]) -> Result<(), String> {
    if let Some(url) = &spec.url {
        let resp = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        return if resp.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", resp.status())) };
    }
    let Some((program, args)) = spec.command.as_deref().and_then(<[String]>::split_first) else {
        return Err("no url or command".into());
    };
    let run = async {
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A command that ignores its input is fine.
            let _ = stdin.write_all(body).await;
        }
        let status = child.wait().await.map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{program} exited with {status}"))
        }
    };
    match tokio::time::timeout(Duration::from_millis(spec.timeout_ms), run).await {
        Ok(result) => result,
        // Dropping the future kills the child (kill_on_drop).
        Err(_) => Err(format!("{program} took longer than {} ms", spec.timeout_ms)),
    }
}
