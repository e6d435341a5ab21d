//! `entityChange`: the shapes of `controller/event/entity_change.go` with
//! the stored entities of `controller/db` (v2.0), and every way they break.

use super::{body, error_field, skipped};
use crate::event::*;
use crate::parse::openziti::entity::MAX_ATTRIBUTES;
use crate::parse::MAX_FIELD_LEN;
use crate::EntityType;

const HEAD: &str = r#""namespace":"entityChange","event_src_id":"ctrl1","timestamp":"2025-06-12T10:00:01.204512335-04:00","eventId":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05""#;
const META: &str = r#""metadata":{"author":{"type":"identity","id":"Ea3.Tk9Wfm","name":"Default Admin"},"source":{"type":"rest","auth":"edge","method":"POST"},"version":"v2.0.3"}"#;

fn line(event_type: &str, entity_type: &str, initial: &str, fin: &str) -> String {
    format!(
        r#"{{{HEAD},"eventType":"{event_type}",{META},"entityType":"{entity_type}","isParentEvent":false,"initialState":{initial},"finalState":{fin}}}"#
    )
}

fn identity(name: &str, attrs: &str) -> String {
    format!(
        r#"{{"id":"D4vX.q9LmP","createdAt":"2025-06-12T14:00:01.203871142Z","updatedAt":"2025-06-12T14:00:01.203871142Z","tags":{{}},"isSystem":false,"name":"{name}","identityTypeId":"Default","isDefaultAdmin":false,"isAdmin":false,"enrollments":null,"authenticators":null,"roleAttributes":{attrs},"sdkInfo":{{"branch":"","revision":"","type":"","version":"","appId":"","appVersion":""}},"envInfo":null,"defaultHostingPrecedence":0,"appData":null,"authPolicyId":"default","externalId":null,"disabled":false}}"#
    )
}

const ROUTER: &str = r#"{"id":"Kx7pWq2mRa","createdAt":"2025-06-12T09:12:03.4471Z","updatedAt":"2025-06-12T13:58:20.990125Z","tags":{},"isSystem":false,"name":"edge-east","fingerprint":"0f3a","cost":0,"noTraversal":false,"disabled":false,"ctrlChanListeners":null,"interfaces":null,"isVerified":true,"certPem":null,"unverifiedCertPem":null,"unverifiedFingerprint":null,"roleAttributes":["east","public"],"isTunnelerEnabled":false,"appData":null}"#;
const TRANSIT: &str = r#"{"id":"Zr0L5hYc3J","createdAt":"2025-06-12T09:11:58.2Z","updatedAt":"2025-06-12T09:11:58.2Z","tags":{},"isSystem":false,"name":"core","fingerprint":"5d1e","cost":0,"noTraversal":false,"disabled":false,"ctrlChanListeners":null,"interfaces":null,"isVerified":true,"enrollments":null,"unverifiedCertPem":null,"unverifiedFingerprint":null}"#;

fn staged(line: &str) -> (Event, EntityChange) {
    match body(line) {
        (e, Body::Entity(EntityEvent::Staged(c))) => (e, c),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_created_identity() {
    let (e, c) = staged(&line("created", "identities", "null", &identity("laptop-alice", r#"["laptops","sales"]"#)));
    assert_eq!(e.via.as_deref(), Some("ctrl1"));
    assert_eq!(e.at.to_rfc3339(), "2025-06-12T14:00:01.204512335Z", "the controller's local zone, read as UTC");
    assert_eq!(
        c,
        EntityChange {
            change: "0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05".into(),
            entity: EntityType::Identity,
            op: EntityOp::Created,
            id: "D4vX.q9LmP".into(),
            name: Some("laptop-alice".into()),
            attributes: Some(vec!["laptops".into(), "sales".into()]),
            identity_type: Some("Default".into()),
        }
    );
    let (_, c) = staged(&line("created", "identities", "null", &identity("x", "null")));
    assert_eq!(c.attributes, Some(vec![]), "Go writes an empty list as null");
}

#[test]
fn routers_updated_and_deleted() {
    let renamed = ROUTER.replace("edge-east", "edge-east-1");
    let (_, c) = staged(&line("updated", "routers", ROUTER, &renamed));
    assert_eq!((c.entity, c.op, c.name.as_deref()), (EntityType::Router, EntityOp::Updated, Some("edge-east-1")));
    assert_eq!(c.attributes.as_deref().map(<[String]>::len), Some(2));
    assert_eq!(c.identity_type, None, "routers have no identity type");
    let (_, c) = staged(&line("updated", "routers", TRANSIT, TRANSIT));
    assert_eq!(c.attributes, None, "a transit router's state has no role attributes");
    let (_, c) = staged(&line("deleted", "routers", ROUTER, "null"));
    assert_eq!((c.op, c.id.as_str(), c.name.as_deref()), (EntityOp::Deleted, "Kx7pWq2mRa", Some("edge-east")));
}

#[test]
fn a_commit_names_only_its_change() {
    let (e, b) = body(&format!(r#"{{{HEAD},"eventType":"committed"}}"#));
    assert_eq!(b, Body::Entity(EntityEvent::Committed { change: "0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05".into() }));
    assert_eq!(e.via.as_deref(), Some("ctrl1"));
    // v1.0–v1.2: no event_src_id.
    let (e, _) = body(
        r#"{"namespace":"entityChange","eventId":"x","eventType":"committed","timestamp":"2025-06-12T10:00:01-04:00"}"#,
    );
    assert_eq!(e.via, None);
}

#[test]
fn what_is_skipped() {
    let service = r#"{"id":"3Kq9.mVx2T","name":"crm","roleAttributes":["sales"]}"#;
    for (l, why) in [
        (line("created", "services", "null", service), "another entity type"),
        (line("created", "edgeRouterPolicies", "null", "7"), "another type's state is never read"),
        (line("exploded", "identities", "null", &identity("a", "null")), "an unknown event type"),
        (
            line("updated", "routers", ROUTER, ROUTER).replace(r#""isParentEvent":false"#, r#""isParentEvent":true"#),
            "the router store's copy of an edge router's change",
        ),
    ] {
        let s = skipped(&l);
        assert_eq!(s.namespace, "entityChange", "{why}");
    }
}

#[test]
fn missing_fields_are_named() {
    let ok = line("created", "identities", "null", &identity("a", "null"));
    for (l, field) in [
        (ok.replace(r#""eventId":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05","#, ""), "eventId"),
        (ok.replace(r#""eventType":"created","#, ""), "eventType"),
        (ok.replace(r#""entityType":"identities","#, ""), "entityType"),
        (ok.replace(r#""eventId":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05""#, r#""eventId":"""#), "eventId"),
        (line("created", "identities", "null", "null"), "finalState"),
        (line("deleted", "identities", "null", "null"), "initialState"),
        (line("updated", "routers", ROUTER, r#"{"name":"no-id"}"#), "finalState.id"),
        (line("updated", "routers", ROUTER, r#"{"id":""}"#), "finalState.id"),
        (line("deleted", "routers", r#"{"name":"x"}"#, "null"), "initialState.id"),
        (ok.replace(r#""timestamp":"2025-06-12T10:00:01.204512335-04:00","#, ""), "timestamp"),
    ] {
        assert_eq!(error_field(&l), Some(field), "{l}");
    }
    let commit = format!(r#"{{{HEAD},"eventType":"committed"}}"#)
        .replace(r#""eventId":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05","#, "");
    assert_eq!(error_field(&commit), Some("eventId"));
}

#[test]
fn wrong_types_are_named() {
    for (l, field) in [
        (line("created", "identities", "null", r#""a string""#), "finalState"),
        (line("created", "identities", "null", r#"{"id":"a","name":7}"#), "finalState"),
        (line("created", "identities", "null", r#"{"id":"a","roleAttributes":"x"}"#), "finalState"),
        (line("deleted", "routers", r#"{"id":["a"]}"#, "null"), "initialState"),
    ] {
        assert_eq!(error_field(&l), Some(field), "{l}");
    }
}

#[test]
fn huge_fields_are_refused_by_name() {
    let big = "x".repeat(MAX_FIELD_LEN + 1);
    let many: Vec<String> = (0..=MAX_ATTRIBUTES).map(|i| format!("\"a{i}\"")).collect();
    let many = format!("[{}]", many.join(","));
    let ok = line("created", "identities", "null", &identity("a", "null"));
    for (l, field) in [
        (line("created", "identities", "null", &identity(&big, "null")), "finalState.name"),
        (line("created", "identities", "null", &identity("a", &format!(r#"["{big}"]"#))), "finalState.roleAttributes"),
        (line("created", "identities", "null", &identity("a", &many)), "finalState.roleAttributes"),
        (line("deleted", "identities", &identity("a", &many), "null"), "initialState.roleAttributes"),
        (ok.replace("D4vX.q9LmP", &big), "finalState.id"),
        (
            ok.replace(r#""identityTypeId":"Default""#, &format!(r#""identityTypeId":"{big}""#)),
            "finalState.identityTypeId",
        ),
        (ok.replace("0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05", &big), "eventId"),
    ] {
        assert_eq!(error_field(&l), Some(field));
    }
    let (_, c) = staged(&line("created", "identities", "null", &identity("a", &many.replacen("\"a0\",", "", 1))));
    assert_eq!(c.attributes.map(|a| a.len()), Some(MAX_ATTRIBUTES), "at the limit is fine");
}

#[test]
fn on_the_wire() {
    let (e, _) = staged(&line("updated", "routers", TRANSIT, TRANSIT));
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(
        json,
        r#"{"at":1749736801204512335,"via":"ctrl1","body":{"entity":{"staged":{"change":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05","entity":"router","op":"updated","id":"Zr0L5hYc3J","name":"core"}}}}"#
    );
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    let (c, _) = body(&format!(r#"{{{HEAD},"eventType":"committed"}}"#));
    let json = serde_json::to_string(&c).unwrap();
    assert!(
        json.ends_with(r#""body":{"entity":{"committed":{"change":"0c5e7a1d-3b2f-4e8a-9d61-7f4b2c8e1a05"}}}}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), c);
}
