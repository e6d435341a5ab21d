//! The page walk and the listing's reports.

use super::*;
use crate::mgmt::{EntityRef, Meta, Pagination};

fn page(n: usize, total: i64) -> ListEnvelope<u8> {
    ListEnvelope {
        data: vec![0; n],
        meta: Meta { pagination: Some(Pagination { limit: PAGE, offset: 0, total_count: total }), ..Meta::default() },
    }
}

#[test]
fn a_walk_reads_pages_until_the_total() {
    let mut w = PageWalk::new();
    assert_eq!(w.next(), Some((PAGE, 0)));
    w.take(&page(500, 1200)).unwrap();
    assert_eq!(w.next(), Some((PAGE, 500)));
    w.take(&page(500, 1200)).unwrap();
    w.take(&page(200, 1200)).unwrap();
    assert_eq!((w.next(), w.ended(), w.items()), (None, Some(Ended::Complete), 1200));
}

#[test]
fn a_walk_ends_on_an_empty_page_and_follows_a_shrinking_total() {
    let mut w = PageWalk::new();
    w.take(&page(500, 1000)).unwrap();
    w.take(&page(0, 1000)).unwrap();
    assert_eq!(w.ended(), Some(Ended::Complete), "an empty page ends it");
    let mut w = PageWalk::new();
    w.take(&page(500, 1000)).unwrap();
    w.take(&page(10, 510)).unwrap();
    assert_eq!(w.ended(), Some(Ended::Complete), "the newest total counts");
}

#[test]
fn a_server_that_never_stops_cannot_keep_the_walk_going() {
    let mut w = PageWalk::new();
    let mut pages = 0;
    while w.next().is_some() {
        w.take(&page(500, i64::MAX)).unwrap();
        pages += 1;
        assert!(pages < 1000, "runaway");
    }
    assert_eq!(w.ended(), Some(Ended::Incomplete));
    assert!(w.items() as i64 <= OFFSET_MAX + PAGE);
}

#[test]
fn a_page_without_pagination_is_an_error() {
    let mut w = PageWalk::new();
    let bad: ListEnvelope<u8> = ListEnvelope { data: vec![1], meta: Meta::default() };
    assert!(w.take(&bad).unwrap_err().contains("pagination"));
    assert_eq!(w.ended(), Some(Ended::Incomplete));
}

fn router(id: &str, name: &str, online: bool) -> EdgeRouter {
    EdgeRouter {
        id: id.into(),
        name: name.into(),
        role_attributes: Some(vec!["eu".into()]),
        is_online: online,
        ..EdgeRouter::default()
    }
}

#[test]
fn a_router_and_an_identity_as_the_store_takes_them() {
    let r = router_listed(&router("Kx7", "edge-eu-1", true));
    assert_eq!(
        (r.entity, r.name.as_str(), r.attributes.as_slice(), r.online),
        (EntityType::Router, "edge-eu-1", &["eu".to_string()][..], Some(true))
    );
    let i = Identity {
        id: "D4v".into(),
        name: "alice".into(),
        identity_type: Some(EntityRef { name: "User".into(), id: "User".into(), ..EntityRef::default() }),
        role_attributes: None,
        ..Identity::default()
    };
    let l = identity_listed(&i);
    assert_eq!((l.identity_type.as_deref(), l.attributes.len(), l.online), (Some("User"), 0, None));
    let bare = Identity { id: "x".into(), type_id: "Device".into(), ..Identity::default() };
    assert_eq!(identity_listed(&bare).identity_type.as_deref(), Some("Device"), "by its type id");
}

#[test]
fn later_listings_report_only_changes_and_a_deletion_after_two_misses() {
    let mut l = Lister::new();
    let all =
        |rs: &[(&str, &str, bool)]| rs.iter().map(|(i, n, o)| router_listed(&router(i, n, *o))).collect::<Vec<_>>();
    let ids = |v: Vec<EntityListed>| v.into_iter().map(|e| (e.id, e.deleted)).collect::<Vec<_>>();
    let first = l.round(EntityType::Router, all(&[("b", "r-b", true), ("a", "r-a", true)]), Ended::Complete);
    assert_eq!(ids(first), [("a".into(), false), ("b".into(), false)], "all, in id order");
    assert!(l.round(EntityType::Router, all(&[("a", "r-a", true), ("b", "r-b", true)]), Ended::Complete).is_empty());
    let renamed = l.round(EntityType::Router, all(&[("a", "r-a2", true), ("b", "r-b", false)]), Ended::Complete);
    assert_eq!(renamed.len(), 2, "a rename and an online flag");
    assert!(l.round(EntityType::Router, all(&[("a", "r-a2", true)]), Ended::Complete).is_empty(), "one miss");
    assert!(
        l.round(EntityType::Router, all(&[("a", "r-a2", true)]), Ended::Incomplete).is_empty(),
        "an incomplete walk proves nothing"
    );
    assert_eq!(ids(l.round(EntityType::Router, all(&[("a", "r-a2", true)]), Ended::Complete)), [("b".into(), true)]);
    assert_eq!(l.len(), 1);
    let back = l.round(EntityType::Router, all(&[("a", "r-a2", true), ("b", "r-b", false)]), Ended::Complete);
    assert_eq!(ids(back), [("b".into(), false)], "a returning entity is reported again");
}

#[test]
fn a_miss_followed_by_a_sighting_starts_over() {
    let mut l = Lister::new();
    let one = |ids: &[&str]| ids.iter().map(|i| router_listed(&router(i, i, true))).collect::<Vec<_>>();
    l.round(EntityType::Router, one(&["a", "b"]), Ended::Complete);
    l.round(EntityType::Router, one(&["a"]), Ended::Complete);
    l.round(EntityType::Router, one(&["a", "b"]), Ended::Complete);
    assert!(l.round(EntityType::Router, one(&["a"]), Ended::Complete).is_empty(), "misses must be in a row");
    let dup = l.round(EntityType::Router, one(&["a", "a", ""]), Ended::Complete);
    assert_eq!(dup.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["b"], "repeats and empty ids are ignored");
}
