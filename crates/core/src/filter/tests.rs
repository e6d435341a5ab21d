use super::*;
use crate::event::{Body, ConnChange, LatencyOf, LatencySample, SdkChange, SdkStatus};
use crate::layout::NodeId;
use crate::store::topology::{Health, IdentityBadge, NodeRow};
use crate::{ConnKind, Event, Timestamp};

fn router(id: &str, health: Health, online: u32) -> NodeRow {
    NodeRow {
        node: NodeId::Router(id.into()),
        name: id.into(),
        attributes: Vec::new(),
        health,
        detail: String::new(),
        identities: IdentityBadge { online, offline: 2, recent: 1 },
        rest_only: 0,
    }
}

fn controller(id: &str) -> NodeRow {
    NodeRow { node: NodeId::Controller(id.into()), ..router(id, Health::Ok, 0) }
}

fn conn(kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event {
        at: Timestamp::from_millis(1.0),
        via: Some("ctrl1".into()),
        body: Body::Conn(ConnChange { kind, src: src.into(), dst: dst.into(), up, addr: None }),
    }
}

fn latency(target: &str, mean_ms: i64) -> Event {
    Event {
        at: Timestamp::from_millis(1.0),
        via: None,
        body: Body::Latency(LatencySample {
            of: LatencyOf::Link,
            target: target.into(),
            source: "edge-a".into(),
            mean_ns: mean_ms * 1_000_000,
            p50_ns: None,
            p99_ns: None,
            std_dev_ns: Some(3_000_000),
            unresponsive: false,
        }),
    }
}

fn nodes(expr: &str, rows: &[NodeRow]) -> Vec<String> {
    let f = Filter::parse(expr, &NODE_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
    rows.iter().filter(|r| f.matches(*r)).map(|r| r.node.id().to_string()).collect()
}

fn err(expr: &str, schema: &Schema) -> FilterError {
    Filter::parse(expr, schema).expect_err(expr)
}

#[test]
fn the_examples_select_what_they_say() {
    let rows = [
        router("edge-eu-1", Health::Down, 0),
        router("edge-eu-2", Health::Ok, 40),
        router("edge-us-1", Health::Degraded, 7),
        controller("ctrl1"),
    ];
    assert_eq!(nodes("type=router AND state=down", &rows), ["edge-eu-1"]);
    assert_eq!(nodes("name^=edge-eu", &rows), ["edge-eu-1", "edge-eu-2"]);
    assert_eq!(nodes("!healthy", &rows), ["edge-eu-1", "edge-us-1"]);
    assert_eq!(nodes("NOT healthy", &rows), nodes("healthy=false", &rows));
    assert_eq!(nodes("type=router identities>5", &rows), ["edge-eu-2", "edge-us-1"], "side by side is AND");
    assert_eq!(nodes("state=down OR state=degraded", &rows), ["edge-eu-1", "edge-us-1"]);
    assert_eq!(nodes("type=router AND (name$=-1 OR identities>=40)", &rows), ["edge-eu-1", "edge-eu-2", "edge-us-1"]);
    assert_eq!(nodes("name*=US", &rows), ["edge-us-1"], "text ignores case");
    assert_eq!(nodes("TYPE = CONTROLLER", &rows), ["ctrl1"], "fields and enum values too");
    assert_eq!(nodes("name=\"edge-eu-2\"", &rows), ["edge-eu-2"]);
    assert_eq!(nodes("", &rows).len(), 4, "empty matches all");
    assert!(Filter::parse("  ", &NODE_SCHEMA).unwrap().is_all());
    assert_eq!(nodes("type=router && !(state=down || state=degraded)", &rows), ["edge-eu-2"]);
}

#[test]
fn names_ids_and_role_attributes() {
    let named = |id: &str, name: &str, attrs: &[&str]| NodeRow {
        name: name.into(),
        attributes: attrs.iter().map(|a| a.to_string()).collect(),
        ..router(id, Health::Ok, 1)
    };
    let rows =
        [named("Kx7pWq2mRa", "edge-eu-1", &["eu", "edge"]), named("Zz9", "core-us-1", &["us"]), controller("c1")];
    assert_eq!(nodes("name^=edge", &rows), ["Kx7pWq2mRa"], "the name");
    assert_eq!(nodes("id=kx7pwq2mra", &rows), ["Kx7pWq2mRa"], "the id, any case");
    assert_eq!(nodes("attr=eu", &rows), ["Kx7pWq2mRa"], "any attribute equals");
    assert_eq!(nodes("attr=e*", &rows), ["Kx7pWq2mRa"], "a wildcard over attributes");
    assert_eq!(nodes("attr!=eu", &rows), ["Zz9", "c1"], "none equals");
    assert_eq!(nodes("core-us", &rows), ["Zz9"], "a search finds the name");
    assert_eq!(nodes("kx7p", &rows), ["Kx7pWq2mRa"], "and the id");
    assert_eq!(nodes("edge", &rows), ["Kx7pWq2mRa"], "and an attribute");
}

#[test]
fn a_word_that_is_not_a_field_is_a_search() {
    let rows = [router("edge-EU-1", Health::Down, 0), router("edge-eu-2", Health::Ok, 40), controller("ctrl1")];
    assert_eq!(nodes("eu", &rows), ["edge-EU-1", "edge-eu-2"], "ids, any case");
    assert_eq!(nodes("edge-eu down", &rows), ["edge-EU-1"], "health words, and side by side is AND");
    assert_eq!(nodes("offline", &rows), Vec::<String>::new(), "the map's words, no others");
    assert_eq!(nodes("controller", &rows), ["ctrl1"]);
    assert_eq!(nodes("eu AND identities>0", &rows), ["edge-eu-2"], "mixed with terms");
    assert_eq!(nodes("\"edge-eu-2\"", &rows), ["edge-eu-2"], "quoted");
    assert_eq!(nodes("stat", &rows), Vec::<String>::new(), "a word alone never errors");
    assert_eq!(
        err("stat=down", &NODE_SCHEMA).message,
        "no field `stat`; did you mean `state`?",
        "with an operator it must be a field"
    );
    assert_eq!(err("\"state\"=online", &NODE_SCHEMA).message, "a field name is not quoted");
}

#[test]
fn events_filter_by_kind_state_and_latency() {
    let events = [
        conn(ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false),
        conn(ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", true),
        latency("link-7", 150),
        latency("link-8", 20),
        Event {
            at: Timestamp::from_millis(1.0),
            via: Some("ctrl2".into()),
            body: Body::Sdk(SdkChange { identity: "Laptop-9".into(), status: SdkStatus::Offline }),
        },
    ];
    let pick = |expr: &str| {
        let f = Filter::parse(expr, &EVENT_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
        events.iter().enumerate().filter(|(_, e)| f.matches(*e)).map(|(i, _)| i).collect::<Vec<_>>()
    };
    assert_eq!(pick("kind=edge-to-router AND state=offline"), [0]);
    assert_eq!(pick("latency>100ms"), [2]);
    assert_eq!(pick("latency>0.1s"), [2], "units: 0.1s is 100ms");
    assert_eq!(pick("latency<=20"), [3], "a bare number is ms");
    assert_eq!(pick("jitter=3ms"), [2, 3]);
    assert_eq!(pick("state=offline"), [0, 4], "connections and SDK status share `state`");
    assert_eq!(pick("name^=laptop"), [0, 4]);
    assert_eq!(pick("via=ctrl2"), [4]);
    assert_eq!(pick("via!=ctrl1"), [2, 3, 4], "a missing field only matches !=");
    assert_eq!(pick("type=latency AND of=link AND dst=link-8"), [3]);
    assert_eq!(pick("up"), [1]);
    assert_eq!(pick("laptop"), [0, 4], "a search looks at names, ends and reporter");
    assert_eq!(pick("ctrl2"), [4]);
}

#[test]
fn mistakes_point_at_their_column() {
    let e = err("type=router AND stat=down", &NODE_SCHEMA);
    assert_eq!((e.col, e.len), (17, 4));
    assert_eq!(e.message, "no field `stat`; did you mean `state`?");
    assert_eq!(e.to_string(), "col 17: no field `stat`; did you mean `state`?");
    let e = err("state=gone", &NODE_SCHEMA);
    assert_eq!(e.col, 7);
    assert!(e.message.contains("ok, degraded, unknown, down"), "{}", e.message);
    let e = err("identities>lots", &NODE_SCHEMA);
    assert_eq!((e.col, e.message.as_str()), (12, "`identities` is a number: `lots` is not one"));
    let e = err("name>3", &NODE_SCHEMA);
    assert_eq!(e.col, 5, "the operator");
    assert!(e.message.starts_with("`name` does not take `>`"), "{}", e.message);
    assert_eq!(err("name", &NODE_SCHEMA).message, "`name` needs a comparison, e.g. name=… or name^=…");
    assert_eq!(err("name=", &NODE_SCHEMA).col, 6, "at the end");
    assert_eq!(err("(type=router", &NODE_SCHEMA).message, "this `(` is never closed");
    assert_eq!(err("type=router)", &NODE_SCHEMA).col, 12);
    assert_eq!(err("type=router AND", &NODE_SCHEMA).col, 16);
    assert_eq!(err("name=\"edge", &NODE_SCHEMA).message, "this quote is never closed");
    assert_eq!(err("()", &NODE_SCHEMA).message, "an empty `()`");
    assert_eq!(err("wibble=1", &NODE_SCHEMA).message.split(';').next(), Some("no field `wibble`"));
    assert_eq!(err("\"x\" =", &NODE_SCHEMA).col, 1);
    let e = err("name=a ; drop", &NODE_SCHEMA);
    assert_eq!((e.col, e.len), (8, 1));
    // Columns count characters, not bytes.
    assert_eq!(err("name=\"é\" stat=1", &NODE_SCHEMA).col, 10);
    assert!(err("latency>fast", &EVENT_SCHEMA).message.contains("duration"));
}

#[test]
fn hostile_input_is_refused_not_crashed_on() {
    let deep = "(".repeat(10_000);
    assert!(err(&deep, &NODE_SCHEMA).message.contains("at most"), "over MAX_LEN");
    let deep = format!("{}healthy{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    assert!(err(&deep, &NODE_SCHEMA).message.contains("nested"));
    let nots = format!("{}healthy", "!".repeat(MAX_DEPTH + 1));
    assert!(err(&nots, &NODE_SCHEMA).message.contains("nested"));
    let ok = format!("{}healthy{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(Filter::parse(&ok, &NODE_SCHEMA).is_ok(), "exactly MAX_DEPTH is fine");
    let e = err("name=a\u{0}", &NODE_SCHEMA);
    assert!(e.message.starts_with("U+0000"), "control characters are named, not echoed: {}", e.message);
    assert!(Filter::parse("name=\"<script>alert(1)</script>\"", &NODE_SCHEMA).is_ok(), "markup is just text");
}

fn texts(c: Vec<Completion>) -> Vec<String> {
    c.into_iter().map(|c| c.text).collect()
}

#[test]
fn completion_offers_fields_operators_values_and_keywords() {
    assert_eq!(texts(complete("", 0, &NODE_SCHEMA)).len(), NODE_SCHEMA.fields.len());
    assert_eq!(texts(complete("st", 2, &NODE_SCHEMA)), ["state"]);
    let c = complete("type=router AND st", 18, &NODE_SCHEMA);
    assert_eq!((c[0].start, c[0].end, c[0].text.as_str()), (16, 18, "state"));
    assert_eq!(texts(complete("state=", 6, &NODE_SCHEMA)), STATES);
    assert_eq!(texts(complete("state=d", 7, &NODE_SCHEMA)), ["degraded", "down"]);
    assert_eq!(texts(complete("healthy=", 8, &NODE_SCHEMA)), ["true", "false"]);
    assert_eq!(texts(complete("identities", 10, &NODE_SCHEMA)), ["identities"], "touching: the word is completed");
    assert_eq!(texts(complete("identities ", 11, &NODE_SCHEMA)), ["=", "!=", ">", ">=", "<", "<="]);
    let op = &complete("identities ", 11, &NODE_SCHEMA)[0];
    assert_eq!((op.start, op.end), (11, 11), "an operator goes in at the cursor");
    assert_eq!(texts(complete("type=router ", 12, &NODE_SCHEMA)), ["AND", "OR", "NOT"]);
    assert_eq!(
        texts(complete("type=router a", 13, &NODE_SCHEMA)),
        ["AND", "attr"],
        "a keyword, or a field to AND with"
    );
    assert!(complete("name=\"open", 10, &NODE_SCHEMA).is_empty());
    // The cursor in the middle: only what is before it counts.
    assert_eq!(texts(complete("st AND type=router", 2, &NODE_SCHEMA)), ["state"]);
    assert_eq!(texts(complete("kind=edge-to-r", 14, &EVENT_SCHEMA)), ["edge-to-router"]);
}

const STATES: [&str; 4] = ["ok", "degraded", "unknown", "down"];

mod properties;

#[test]
fn alerts_and_changes_have_their_fields() {
    use crate::alerts::{Alert, AlertKey, AlertState, Rule, Severity};
    use crate::store::{Change, ConnKey};
    let rules: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
    let FieldKind::Enum(listed) = ALERT_SCHEMA.field("rule").unwrap().kind else { panic!("rule is an enum") };
    assert_eq!(listed, rules.as_slice(), "every rule can be named, and only those");
    let alert = |rule, subject: &str, severity, acked: bool| Alert {
        key: AlertKey { rule, subject: subject.into() },
        severity,
        state: AlertState::Firing,
        node: None,
        message: format!("{subject} lost its controllers"),
        grouped: 0,
        since: Timestamp(0),
        first_seen: Timestamp(0),
        last_seen: Timestamp(0),
        fired_at: None,
        resolved_at: None,
        count: 3,
        ack: acked.then(|| crate::alerts::Ack { by: "ann".into(), at: Timestamp(1), comment: String::new() }),
        maintenance: None,
    };
    let board = [
        alert(Rule::RouterDown, "edge-eu-1", Severity::Critical, false),
        alert(Rule::LinkLatency, "l7", Severity::Minor, true),
    ];
    let pick = |expr: &str| {
        let f = Filter::parse(expr, &ALERT_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
        board.iter().filter(|a| f.matches(*a)).map(|a| a.key.subject.as_str()).collect::<Vec<_>>()
    };
    assert_eq!(pick("severity=critical AND !acked"), ["edge-eu-1"]);
    assert_eq!(pick("rule=link-latency"), ["l7"]);
    assert_eq!(pick("count>=3 acked"), ["l7"]);
    assert_eq!(pick("controllers"), ["edge-eu-1", "l7"], "a word searches the message too");
    assert_eq!(pick("critical"), ["edge-eu-1"], "and names a severity");

    let down = Change::Conn {
        key: ConnKey::new(ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1"),
        from: Some(true),
        to: false,
        at: Timestamp(1),
    };
    let leader = Change::Leader { from: None, to: Some("ctrl2".into()), at: Timestamp(2) };
    let log = [down, leader];
    let pick = |expr: &str| {
        let f = Filter::parse(expr, &CHANGE_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
        log.iter().enumerate().filter(|(_, c)| f.matches(*c)).map(|(i, _)| i).collect::<Vec<_>>()
    };
    assert_eq!(pick("kind=edge-to-router AND !good"), [0]);
    assert_eq!(pick("state*=disconnect"), [0]);
    assert_eq!(pick("type=leader"), [1]);
    assert_eq!(pick("ctrl2"), [1], "a word searches the change's words");
    assert_eq!(pick("name*=laptop"), [0]);
}

#[test]
fn change_rules_read_ids_ends_up_and_wildcards() {
    use crate::store::{Change, ConnKey};
    let c = |kind, src: &str, dst: &str, to| Change::Conn {
        key: ConnKey::new(kind, src, dst),
        from: None,
        to,
        at: Timestamp(1),
    };
    let log = [
        c(ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", false),
        c(ConnKind::RouterToCtrl, "core-1", "ctrl1", false),
        c(ConnKind::RouterToCtrl, "edge-eu-2", "ctrl1", true),
        c(ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false),
    ];
    let pick = |expr: &str| {
        let f = Filter::parse(expr, &CHANGE_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
        log.iter().enumerate().filter(|(_, c)| f.matches(*c)).map(|(i, _)| i).collect::<Vec<_>>()
    };
    assert_eq!(pick("kind=router-to-ctrl AND !up AND id=edge-*"), [0]);
    assert_eq!(pick("id!=edge-eu-?"), [1, 3]);
    assert_eq!(pick("dst=EDGE-* up=false"), [3], "wildcards ignore case too");
    assert_eq!(pick("src=\"edge-*\""), [] as [usize; 0], "a quoted value is text as written");
    assert_eq!(pick("name*=laptop"), [3], "`*=` still is contains, even right after a field");
    let err = |expr: &str| Filter::parse(expr, &CHANGE_SCHEMA).expect_err(expr);
    assert_eq!(err("id^=edge-*").col, 5);
    assert!(err("edge-*").message.contains("wildcards only"), "a search holds no wildcard");
    assert!(err("kind=router-*").message.contains("is one of"));
}

#[test]
fn a_named_change_matches_by_name_and_by_id() {
    use super::Named;
    use crate::store::{Change, ConnKey, Info, Listing};
    use crate::{EntityType, Store};
    let mut store = Store::new();
    let info = Info { name: "edge-eu-1".into(), ..Info::default() };
    store.learn(Timestamp(1), EntityType::Router, "Kx7pWq2mRa", Listing::Present(info));
    let down = Change::Conn {
        key: ConnKey::new(ConnKind::RouterToCtrl, "Kx7pWq2mRa", "ctrl1"),
        from: Some(true),
        to: false,
        at: Timestamp(2),
    };
    let label = |c: &Change| store.label(c);
    let named = Named { change: &down, label: &label };
    let hits = |expr: &str| Filter::parse(expr, &CHANGE_SCHEMA).unwrap().matches(&named);
    assert!(hits("name*=edge-eu"), "the name a person reads");
    assert!(hits("edge-eu-1"), "a bare word, by name");
    assert!(hits("kx7pwq2mra"), "and by id");
    assert!(hits("id=Kx7pWq2mRa AND src=Kx7* AND !good"), "the other fields are the change's own");
    assert!(!Filter::parse("name*=edge-eu", &CHANGE_SCHEMA).unwrap().matches(&down), "the bare change reads ids");
}

#[test]
fn a_named_event_matches_its_entities_by_id_or_by_name() {
    use super::NamedEvent;
    use crate::EntityType;
    let e = Event::conn(Timestamp(1), ConnKind::EdgeToRouter, "D4vX.q9LmP", "Kx7pWq2mRa", false);
    let names = |t: EntityType, id: &str| match (t, id) {
        (EntityType::Identity, "D4vX.q9LmP") => "alice-laptop".to_string(),
        (EntityType::Router, "Kx7pWq2mRa") => "edge-eu-1".to_string(),
        (_, id) => id.to_string(),
    };
    let named = NamedEvent { event: &e, names: &names };
    let hits = |expr: &str| Filter::parse(expr, &EVENT_SCHEMA).unwrap().matches(&named);
    assert!(hits("dst=edge-eu-1") && hits("dst=Kx7pWq2mRa"), "the router by name or by id");
    assert!(hits("name*=alice") && hits("src=D4vX.q9LmP"), "the identity too");
    assert!(hits("dst!=edge-us-1") && !hits("dst!=edge-eu-1"), "!= passes only when neither is it");
    assert!(hits("alice-laptop") && hits("kx7pwq2mra"), "bare words look at names and ids");
    assert!(hits("kind=edge-to-router AND state=offline"), "other fields are the event's own");
    assert!(!Filter::parse("dst=edge-eu-1", &EVENT_SCHEMA).unwrap().matches(&e), "the bare event reads ids");
}
