//! Properties that must hold for any input.

use proptest::prelude::*;
use zitiscope_core::{parse_line, ConnKind, Event, Store, Timestamp};

fn arb_event() -> impl Strategy<Value = Event> {
    (0i64..50, 0usize..4, 0u8..4, 0u8..3, any::<bool>()).prop_map(|(at, k, src, dst, up)| {
        Event::conn(Timestamp(at), ConnKind::ALL[k], format!("s{src}"), format!("d{dst}"), up)
    })
}

proptest! {
    #[test]
    fn parser_never_panics_on_any_string(s in ".{0,300}") {
        let _ = parse_line(&s);
    }

    #[test]
    fn parser_never_panics_on_json_like_input(
        key in prop::sample::select(vec!["EventType", "Identity", "Timestamp", "IsConnected", "namespace", "src_type", "timestamp"]),
        val in prop::sample::select(vec!["null", "1", "-1e309", "\"\"", "\"x\"", "[]", "{}", "true", "\"connect\"", "1e300"]),
    ) {
        let _ = parse_line(&format!("{{\"{key}\":{val}}}"));
        let _ = parse_line(&format!("{{\"namespace\":\"connect\",\"{key}\":{val}}}"));
    }

    /// Any order, with duplicates, ends in the same connection states and counts.
    #[test]
    fn order_and_duplicates_do_not_change_the_outcome(
        log in prop::collection::vec(arb_event(), 0..60),
        seed in any::<u64>(),
    ) {
        let mut sorted = log.clone();
        sorted.sort_by_key(|e| e.at);
        let mut shuffled: Vec<Event> = log.iter().chain(log.iter().take(seed as usize % 7)).cloned().collect();
        // A seeded Fisher–Yates keeps the case reproducible from proptest's seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (mut a, mut b) = (Store::new(), Store::new());
        for e in &sorted { a.apply(e); }
        for e in &shuffled { b.apply(e); }
        prop_assert_eq!(a.state(), b.state());
        prop_assert_eq!(a.summary(), b.summary());
    }
}
