use super::*;
use proptest::prelude::*;

fn opts(w: f64, h: f64) -> LabelOptions {
    LabelOptions {
        height: 14.0,
        gap: 2.0,
        node: Rect { x: -8.0, y: -14.0, w: 16.0, h: 22.0 },
        bounds: Rect { x: 0.0, y: 0.0, w, h },
    }
}

fn want(x: f64, y: f64, width: f64, rank: u64) -> Want {
    Want { at: Point { x, y }, width, rank }
}

/// The invariant of the module docs, checked over any placement.
fn check(wants: &[Want], o: &LabelOptions, placed: &[Option<Rect>]) -> Result<(), String> {
    for (i, r) in placed.iter().enumerate() {
        let Some(r) = r else { continue };
        if !inside(r, &o.bounds) {
            return Err(format!("{i} outside: {r:?}"));
        }
        for (j, other) in placed.iter().enumerate().filter(|(j, _)| *j != i) {
            if other.is_some_and(|o| o.overlaps(r)) {
                return Err(format!("{i} and {j} overlap"));
            }
        }
        for (j, w) in wants.iter().enumerate().filter(|(j, _)| *j != i) {
            if offset(o.node, w.at).overlaps(r) {
                return Err(format!("{i}'s name covers node {j}"));
            }
        }
    }
    Ok(())
}

#[test]
fn forty_routers_in_the_layout_s_cells_are_all_named() {
    // The layout's cells (96 × 64) at zoom 1, names as long as `edge-eu-12`
    // in a 12 px monospace font (~7.2 px a character).
    let wants: Vec<Want> =
        (0..40).map(|i| want(60.0 + (i % 8) as f64 * 96.0, 60.0 + (i / 8) as f64 * 64.0, 72.0, 0)).collect();
    let o = opts(900.0, 500.0);
    let placed = place(&wants, &o);
    check(&wants, &o, &placed).unwrap();
    assert!(placed.iter().all(Option::is_some), "{placed:?}");
    assert_eq!(placed[0].unwrap().y, 60.0 + 8.0 + 2.0, "below its node first");
}

#[test]
fn when_crowded_the_higher_rank_gets_the_room_and_others_move_aside() {
    // Two nodes 20 px apart: both cannot have the spot below.
    let wants = [want(100.0, 100.0, 80.0, 0), want(120.0, 100.0, 80.0, 5)];
    let o = opts(400.0, 400.0);
    let placed = place(&wants, &o);
    check(&wants, &o, &placed).unwrap();
    let (low, high) = (placed[0].unwrap(), placed[1].unwrap());
    assert_eq!((high.x, high.y), (80.0, 110.0), "the ranked one below its node");
    assert!(low.y < 100.0, "the other above: {low:?}");
}

#[test]
fn no_room_means_no_name_rather_than_an_overlap() {
    // A dense block: most names cannot fit; none may overlap.
    let wants: Vec<Want> = (0..400).map(|i| want((i % 20) as f64 * 10.0, (i / 20) as f64 * 10.0, 60.0, 0)).collect();
    let o = opts(200.0, 200.0);
    let placed = place(&wants, &o);
    check(&wants, &o, &placed).unwrap();
    assert!(placed.iter().any(Option::is_none));
}

#[test]
fn bad_figures_are_skipped_not_placed() {
    let wants = [want(f64::NAN, 10.0, 50.0, 0), want(50.0, 50.0, f64::INFINITY, 0), want(100.0, 100.0, 40.0, 0)];
    let placed = place(&wants, &opts(300.0, 300.0));
    assert_eq!((placed[0], placed[1]), (None, None));
    assert!(placed[2].is_some());
}

#[test]
fn long_names_are_cut() {
    assert_eq!(short("edge-eu-12"), "edge-eu-12");
    let long = "x".repeat(10_000);
    let cut = short(&long);
    assert_eq!(cut.chars().count(), MAX_CHARS);
    assert!(cut.ends_with('…'));
    assert_eq!(short("é".repeat(MAX_CHARS).as_str()).chars().count(), MAX_CHARS, "characters, not bytes");
}

proptest! {
    /// Whatever the nodes, names never overlap each other or other nodes,
    /// and stay on the canvas.
    #[test]
    fn placement_never_overlaps(
        nodes in proptest::collection::vec((0.0f64..600.0, 0.0f64..400.0, 0.0f64..150.0, 0u64..4), 0..150),
    ) {
        let wants: Vec<Want> = nodes.iter().map(|&(x, y, w, r)| want(x, y, w, r)).collect();
        let o = opts(600.0, 400.0);
        let placed = place(&wants, &o);
        prop_assert_eq!(placed.len(), wants.len());
        if let Err(e) = check(&wants, &o, &placed) {
            prop_assert!(false, "{}", e);
        }
    }

    /// A lone node near the middle is always named.
    #[test]
    fn a_lone_node_is_named(x in 100.0f64..500.0, y in 100.0f64..300.0, w in 1.0f64..150.0) {
        let placed = place(&[want(x, y, w, 0)], &opts(600.0, 400.0));
        prop_assert!(placed[0].is_some());
    }
}
