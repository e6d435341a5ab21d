//! Availability against hand-made timelines: outages that straddle the
//! range, maintenance that overlaps an outage or holds one whole, and
//! timelines replayed from events through the store's own rule.

use super::rows::CSV_HEADER;
use super::spans::merged;
use super::*;
use crate::{ConnKind, Event, Store, Timestamp};

const S: i64 = 1_000_000_000;

fn span(from: i64, to: i64) -> Span {
    Span::new(from * S, to * S)
}

#[test]
fn up_throughout_is_all_up_and_never_down_has_no_mean_times() {
    let a = availability(&[], span(0, 100), &[]);
    assert_eq!((a.percent, a.down_ns, a.mttr_ns, a.mtbf_ns), (Some(100.0), 0, None, None));
    assert!(a.outages.is_empty());
}

#[test]
fn outages_inside_count_whole_and_give_the_mean_times() {
    // Down 10–20 and 50–55 of 0–100: 15 s down, 85 up.
    let a = availability(&[span(10, 20), span(50, 55)], span(0, 100), &[]);
    assert_eq!(a.percent, Some(85.0));
    assert_eq!(a.down_ns, 15 * S);
    assert_eq!(a.mttr_ns, Some(7 * S + S / 2), "(10 + 5) / 2");
    assert_eq!(a.mtbf_ns, Some(42 * S + S / 2), "85 / 2");
    assert!(a.outages.iter().all(|o| !o.from_before && !o.ongoing));
}

#[test]
fn outages_that_straddle_the_range_are_cut_and_say_so() {
    // Down from before the range to 5, and from 95 on (still down).
    let a = availability(&[span(-30, 5), Span::new(95 * S, i64::MAX)], span(0, 100), &[]);
    assert_eq!(a.outages.len(), 2);
    let (first, last) = (&a.outages[0], &a.outages[1]);
    assert_eq!((first.span, first.from_before, first.ongoing), (span(0, 5), true, false));
    assert_eq!((last.span, last.from_before, last.ongoing), (span(95, 100), false, true));
    assert_eq!(a.percent, Some(90.0), "only the parts inside count");
    // Wholly outside: nothing.
    let a = availability(&[span(-30, -10), span(120, 130)], span(0, 100), &[]);
    assert_eq!((a.percent, a.outages.len()), (Some(100.0), 0));
}

#[test]
fn maintenance_is_left_out_of_the_time_and_of_the_outages() {
    // Maintenance 8–15 overlaps the outage 10–20: 5 s of it count, of 93
    // observed. Maintenance 40–60 holds the outage 45–50 whole: not one.
    let a = availability(&[span(10, 20), span(45, 50)], span(0, 100), &[span(8, 15), span(40, 60)]);
    assert_eq!(a.maintenance_ns, 27 * S);
    assert_eq!(a.observed_ns, 73 * S);
    assert_eq!(a.outages.len(), 1, "the one inside maintenance is planned");
    assert_eq!((a.outages[0].span, a.outages[0].counted_ns), (span(10, 20), 5 * S));
    assert_eq!(a.down_ns, 5 * S);
    let want = 100.0 * 68.0 / 73.0;
    assert!((a.percent.unwrap() - want).abs() < 1e-9, "{:?}", a.percent);
    // Overlapping windows count once; windows outside the range not at all.
    let b = availability(&[], span(0, 100), &[span(10, 30), span(20, 40), span(150, 160)]);
    assert_eq!(b.maintenance_ns, 30 * S);
    // A range that is all maintenance observes nothing.
    let c = availability(&[span(10, 20)], span(0, 100), &[span(-5, 105)]);
    assert_eq!((c.percent, c.outages.len()), (None, 0));
}

#[test]
fn spans_merge_when_they_meet() {
    assert_eq!(merged(vec![span(5, 10), span(0, 5), span(20, 30), span(25, 26)]), vec![span(0, 10), span(20, 30)]);
    assert_eq!(merged(vec![span(3, 3)]), vec![], "empty spans go");
}

fn conn(at: i64, src: &str, dst: &str, up: bool) -> Event {
    Event::conn(Timestamp(at * S), ConnKind::RouterToCtrl, src, dst, up).via("c1")
}

/// A router is down only while it holds none of its controller
/// connections (the store's rule), so one of two lost is not an outage.
#[test]
fn a_replayed_timeline_follows_the_stores_rule() {
    let mut start = Store::new();
    // Before the range: r1 up on two controllers; r2 down since -20.
    for e in [conn(-50, "r1", "c1", true), conn(-50, "r1", "c2", true), conn(-50, "r2", "c1", true)] {
        start.apply(&e);
    }
    start.apply(&conn(-20, "r2", "c1", false));
    let mut t = Timelines::new(start, 0);
    // In time order, as a report reads the history.
    for e in [
        conn(5, "r2", "c1", true),   // r2 back
        conn(10, "r1", "c2", false), // r1 degraded: not down
        conn(30, "r1", "c1", false), // r1 down
        conn(40, "r1", "c2", true),  // r1 up again
        conn(60, "r3", "c2", true),  // r3 seen for the first time
        conn(90, "r2", "c1", false), // r2 down to the end
    ] {
        t.observe(&e);
    }
    let known = t.known_since();
    assert_eq!(known[&Subject::Router("r1".into())], 0, "known when the range began");
    assert_eq!(known[&Subject::Router("r3".into())], 60 * S, "known from its first event: nothing before is observed");
    let timelines: std::collections::BTreeMap<Subject, Vec<Span>> = t.finish().into_iter().collect();
    assert_eq!(timelines[&Subject::Router("r1".into())], vec![span(30, 40)]);
    assert_eq!(timelines[&Subject::Router("r2".into())], vec![span(-20, 5), Span::new(90 * S, i64::MAX)]);
    let r2 = availability(&timelines[&Subject::Router("r2".into())], span(0, 100), &[]);
    assert_eq!(r2.percent, Some(85.0));
    assert!(r2.outages[0].from_before && r2.outages[1].ongoing);
    // A controller is down while it holds no router: c2 lost its one
    // router (r1) from 10 to 40; c1 held r2 from 5 and r1 until 30, so it
    // is down from r2's loss at 90 on.
    assert_eq!(timelines[&Subject::Controller("c2".into())], vec![span(10, 40)]);
    assert_eq!(timelines[&Subject::Controller("c1".into())], vec![Span::new(90 * S, i64::MAX)]);
}

#[test]
fn rows_come_worst_first_and_csv_cells_are_safe() {
    let timelines = vec![
        (Subject::Router("a".into()), vec![span(10, 20)]),
        (Subject::Router("b".into()), vec![]),
        (Subject::Link("l".into()), vec![span(0, 50)]),
        (Subject::Controller("c".into()), vec![span(10, 15)]),
    ];
    // "b" is in maintenance all along: nothing observed, last.
    let maint = |s: &Subject| if *s == Subject::Router("b".into()) { vec![span(0, 100)] } else { vec![] };
    let name = |s: &Subject| match s {
        Subject::Router(id) if id == "a" => "=HYPERLINK(\"x\")".to_owned(),
        Subject::Router(id) | Subject::Controller(id) | Subject::Link(id) => id.clone(),
    };
    // "c" was first known at 10: observed from then.
    let known = |s: &Subject| if *s == Subject::Controller("c".into()) { 10 * S } else { 0 };
    let rows = rows(timelines, span(0, 100), maint, name, known);
    let order: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, ["l", "=HYPERLINK(\"x\")", "c", "b"]);
    assert_eq!(rows[2].availability.observed_ns, 90 * S);
    let text = csv(&rows);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], CSV_HEADER.trim_end());
    assert_eq!(lines[1], "link,l,l,50.0000,100.000,0.000,50.000,1,50.000,50.000,false");
    assert!(lines[2].starts_with("router,a,\"'=HYPERLINK(\"\"x\"\")\",90.0000,"), "{}", lines[2]);
    assert_eq!(lines[4], "router,b,b,,0.000,100.000,0.000,0,,,false");
}

#[test]
fn a_window_made_twice_over_the_same_scope_overlaps_itself() {
    use super::windows::{Scope, When, Window};
    let w = |from: i64, to: i64, scope: Scope| Window {
        name: "w".into(),
        when: When::Once { from: from * S, to: to * S },
        scope,
    };
    let nodes = |v: &[&str]| Scope::Nodes(v.iter().map(|s| s.to_string()).collect());
    assert_eq!(w(10, 50, nodes(&["a", "b"])).overlap(&w(40, 90, nodes(&["b", "a"])), 0), Some(span(40, 50)));
    assert_eq!(w(10, 50, nodes(&["a"])).overlap(&w(50, 90, nodes(&["a"])), 0), None, "back to back");
    assert_eq!(w(10, 50, nodes(&["a"])).overlap(&w(10, 50, nodes(&["b"])), 0), None, "another scope");
    let f = |t: &str| Scope::Filter(t.into());
    assert!(w(10, 50, f("attr=eu")).overlap(&w(0, 20, f(" attr=eu ")), 0).is_some());
    assert_eq!(w(10, 50, f("attr=eu")).overlap(&w(0, 20, nodes(&["a"])), 0), None);
}

#[cfg(feature = "tz")]
mod windows {
    use super::super::windows::{Day, When};
    use super::super::Span;

    const H: i64 = 3_600_000_000_000;

    /// UTC midnight of a 2026 date (days since 2026-01-01).
    fn utc(day_of_year: i64) -> i64 {
        1_767_225_600_000_000_000 + day_of_year * 24 * H
    }

    fn sundays_in_berlin(start: &str, minutes: u32) -> When {
        When::Weekly { days: vec![Day::Sun], start: start.into(), minutes, zone: "Europe/Berlin".into() }
    }

    #[test]
    fn a_weekly_window_follows_the_wall_clock_across_both_changes() {
        // 2026-03-22 is day 80; the clocks go forward on 03-29 (day 87) and
        // back on 10-25 (day 297).
        let w = sundays_in_berlin("01:00", 180);
        let spring = w.spans(Span::new(utc(80), utc(95))).unwrap();
        assert_eq!(
            spring,
            vec![
                Span::new(utc(80), utc(80) + 3 * H),     // 01:00–04:00 CET: 00:00–03:00 UTC
                Span::new(utc(87), utc(87) + 2 * H),     // 04:00 is CEST now: two hours
                Span::new(utc(94) - H, utc(94) + 2 * H), // CEST: 23:00–02:00 UTC
            ]
        );
        let autumn = w.spans(Span::new(utc(296), utc(298))).unwrap();
        assert_eq!(autumn, vec![Span::new(utc(297) - H, utc(297) + 3 * H)], "01:00 CEST to 04:00 CET: four hours");
        // A start the spring change skips (02:30 on 03-29) moves forward to
        // 03:30 CEST (01:30 UTC), and the hour it asked for follows it.
        let skipped = sundays_in_berlin("02:30", 60).spans(Span::new(utc(86), utc(88))).unwrap();
        assert_eq!(skipped, vec![Span::new(utc(87) + H + H / 2, utc(87) + 2 * H + H / 2)]);
    }

    #[test]
    fn a_window_is_cut_to_the_range_and_one_that_starts_before_it_reaches_in() {
        // Saturdays 22:00 UTC for 48 hours: the one from Saturday 2026-01-03
        // (day 2) ends Monday 22:00, so a range from Monday 00:00 gets 22
        // hours of it.
        let w = When::Weekly { days: vec![Day::Sat], start: "22:00".into(), minutes: 48 * 60, zone: "UTC".into() };
        let got = w.spans(Span::new(utc(4), utc(5))).unwrap();
        assert_eq!(got, vec![Span::new(utc(4), utc(4) + 22 * H)]);
        let once = When::Once { from: utc(0), to: utc(10) };
        assert_eq!(once.spans(Span::new(utc(5), utc(20))).unwrap(), vec![Span::new(utc(5), utc(10))]);
    }

    #[test]
    fn what_is_not_a_window_is_refused_with_its_reason() {
        let weekly = |days: Vec<Day>, start: &str, minutes: u32, zone: &str| When::Weekly {
            days,
            start: start.into(),
            minutes,
            zone: zone.into(),
        };
        let cases = [
            (When::Once { from: 5, to: 5 }, "from: must be before to"),
            (weekly(vec![], "01:00", 60, "UTC"), "days: at least one"),
            (weekly(vec![Day::Mon], "24:00", 60, "UTC"), "start: \"24:00\" is not a time of day (HH:MM)"),
            (weekly(vec![Day::Mon], "1:00", 60, "UTC"), "start: \"1:00\" is not a time of day (HH:MM)"),
            (weekly(vec![Day::Mon], "01:00", 0, "UTC"), "minutes: from 1 to 10080"),
            (
                weekly(vec![Day::Mon], "01:00", 60, "Mars/Olympus_Mons"),
                "zone: \"Mars/Olympus_Mons\" is not an IANA time zone",
            ),
        ];
        for (w, why) in cases {
            assert_eq!(w.check(), Err(why.to_owned()), "{w:?}");
            assert!(w.spans(Span::new(0, 1)).is_err());
        }
    }
}

#[test]
fn a_filter_keeps_the_nodes_it_passes_and_links_only_when_it_passes_all() {
    let mut store = Store::new();
    store.apply(&conn(1, "r1", "c1", true));
    store.apply(&conn(1, "r2", "c1", true));
    let rows = store.topology(Timestamp(2 * S)).rows_where(|_| true, crate::store::SortBy::Name, true);
    let all = vec![
        (Subject::Router("r1".into()), vec![]),
        (Subject::Router("r2".into()), vec![]),
        (Subject::Controller("c1".into()), vec![]),
        (Subject::Link("l1".into()), vec![]),
    ];
    let only = |text: &str| -> Vec<Subject> {
        let f = crate::filter::Filter::parse(text, &crate::filter::NODE_SCHEMA).unwrap();
        passing(all.clone(), &rows, &f).into_iter().map(|(s, _)| s).collect()
    };
    assert_eq!(only("").len(), 4, "no filter: everything, links too");
    assert_eq!(only("id=r1"), [Subject::Router("r1".into())]);
    assert_eq!(only("type=controller"), [Subject::Controller("c1".into())]);
}
