use super::hit::HitIndex;
use super::*;
use proptest::prelude::*;

fn layout(ctrls: &[&str], routers: &[&str]) -> Layout {
    let mut l = Layout::new(LayoutConfig::default());
    l.sync(ctrls.iter().copied(), routers.iter().map(|r| (*r, group_of(r))));
    l
}

fn pos(l: &Layout, r: &str) -> Point {
    l.position(&NodeId::Router(r.into())).expect("placed")
}

#[test]
fn node_ids_round_trip_through_the_url_form() {
    for n in [NodeId::Router("edge:eu:1".into()), NodeId::Controller("ctrl1".into())] {
        assert_eq!(NodeId::from_param(&n.to_param()), Some(n));
    }
    for bad in ["router:", "switch:x", "nothing", ""] {
        assert_eq!(NodeId::from_param(bad), None, "{bad}");
    }
}

#[test]
fn groups_by_name_without_the_trailing_number() {
    assert_eq!(group_of("edge-eu-12"), "edge-eu");
    assert_eq!(group_of("core-1"), "core");
    assert_eq!(group_of("router7"), "router");
    assert_eq!(group_of("Zr0L5hYc3J"), "", "random ids share one group");
    assert_eq!(group_of("42"), "");
}

#[test]
fn controllers_on_top_routers_below_in_groups() {
    let l = layout(&["ctrl1", "ctrl2"], &["edge-eu-1", "edge-eu-2", "edge-us-1", "core-1"]);
    let c1 = l.position(&NodeId::Controller("ctrl1".into())).unwrap();
    let c2 = l.position(&NodeId::Controller("ctrl2".into())).unwrap();
    assert_eq!((c1.y, c2.y), (0.0, 0.0));
    assert!(c2.x > c1.x);
    for r in ["edge-eu-1", "edge-eu-2", "edge-us-1", "core-1"] {
        assert!(pos(&l, r).y > 0.0, "{r} below the controllers");
    }
    // Groups in reading order: core, edge-eu, edge-us (sorted).
    let reading = |r: &str| (pos(&l, r).y > pos(&l, "core-1").y + 100.0, pos(&l, r).x);
    assert!(reading("core-1") < reading("edge-eu-1"));
    assert!(reading("edge-eu-2") < reading("edge-us-1"));
    // Each group has its box, and each router is inside its group's.
    let regions = l.regions();
    assert_eq!(regions.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(), ["core", "edge-eu", "edge-us"]);
    for r in ["edge-eu-1", "edge-eu-2", "edge-us-1", "core-1"] {
        let mine = regions.iter().find(|g| g.group == l.group(r).unwrap()).unwrap();
        assert!(mine.rect.contains(pos(&l, r)), "{r} in its box");
        assert!(!mine.header.contains(pos(&l, r)), "{r} below the box's header");
    }
    assert_eq!(l.members("edge-eu"), ["edge-eu-1", "edge-eu-2"]);
    assert_eq!(l.len(), 6);
    assert_eq!(l.nodes().len(), 6);
}

#[test]
fn the_same_input_gives_the_same_picture() {
    let routers: Vec<String> = (0..500).map(|i| format!("edge-{}-{}", ["eu", "us", "ap"][i % 3], i)).collect();
    let refs: Vec<&str> = routers.iter().map(String::as_str).collect();
    let mut shuffled = refs.clone();
    shuffled.reverse();
    let a = layout(&["c1", "c2", "c3"], &refs);
    let b = layout(&["c3", "c1", "c2"], &shuffled);
    assert_eq!(a.nodes(), b.nodes(), "input order does not matter");
}

#[test]
fn groups_born_together_make_a_balanced_picture() {
    let routers: Vec<String> = (0..2000).map(|i| format!("edge-{}-{i}", ["eu", "us", "ap", "sa"][i % 4])).collect();
    let l = layout(&["c1", "c2", "c3"], &routers.iter().map(String::as_str).collect::<Vec<_>>());
    let (lo, hi) = l.bounds().unwrap();
    let aspect = (hi.x - lo.x) / (hi.y - lo.y);
    assert!((1.0..2.5).contains(&aspect), "{aspect}");
}

#[test]
fn forty_routers_fill_a_screen_shaped_picture_not_a_strip() {
    let routers: Vec<String> = (0..40).map(|i| format!("edge-{}-{i}", ["eu", "us", "ap", "sa", "af"][i % 5])).collect();
    let l = layout(&["c1", "c2", "c3"], &routers.iter().map(String::as_str).collect::<Vec<_>>());
    let (lo, hi) = l.bounds().unwrap();
    let aspect = (hi.x - lo.x) / (hi.y - lo.y);
    assert!((1.0..2.4).contains(&aspect), "{aspect}");
    // The controllers are centred over the routers.
    let c2 = l.position(&NodeId::Controller("c2".into())).unwrap();
    assert!((c2.x - (lo.x + hi.x) / 2.0).abs() < 100.0, "{c2:?} vs {lo:?}..{hi:?}");
}

#[test]
fn a_group_that_outgrows_its_box_gets_another_and_nobody_moves() {
    let mut l = Layout::new(LayoutConfig::default());
    let first: Vec<String> = (0..6).map(|i| format!("edge-{i}")).collect();
    l.sync(["c1"], first.iter().map(|r| (r.as_str(), "edge")));
    let before = l.nodes();
    let more: Vec<String> = (0..30).map(|i| format!("edge-{i}")).collect();
    l.sync(["c1"], more.iter().map(|r| (r.as_str(), "edge")));
    let after: HashMap<NodeId, Point> = l.nodes().into_iter().collect();
    for (n, p) in before {
        assert_eq!(after[&n], p, "{n:?} moved");
    }
    let boxes = l.regions();
    assert!(boxes.len() > 1 && boxes.iter().all(|b| b.group == "edge"), "{boxes:?}");
    assert_eq!(boxes.iter().filter(|b| b.first).count(), 1);
}

#[test]
fn a_big_group_is_wide_not_a_column() {
    let routers: Vec<String> = (0..2000).map(|i| format!("R{i:x}z")).collect();
    let l = layout(&["c1"], &routers.iter().map(String::as_str).collect::<Vec<_>>());
    let (lo, hi) = l.bounds().unwrap();
    let (w, h) = (hi.x - lo.x, hi.y - lo.y);
    assert!(w > h, "{w} × {h}");
}

#[test]
fn hit_testing_finds_the_nearest_node_within_reach() {
    let l = layout(&["ctrl1"], &["edge-eu-1", "edge-eu-2"]);
    let idx = HitIndex::build(l.nodes(), 64.0);
    let p = pos(&l, "edge-eu-2");
    assert_eq!(idx.hit(Point { x: p.x + 3.0, y: p.y - 2.0 }, 12.0), Some(&NodeId::Router("edge-eu-2".into())));
    assert_eq!(idx.hit(Point { x: p.x + 30.0, y: p.y + 30.0 }, 12.0), None, "nothing within reach");
    let c = l.position(&NodeId::Controller("ctrl1".into())).unwrap();
    assert_eq!(idx.hit(c, 1.0), Some(&NodeId::Controller("ctrl1".into())));
}

#[test]
fn hit_testing_agrees_with_a_scan_of_every_node() {
    let routers: Vec<String> = (0..300).map(|i| format!("edge-{}-{}", ["eu", "us"][i % 2], i)).collect();
    let l = layout(&["c1", "c2"], &routers.iter().map(String::as_str).collect::<Vec<_>>());
    let nodes = l.nodes();
    let idx = HitIndex::build(nodes.clone(), 100.0);
    for k in 0..400 {
        let at = Point { x: (k * 37 % 1700) as f64 - 50.0, y: (k * 53 % 900) as f64 - 50.0 };
        let scan = nodes
            .iter()
            .enumerate()
            .map(|(i, (n, p))| ((p.x - at.x).powi(2) + (p.y - at.y).powi(2), i, n))
            .filter(|(d, _, _)| *d <= 20.0 * 20.0)
            .min_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).unwrap())
            .map(|(_, _, n)| n);
        assert_eq!(idx.hit(at, 20.0), scan, "at {at:?}");
    }
}

#[test]
fn a_moved_group_takes_its_routers_and_a_pin_survives_a_reset_of_the_others() {
    let mut l = layout(&["c1"], &["edge-eu-1", "edge-eu-2", "edge-us-1"]);
    let (eu1, us1) = (pos(&l, "edge-eu-1"), pos(&l, "edge-us-1"));
    l.move_group("edge-eu", Point { x: 10.0, y: 500.0 });
    assert_eq!(pos(&l, "edge-eu-1"), Point { x: eu1.x + 10.0, y: eu1.y + 500.0 });
    assert_eq!(pos(&l, "edge-us-1"), us1, "another group stays");
    let box_eu = l.regions().into_iter().find(|r| r.group == "edge-eu").unwrap();
    assert!(box_eu.rect.contains(pos(&l, "edge-eu-2")), "the box moved with it");
    let pinned = NodeId::Router("edge-us-1".into());
    l.pin(&pinned, Point { x: -7.0, y: -9.0 });
    let saved = l.pins();
    assert_eq!(saved.nodes["router:edge-us-1"], [-7.0, -9.0]);
    // A reload: a new layout of the same nodes with the saved pins.
    let mut again = layout(&["c1"], &["edge-eu-1", "edge-eu-2", "edge-us-1"]);
    again.set_pins(&saved);
    assert_eq!(again.nodes(), l.nodes(), "the same picture");
    again.set_pins(&Pins::default());
    assert_eq!(pos(&again, "edge-us-1"), us1, "the reset puts it back in its slot");
}

#[test]
fn a_point_s_distance_to_a_segment_is_to_its_nearest_point() {
    use super::hit::segment_distance;
    let p = |x: f64, y: f64| Point { x, y };
    assert_eq!(segment_distance(p(5.0, 3.0), p(0.0, 0.0), p(10.0, 0.0)), 3.0, "beside it");
    assert_eq!(segment_distance(p(13.0, 4.0), p(0.0, 0.0), p(10.0, 0.0)), 5.0, "past its end: to the end");
    assert_eq!(segment_distance(p(3.0, 4.0), p(0.0, 0.0), p(0.0, 0.0)), 5.0, "a point of a segment");
}

/// A step of churn: add or remove one router (by index into a pool).
#[derive(Clone, Debug)]
enum Step {
    Add(usize),
    Remove(usize),
}

fn pool() -> Vec<String> {
    (0..60)
        .map(|i| if i % 5 == 0 { format!("Xr{i}q") } else { format!("edge-{}-{}", ["eu", "us", "ap"][i % 3], i) })
        .collect()
}

proptest! {
    /// Adding or removing a node moves no other node, and never a pinned
    /// one (pinned before the churn, or while it was away).
    #[test]
    fn churn_moves_no_other_node(
        start in proptest::collection::btree_set(0usize..60, 0..40),
        steps in proptest::collection::vec(prop_oneof![(0usize..60).prop_map(Step::Add), (0usize..60).prop_map(Step::Remove)], 1..30),
        pinned in proptest::collection::btree_set(0usize..60, 0..10),
        moved in proptest::bool::ANY,
    ) {
        let pool = pool();
        let mut present: BTreeSet<usize> = start;
        let mut l = Layout::new(LayoutConfig::default());
        let sync = |l: &mut Layout, present: &BTreeSet<usize>| {
            l.sync(["ctrl1", "ctrl2"], present.iter().map(|&i| (pool[i].as_str(), group_of(&pool[i]))));
        };
        sync(&mut l, &present);
        // Pins far from every slot, one place each.
        let pin_of = |i: usize| Point { x: -5_000.0 - 100.0 * i as f64, y: -3_000.0 };
        for &i in &pinned {
            l.pin(&NodeId::Router(pool[i].clone()), pin_of(i));
        }
        if moved {
            l.move_group("edge-eu", Point { x: 40.0, y: 9_000.0 });
        }
        for step in steps {
            let before: HashMap<NodeId, Point> = l.nodes().into_iter().collect();
            match step {
                Step::Add(i) => { present.insert(i); }
                Step::Remove(i) => { present.remove(&i); }
            }
            sync(&mut l, &present);
            let after: HashMap<NodeId, Point> = l.nodes().into_iter().collect();
            prop_assert_eq!(after.len(), present.len() + 2);
            for (node, p) in &after {
                if let Some(q) = before.get(node) {
                    prop_assert_eq!(p, q, "{:?} moved", node);
                }
            }
            // Boxes never overlap, and each router is inside one of its group's.
            let regions = l.regions();
            for (i, a) in regions.iter().enumerate() {
                for b in &regions[i + 1..] {
                    prop_assert!(!a.rect.overlaps(&b.rect), "{:?} and {:?} overlap", a, b);
                }
            }
            for &i in pinned.iter().filter(|i| present.contains(i)) {
                prop_assert_eq!(after[&NodeId::Router(pool[i].clone())], pin_of(i), "{} left its pin", pool[i]);
            }
            for (node, p) in &after {
                if let NodeId::Router(r) = node {
                    if pinned.iter().any(|&i| pool[i] == *r) {
                        continue;
                    }
                    let g = l.group(r).unwrap();
                    prop_assert!(regions.iter().any(|b| b.group == g && b.rect.contains(*p)), "{} outside its boxes", r);
                }
            }
            // No two nodes share a place.
            let mut places: Vec<(i64, i64)> = after.values().map(|p| (p.x as i64, p.y as i64)).collect();
            places.sort();
            places.dedup();
            prop_assert_eq!(places.len(), after.len());
        }
    }
}
