//! The management API's paging and shapes: the controller's limits, its
//! 400 answer, and envelopes that read back as they were written.

use super::*;

#[test]
fn paging_follows_the_controllers_limits() {
    let p = |l: Option<&str>, o: Option<&str>| Paging::from_query(l, o).map(|p| (p.limit, p.offset));
    assert_eq!(p(None, None), Ok((10, 0)), "the defaults");
    assert_eq!(p(Some(""), Some("")), Ok((10, 0)), "an empty value is no value");
    assert_eq!(p(Some("25"), Some("50")), Ok((25, 50)));
    assert_eq!(p(Some("501"), None), Ok((500, 0)), "capped at 500");
    assert_eq!(p(Some("0"), None), Ok((10, 0)), "zero is the default");
    assert_eq!(p(Some("-7"), None), Ok((10, 0)), "below -1 is the default");
    assert_eq!(p(Some("-1"), None), Ok((-1, 0)), "-1 is all");
    assert_eq!(p(None, Some("-3")), Ok((10, 0)), "a negative offset is 0");
    assert_eq!(p(None, Some("100001")), Ok((10, 100_000)), "capped at 100,000");
    assert_eq!(p(Some("+5"), None), Ok((5, 0)), "as Go's ParseInt reads it");
}

#[test]
fn a_value_that_is_not_an_integer_is_the_apis_400() {
    for (l, o, field, value) in [
        (Some("ten"), None, "limit", "ten"),
        (None, Some("1.5"), "offset", "1.5"),
        (Some("99999999999999999999"), None, "limit", "99999999999999999999"),
    ] {
        let e = Paging::from_query(l, o).unwrap_err();
        assert_eq!(e.code, "COULD_NOT_VALIDATE");
        let cause = e.cause.clone().unwrap();
        assert_eq!((cause.field.as_str(), cause.value.as_str()), (field, value));
        assert_eq!(cause.reason, format!("{field} in query must be of type int64: \"{value}\""));
        let json = serde_json::to_value((*e).envelope("r-1")).unwrap();
        assert_eq!(json["error"]["requestId"], "r-1");
        assert_eq!(json["meta"]["apiVersion"], API_VERSION);
        assert!(json["meta"].get("pagination").is_none(), "no pagination on an error: {json}");
    }
    let hostile = Paging::from_query(Some("\u{7}<b>x</b>\n"), None).unwrap_err().cause.unwrap();
    assert_eq!(hostile.value, "<b>x</b>", "control characters dropped (it is only ever text)");
    let long = "9".repeat(500);
    assert_eq!(invalid("limit", &long).cause.unwrap().value.len(), 64, "cut short");
}

#[test]
fn a_page_is_a_window_of_the_list_and_says_where_it_is() {
    let all: Vec<u32> = (0..23).collect();
    let page = |l: i64, o: i64| {
        let p = Paging { limit: l, offset: o };
        let r = p.range(all.len());
        p.envelope(all[r].to_vec(), all.len(), &["id"])
    };
    let first = page(10, 0);
    assert_eq!(first.data, (0..10).collect::<Vec<_>>());
    assert_eq!(first.meta.pagination, Some(Pagination { limit: 10, offset: 0, total_count: 23 }));
    assert_eq!(page(10, 20).data, vec![20, 21, 22], "the last page is short");
    assert!(page(10, 40).data.is_empty(), "past the end: nothing, and still the count");
    assert_eq!(page(10, 40).meta.pagination.unwrap().total_count, 23);
    assert_eq!(page(-1, 5).data.len(), 18, "-1: all from the offset");
    // Pages of 7 cover the list once.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let p = page(7, offset);
        if p.data.is_empty() {
            break;
        }
        seen.extend(p.data);
        offset += 7;
    }
    assert_eq!(seen, all);
}

#[test]
fn the_envelopes_read_back_and_match_the_apis_json() {
    let router = EdgeRouter {
        id: "Kx7pWq2mRa".into(),
        name: "edge-eu-1".into(),
        role_attributes: Some(vec!["eu".into(), "edge".into()]),
        is_online: true,
        ..EdgeRouter::default()
    };
    let env = Paging::default().envelope(vec![router.clone()], 1, &EDGE_ROUTER_FIELDS);
    let json = serde_json::to_value(&env).unwrap();
    assert_eq!(json["data"][0]["roleAttributes"], serde_json::json!(["eu", "edge"]));
    assert_eq!(json["data"][0]["isOnline"], true);
    assert_eq!(json["meta"]["pagination"], serde_json::json!({ "limit": 10, "offset": 0, "totalCount": 1 }));
    assert_eq!(json["meta"]["filterableFields"][5], "name");
    let back: ListEnvelope<EdgeRouter> = serde_json::from_value(json).unwrap();
    assert_eq!(back, env);

    // A real controller's item, with fields zitiscope does not read and a
    // `null` for no role attributes.
    let real = r#"{"data":[{"id":"D4vX.q9LmP","name":"alice-laptop","type":{"entity":"identity-types","id":"Default","name":"Default","_links":{"self":{"href":"./identity-types/Default"}}},"typeId":"Default","roleAttributes":null,"hasApiSession":true,"hasEdgeRouterConnection":false,"edgeRouterConnectionStatus":"offline","sdkInfo":{"type":"ziti-edge-tunnel"},"authPolicyId":"default","createdAt":"2025-06-12T09:00:00.000Z","updatedAt":"2025-06-12T09:00:00.000Z","_links":{"self":{"href":"./identities/D4vX.q9LmP"}},"tags":{}}],"meta":{"filterableFields":["id"],"pagination":{"limit":10,"offset":0,"totalCount":1}}}"#;
    let env: ListEnvelope<Identity> = serde_json::from_str(real).unwrap();
    let alice = &env.data[0];
    assert_eq!((alice.id.as_str(), alice.name.as_str()), ("D4vX.q9LmP", "alice-laptop"));
    assert_eq!(alice.identity_type.as_ref().map(|t| t.name.as_str()), Some("Default"));
    assert_eq!(alice.role_attributes, None);
    assert!(alice.has_api_session && !alice.has_edge_router_connection);
    assert_eq!(env.meta.pagination.unwrap().total_count, 1);
}
