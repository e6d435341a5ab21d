//! `stdin`: JSON lines from a pipe, e.g.
//! `ziti fabric stream events --connect --sdk --routers --links --cluster --metrics | zitiscope-feed stdin`.
//! At end of input the feed keeps serving the last state, and the source is
//! down ("end of input"): a pipe whose writer exited is a frozen network,
//! and it must not look live. (`exec` runs the command itself, and runs it
//! again.)

use super::lines::{Lines, Overlong};
use super::Ingest;
use std::io::Read;

/// Reads `input` to its end on the calling thread (run it on its own).
pub fn read(mut input: impl Read, ingest: &Ingest, max_line: usize) {
    let mut lines = Lines::new(max_line, 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut open = true;
    let mut out = |n: u64, line: Result<&[u8], Overlong>| open = open && ingest.line(n, line);
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => lines.push(&buf[..n], &mut out),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::error!("stdin: {e}");
                lines.finish(&mut out);
                ingest.stats().down(crate::hub::now(), format!("cannot read: {e}"));
                return;
            }
        }
    }
    lines.finish(&mut out);
    ingest.stats().down(crate::hub::now(), "end of input");
    tracing::warn!(source = %ingest.name(), "end of input; serving the last state");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::SourceStats;
    use crate::source::Ingest;
    use std::sync::Arc;

    #[test]
    fn counts_events_skips_and_rejections_and_reads_a_last_line_without_newline() {
        let mut bytes = concat!(
            r#"{"namespace":"router","timestamp":"2025-06-12T11:00:02Z","event_src_id":"ctrl1","event_type":"router-online","router_id":"r1","router_online":true}"#,
            "\n\n",
            "{broken\n",
            r#"{"namespace":"terminator","timestamp":"2025-06-12T11:00:02Z","event_type":"created"}"#,
            "\n\u{0}\u{1}<script>alert(1)</script>\n",
        )
        .as_bytes()
        .to_vec();
        bytes.extend_from_slice(b"\xff\xfe{}\n");
        // The last line has no newline: it is still read at end of input.
        bytes.extend_from_slice(
            br#"{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"2025-06-12T10:00:05Z","event_type":"sdk-online","identity_id":"i1"}"#,
        );
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let stats = Arc::new(SourceStats::default());
        read(&bytes[..], &Ingest::new("stdin", stats.clone(), tx), 1 << 20);
        let get = |c| SourceStats::get(c);
        assert_eq!((get(&stats.events), get(&stats.skipped), get(&stats.rejected)), (2, 1, 3));
        assert_eq!(get(&stats.lines), 6, "the blank line is not counted");
        assert!(stats.last_error.lock().unwrap().as_deref().unwrap().starts_with("line 6: invalid UTF-8"));
        assert!(rx.try_recv().is_ok() && rx.try_recv().is_ok() && rx.try_recv().is_err());
        let c = stats.counters();
        assert!(c.down_since.is_some() && c.reason.as_deref() == Some("end of input"), "a closed pipe is down: {c:?}");
    }
}
