//! The playlist's rules on a test clock: parsing, rotation, holding on a
//! new critical alert until it is answered, and which view holds it.

use super::*;
use crate::alerts::{Ack, Rule};
use crate::layout::NodeId;
use crate::Timestamp;

fn playlist(n: usize) -> Playlist {
    let views: Vec<String> = (0..n).map(|i| format!("view=map&find=name%3Dv{i}")).collect();
    Playlist { views, every_ms: 10_000.0 }
}

fn critical(subject: &str, fired: i64) -> Alert {
    Alert::firing(Rule::RouterDown, subject, Timestamp(fired))
}

const NONE: fn(&AlertKey) -> bool = |_| false;

#[test]
fn a_playlist_reads_from_the_url_and_refuses_what_is_not_one() {
    let p = Playlist::parse("view=list | ?find=attr%3Deu|| view=report", Some("45")).unwrap();
    assert_eq!(p.views, ["view=list", "find=attr%3Deu", "view=report"]);
    assert_eq!(p.every_ms, 45_000.0);
    assert_eq!(Playlist::parse("view=list", None).unwrap().every_ms, f64::from(DEFAULT_EVERY_S) * 1_000.0);
    assert!(Playlist::parse(" | ", None).unwrap_err().contains("no view"));
    assert!(Playlist::parse("view=list", Some("1")).unwrap_err().starts_with("every"));
    assert!(Playlist::parse("view=list", Some("soon")).unwrap_err().starts_with("every"));
    let many = vec!["view=map"; MAX_VIEWS + 1].join("|");
    assert!(Playlist::parse(&many, None).unwrap_err().contains("at most"));
}

#[test]
fn it_rotates_holds_on_a_new_critical_and_resumes_once_it_is_answered() {
    let p = playlist(3);
    let mut r = Rotation::new(0.0);
    let holds = |i: usize, a: &Alert| a.key.subject == format!("v{i}");
    // An unacked critical already firing when the wall went up: not new.
    let old = critical("v0", 1);
    assert_eq!(r.tick(&p, 1_000.0, std::slice::from_ref(&old), NONE, holds), None);
    assert_eq!(r.tick(&p, 10_000.0, std::slice::from_ref(&old), NONE, holds), Some(1), "it rotates");
    assert_eq!(r.next_in(&p, 12_000.0), Some(8_000.0));
    // A new one about v2's node: straight to v2, and held there.
    let mut board = vec![old.clone(), critical("v2", 50)];
    assert_eq!(r.tick(&p, 12_000.0, &board, NONE, holds), Some(2));
    assert_eq!(r.held().map(|k| k.subject.as_str()), Some("v2"));
    assert_eq!(r.tick(&p, 60_000.0, &board, NONE, holds), None, "held past its period");
    assert_eq!(r.next_in(&p, 60_000.0), None);
    // Acked: held no more; a whole period there, then on.
    board[1].ack = Some(Ack { by: "ana".into(), at: Timestamp(60), comment: String::new() });
    assert_eq!(r.tick(&p, 61_000.0, &board, NONE, holds), None);
    assert_eq!(r.held(), None);
    assert_eq!(r.tick(&p, 70_999.0, &board, NONE, holds), None);
    assert_eq!(r.tick(&p, 71_000.0, &board, NONE, holds), Some(0), "round and round");
}

#[test]
fn resolved_silenced_or_in_maintenance_release_a_hold_and_a_refire_is_new_again() {
    let p = playlist(2);
    let mut r = Rotation::new(0.0);
    let holds = |_: usize, _: &Alert| false;
    assert_eq!(r.tick(&p, 0.0, &[], NONE, holds), None);
    let mut a = critical("x", 5);
    // Held on the view shown (no view holds its node).
    assert_eq!(r.tick(&p, 1_000.0, std::slice::from_ref(&a), NONE, holds), None);
    assert!(r.held().is_some());
    a.state = AlertState::Resolved;
    r.tick(&p, 2_000.0, std::slice::from_ref(&a), NONE, holds);
    assert_eq!(r.held(), None, "resolved");
    a.state = AlertState::Firing;
    r.tick(&p, 3_000.0, std::slice::from_ref(&a), NONE, holds);
    assert!(r.held().is_some(), "fired again: new again");
    r.tick(&p, 4_000.0, std::slice::from_ref(&a), |_| true, holds);
    assert_eq!(r.held(), None, "silenced");
    a.maintenance = Some("firmware".into());
    r.tick(&p, 5_000.0, std::slice::from_ref(&a), NONE, holds);
    assert_eq!(r.held(), None, "in maintenance calls nobody");
    let mut major = critical("y", 6);
    major.severity = Severity::Major;
    r.tick(&p, 6_000.0, std::slice::from_ref(&major), NONE, holds);
    assert_eq!(r.held(), None, "only a critical holds the wall");
}

#[test]
fn a_view_holds_the_nodes_its_filter_passes() {
    let pairs = |q: &[(&str, &str)]| q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let row = NodeRow {
        node: NodeId::Router("Kx7".into()),
        name: "edge-eu-1".into(),
        attributes: vec!["eu".into()],
        health: crate::store::Health::Down,
        detail: String::new(),
        identities: Default::default(),
        rest_only: 0,
    };
    assert!(view_holds(&pairs(&[]), Some(&row)), "the whole map");
    assert!(view_holds(&pairs(&[("find", "attr=eu")]), Some(&row)));
    assert!(!view_holds(&pairs(&[("find", "attr=us")]), Some(&row)));
    assert!(view_holds(&pairs(&[("view", "list"), ("filter", "name=edge-eu-*")]), Some(&row)));
    assert!(!view_holds(&pairs(&[("view", "list"), ("find", "attr=us"), ("filter", "attr=us")]), Some(&row)));
    assert!(!view_holds(&pairs(&[("view", "report")]), Some(&row)), "a report shows no node");
    assert!(view_holds(&pairs(&[("view", "map")]), None), "an alert about no node: any whole map");
    assert!(!view_holds(&pairs(&[("find", "attr=eu")]), None));
    assert!(!view_holds(&pairs(&[("find", "((")]), Some(&row)), "a filter that does not parse passes nothing");
}
