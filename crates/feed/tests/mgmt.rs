//! The management-API subset through the real server: served while
//! simulating (the model's routers and identities, by opaque id and by
//! name, as `/nodes` names them), guarded by the token like every route,
//! and absent with any other source.

mod common;

use common::start;
use zitiscope_core::mgmt::{EdgeRouter, Identity, ListEnvelope, EDGE_ROUTERS_PATH, IDENTITIES_PATH};

async fn get(url: String) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_simulator_serves_its_inventory_as_a_controller_would() {
    let feed = start(&["simulate", "--routers", "12", "--identities", "120", "--renames-every", "0"]).await;
    let (status, body) = get(format!("{}{EDGE_ROUTERS_PATH}?limit=500", feed.base)).await;
    assert_eq!(status, 200, "{body}");
    let routers: ListEnvelope<EdgeRouter> = serde_json::from_str(&body).unwrap();
    assert_eq!(routers.data.len(), 12);
    assert_eq!(routers.meta.pagination.map(|p| (p.limit, p.total_count)), Some((500, 12)));
    assert!(routers.data.iter().all(|r| r.id.len() == 10 && r.id != r.name), "opaque ids beside the names");
    assert!(routers.data.iter().all(|r| r.name.starts_with("edge-") || r.name.starts_with("core-")));

    // `/nodes` reads the same names from the store, which learnt them from
    // `entityChange` only.
    let nodes: Vec<serde_json::Value> =
        reqwest::get(format!("{}/nodes", feed.base)).await.unwrap().json().await.unwrap();
    for r in &routers.data {
        let node = nodes.iter().find(|n| n["node"] == format!("router:{}", r.id)).expect("the router is a node");
        assert_eq!(node["name"], r.name.as_str());
        assert_eq!(node["attributes"], serde_json::json!(r.role_attributes));
    }

    // Identities, a page of 50 at a time.
    let mut names = Vec::new();
    for offset in [0, 50, 100] {
        let (_, body) = get(format!("{}{IDENTITIES_PATH}?limit=50&offset={offset}", feed.base)).await;
        let page: ListEnvelope<Identity> = serde_json::from_str(&body).unwrap();
        assert_eq!(page.meta.pagination.unwrap().total_count, 120);
        names.extend(page.data.into_iter().map(|i| i.name));
    }
    names.sort();
    assert_eq!(names.len(), 120);
    assert_eq!(names[0], "build-agent-0004", "the old names: {:?}", &names[..3]);

    let (status, body) = get(format!("{}{IDENTITIES_PATH}?limit=many", feed.base)).await;
    assert_eq!(status, 400);
    assert!(body.contains("\"code\":\"COULD_NOT_VALIDATE\""), "{body}");
    feed.stop.send(true).unwrap();
}

#[tokio::test]
async fn the_token_guards_it_and_other_sources_have_none() {
    let token = "a-token-of-sixteen-chars";
    let feed = start(&["--token", token, "simulate", "--identities", "10"]).await;
    assert_eq!(get(format!("{}{EDGE_ROUTERS_PATH}", feed.base)).await.0, 401);
    assert_eq!(get(format!("{}{EDGE_ROUTERS_PATH}?token={token}", feed.base)).await.0, 200);
    feed.stop.send(true).unwrap();

    let dir = common::TempDir::new("mgmt-file");
    let log = dir.0.join("events.jsonl");
    std::fs::write(&log, "").unwrap();
    let other = start(&["file", log.to_str().unwrap()]).await;
    let deadline = std::time::Instant::now() + common::WAIT;
    // The listener is up once /healthz answers.
    while reqwest::get(format!("{}/healthz", other.base)).await.is_err() {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        get(format!("{}{EDGE_ROUTERS_PATH}", other.base)).await.0,
        404,
        "only the simulator has an inventory to serve"
    );
    other.stop.send(true).unwrap();
}
