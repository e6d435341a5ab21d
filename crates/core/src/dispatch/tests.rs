use super::*;
use crate::store::ConnKey;
use crate::{ConnKind, EntityType, Timestamp};
use std::sync::atomic::{AtomicUsize, Ordering};

fn conn(kind: ConnKind, src: &str, dst: &str, to: bool) -> Change {
    Change::Conn { key: ConnKey::new(kind, src, dst), from: None, to, at: Timestamp(1) }
}

#[test]
fn filters_by_kind_entity_id_pattern_state_and_direction() {
    let router_down = conn(ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", false);
    let ident_up = conn(ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", true);
    let all = [router_down.clone(), ident_up.clone()];
    let pass = |f: Interest| all.iter().filter(|c| f.matches(c)).cloned().collect::<Vec<_>>();

    assert_eq!(pass(Interest::default()).len(), 2);
    assert_eq!(
        pass(Interest { kinds: vec![ConnKind::RouterToCtrl], ..Default::default() }),
        std::slice::from_ref(&router_down)
    );
    assert_eq!(pass(Interest { up: Some(true), ..Default::default() }), std::slice::from_ref(&ident_up));
    assert_eq!(
        pass(Interest { exclude_kinds: vec![ConnKind::EdgeToRouter], ..Default::default() }),
        std::slice::from_ref(&router_down)
    );
    assert_eq!(
        pass(Interest { entity: Some(EntityType::Identity), ..Default::default() }),
        std::slice::from_ref(&ident_up)
    );
    // edge-eu-1 is the src of one and the dst of the other.
    let eu1 = Interest { id: Some("edge-eu-1".into()), ..Default::default() };
    assert_eq!(pass(eu1.clone()).len(), 2);
    assert_eq!(pass(Interest { direction: Direction::Src, ..eu1.clone() }), std::slice::from_ref(&router_down));
    assert_eq!(pass(Interest { direction: Direction::Dst, ..eu1 }), std::slice::from_ref(&ident_up));
    assert_eq!(pass(Interest { pattern: Some("laptop-*".into()), ..Default::default() }), [ident_up]);
    assert!(
        pass(Interest { entity: Some(EntityType::Router), id: Some("ctrl1".into()), ..Default::default() }).is_empty()
    );
}

#[test]
fn glob_rules() {
    assert!(glob("edge-*", "edge-eu-1"));
    assert!(glob("*-eu-?", "edge-eu-1"));
    assert!(glob("*", ""));
    assert!(glob("a*b*c", "aXXbYYc"));
    assert!(!glob("edge-?", "edge-eu"));
    assert!(!glob("core-*", "edge-eu-1"));
}

#[test]
fn queues_are_bounded_and_count_what_they_drop() {
    let d = Dispatcher::new();
    let fast = d.subscribe(Interest::default(), 100);
    let slow = d.subscribe(Interest::default(), 2);
    let changes: Vec<Change> = (0..5).map(|i| conn(ConnKind::EdgeToRouter, &format!("i{i}"), "r", true)).collect();
    let report = d.dispatch(&changes);
    assert_eq!((report.delivered, report.dropped), (10, 3));
    assert_eq!(fast.drain().len(), 5);
    let kept = slow.drain();
    assert_eq!(kept, changes[3..].to_vec(), "the newest are kept");
    assert_eq!(slow.dropped(), 3);
    assert!(fast.drain().is_empty());
}

proptest::proptest! {
    /// A batch dispatched at once leaves every queue as the same changes
    /// dispatched one by one would (a queue skips copying the ones it
    /// would push out again, and still counts them as dropped).
    #[test]
    fn a_batch_at_once_queues_and_drops_as_one_at_a_time(
        cap in 1usize..6,
        batches in proptest::collection::vec(proptest::collection::vec((0u8..8, proptest::bool::ANY), 0..12), 0..6),
    ) {
        let at_once = Dispatcher::new();
        let one_by_one = Dispatcher::new();
        let only_ups = Interest { up: Some(true), ..Default::default() };
        let subs = |d: &Dispatcher| [d.subscribe(Interest::default(), cap), d.subscribe(only_ups.clone(), cap)];
        let (a, b) = (subs(&at_once), subs(&one_by_one));
        let mut reports = (DispatchReport::default(), DispatchReport::default());
        for batch in &batches {
            let changes: Vec<Change> =
                batch.iter().map(|&(i, up)| conn(ConnKind::EdgeToRouter, &format!("i{i}"), "r", up)).collect();
            let r = at_once.dispatch(&changes);
            reports.0.delivered += r.delivered;
            reports.0.dropped += r.dropped;
            for c in &changes {
                let r = one_by_one.dispatch(std::slice::from_ref(c));
                reports.1.delivered += r.delivered;
                reports.1.dropped += r.dropped;
            }
        }
        proptest::prop_assert_eq!(reports.0, reports.1);
        for (x, y) in a.iter().zip(&b) {
            proptest::prop_assert_eq!(x.dropped(), y.dropped());
            proptest::prop_assert_eq!(x.drain(), y.drain());
        }
    }
}

#[test]
fn dropping_the_handle_unsubscribes() {
    let d = Dispatcher::new();
    let a = d.subscribe(Interest::default(), 10);
    {
        let _b = d.subscribe(Interest::default(), 10);
        assert_eq!(d.len(), 2);
    }
    assert_eq!(d.len(), 1);
    drop(a);
    assert!(d.is_empty());
}

#[test]
fn a_panicking_callback_cannot_break_the_others() {
    let d = Dispatcher::new();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let _good = d.on(Interest::default(), move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let _bad = d.on(Interest::default(), |_| panic!("subscriber bug"));
    let queue = d.subscribe(Interest::default(), 10);
    let report = d.dispatch(&[conn(ConnKind::RouterToCtrl, "r", "c", true)]);
    assert_eq!(report.failed, 1);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(queue.drain().len(), 1);
    assert_eq!(d.len(), 2, "the panicking one is removed");
    d.dispatch(&[conn(ConnKind::RouterToCtrl, "r", "c", false)]);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_eq!(d.failed(), 1);
}

#[test]
fn callbacks_may_subscribe_during_dispatch() {
    let d = Dispatcher::new();
    let inner = d.clone();
    let made = Arc::new(Mutex::new(Vec::new()));
    let keep = made.clone();
    let _s = d.on(Interest::default(), move |_| keep.lock().unwrap().push(inner.subscribe(Interest::default(), 4)));
    d.dispatch(&[conn(ConnKind::RouterToCtrl, "r", "c", true)]);
    assert_eq!(d.len(), 2);
    d.dispatch(&[conn(ConnKind::RouterToCtrl, "r", "c", false)]);
    assert_eq!(made.lock().unwrap()[0].drain().len(), 1, "the new subscriber hears the next dispatch");
}
