//! The hub: sequencing, dispatch, resume and the replay ring.

use super::*;
use zitiscope_core::dispatch::Interest;
use zitiscope_core::{Change, ConnKind};

#[test]
fn publish_dispatches_real_changes_and_sequences_batches() {
    let hub = Hub::new(8, 4);
    let routers = hub.changes.subscribe(Interest { kinds: vec![ConnKind::RouterToCtrl], ..Default::default() }, 16);
    let up = Event::conn(Timestamp(1), ConnKind::RouterToCtrl, "r1", "c1", true);
    assert_eq!(hub.publish(vec![up.clone(), Event::conn(Timestamp(1), ConnKind::EdgeToRouter, "a", "r1", true)]), 1);
    assert_eq!(hub.publish(vec![up]), 2, "a duplicate still makes a batch");
    let seen = routers.drain();
    assert!(matches!(seen.as_slice(), [Change::Conn { to: true, .. }]), "{seen:?}");
    assert_eq!(hub.status().summary.routers.online, 1);
}

#[test]
fn resume_inside_the_ring_gets_exactly_the_missed_batches() {
    let hub = Hub::new(8, 3);
    for i in 1..=5 {
        hub.publish(vec![Event::conn(Timestamp(i), ConnKind::RouterToCtrl, format!("r{i}"), "c1", true)]);
    }
    let at = |seq| EventId { run: hub.run_id.clone(), seq };
    // The ring holds batches 3..=5, so a client at 2..=5 can resume.
    for since in 2..=5 {
        let Start::Resume { after, missed } = hub.subscribe(Some(&at(since))).start else {
            panic!("{since} is inside the ring")
        };
        let seqs: Vec<u64> = missed.iter().map(|f| f.seq).collect();
        assert_eq!((after, seqs), (since, ((since + 1)..=5).collect::<Vec<_>>()));
    }
    let snapshot = |since: Option<EventId>| matches!(hub.subscribe(since.as_ref()).start, Start::Snapshot(_));
    assert!(snapshot(Some(at(1))), "older than the ring");
    assert!(snapshot(Some(at(6))), "ahead of this run");
    assert!(snapshot(Some(EventId { run: "other".into(), seq: 4 })), "another run of the feed");
    assert!(snapshot(None));
}

#[test]
fn the_ring_is_bounded_by_bytes_too() {
    let hub = Hub::new(8, 100);
    let one = |i: i64| vec![Event::conn(Timestamp(100 + i), ConnKind::RouterToCtrl, format!("r{i:03}"), "c1", true)];
    hub.publish(one(0));
    let size = hub.lock().ring_bytes;
    hub.limit_replay_bytes(size * 3);
    for i in 1..20 {
        hub.publish(one(i));
    }
    let st = hub.lock();
    assert_eq!(st.ring.len(), 3, "only what fits in 3 frames' bytes");
    assert_eq!(st.ring_bytes, st.ring.iter().map(|f| f.data.len()).sum::<usize>());
    assert_eq!(st.ring.back().map(|f| f.seq), Some(20));
}

#[test]
fn a_numbered_batch_is_published_only_as_the_next_one() {
    let hub = Hub::new(8, 4);
    let e = |k: i64| Event::conn(Timestamp(k), ConnKind::RouterToCtrl, format!("r{k}"), "c1", true);
    let text = |events: &[Event]| serde_json::to_string(events).unwrap();
    assert_eq!(hub.publish_at(2, text(&[e(2)]), &[e(2)]), Err(0), "a gap is refused");
    assert_eq!(hub.publish_at(1, text(&[e(1)]), &[e(1)]), Ok(()));
    assert_eq!(hub.publish_at(1, text(&[e(1)]), &[e(1)]), Err(1), "one already here is refused");
    assert_eq!(hub.publish(vec![e(3)]), 2, "numbering goes on from it");
    // Its clients resume across it, with its text as given.
    let joined = hub.subscribe(Some(&EventId { run: hub.run_id.clone(), seq: 0 }));
    match joined.start {
        Start::Resume { after: 0, missed } => {
            assert_eq!(missed.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
            assert_eq!(missed[0].data, text(&[e(1)]));
        }
        _ => panic!("a resume"),
    }
    assert_eq!(hub.status().summary.routers.online, 2);
}
