//! Automation hooks against real local servers and a real command:
//! delivery, retry, giving up, dropping when full, and never blocking ingest.

mod common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use common::{TempDir, WAIT};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use zitiscope_core::dispatch::Interest;
use zitiscope_core::{ConnKind, Event, Timestamp};
use zitiscope_feed::hooks::{self, Hook, HookSpec, When};
use zitiscope_feed::hub::Hub;
use zitiscope_feed::metrics::{HookStats, Registry};

/// A webhook receiver that fails the first `failures` requests with 500.
#[derive(Clone, Default)]
struct Receiver {
    failures: usize,
    calls: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

async fn receive(State(r): State<Receiver>, body: String) -> StatusCode {
    let n = r.calls.fetch_add(1, Ordering::SeqCst);
    r.bodies.lock().unwrap().push(serde_json::from_str(&body).expect("a JSON body"));
    if n < r.failures {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn serve(r: Receiver) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route("/hook", post(receive)).with_state(r);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn spec(name: &str, when: When) -> HookSpec {
    HookSpec {
        name: name.into(),
        when,
        url: None,
        command: None,
        timeout_ms: 2_000,
        retries: 3,
        queue: 16,
        backoff_ms: 10,
    }
}

/// The older table form: the dispatcher's interest.
fn routers_down() -> When {
    When::Table(Interest { kinds: vec![ConnKind::RouterToCtrl], up: Some(false), ..Default::default() })
}

/// Starts `spec` on `hub`'s changes, its counters in `registry`, naming
/// through the hub's store as the feed does.
fn start(spec: HookSpec, hub: &Arc<Hub>, registry: &Registry) -> Hook {
    let names = hub.clone();
    hooks::start(spec, &hub.changes, &hub.run_id, registry, Arc::new(move |c| names.label(c)), None)
}

fn conn(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event::conn(Timestamp(at), kind, src, dst, up).via("ctrl1")
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn get(c: &std::sync::atomic::AtomicU64) -> u64 {
    c.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_webhook_gets_matching_changes_and_is_retried_until_it_accepts() {
    let receiver = Receiver { failures: 2, ..Default::default() };
    let url = serve(receiver.clone()).await;
    let hub = Arc::new(Hub::new(16, 16));
    let registry = Registry::new();
    let hook = start(HookSpec { url: Some(url), ..spec("router-down", routers_down()) }, &hub, &registry);

    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", true)]);
    hub.publish(vec![conn(2, ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false)]);
    hub.publish(vec![conn(3, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", false)]);
    let stats: &HookStats = &hook.stats;
    until("delivery", || get(&stats.delivered) == 1).await;
    assert_eq!((get(&stats.retries), get(&stats.failed), get(&stats.dropped)), (2, 0, 0));
    let bodies = receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "two failures, then success");
    assert!(bodies.iter().all(|b| b == &bodies[0]), "the same change each time");
    let b = &bodies[0];
    assert_eq!(b["hook"], "router-down");
    assert_eq!(b["feed"], hub.run_id.as_str(), "the run id, under the protocol's name");
    assert_eq!(b["change"]["conn"]["key"]["src"], "edge-eu-1", "{b}");
    assert_eq!(b["label"]["state"], "disconnected", "{b}");

    let metrics = zitiscope_feed::metrics::render(&hub, &registry, None, None);
    assert!(metrics.contains("zitiscope_feed_hook_delivered_total{hook=\"router-down\"} 1"), "{metrics}");
    assert!(metrics.contains("zitiscope_feed_hook_retries_total{hook=\"router-down\"} 2"), "{metrics}");
}

#[tokio::test]
async fn a_webhook_that_keeps_failing_is_given_up_on_and_counted() {
    let receiver = Receiver { failures: usize::MAX, ..Default::default() };
    let url = serve(receiver.clone()).await;
    let hub = Arc::new(Hub::new(16, 16));
    let hook = start(HookSpec { url: Some(url), retries: 1, ..spec("doomed", routers_down()) }, &hub, &Registry::new());
    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "r1", "ctrl1", false)]);
    until("giving up", || get(&hook.stats.failed) == 1).await;
    assert_eq!((get(&hook.stats.retries), get(&hook.stats.delivered)), (1, 0));
    assert_eq!(receiver.calls.load(Ordering::SeqCst), 2, "one attempt and one retry");
}

#[tokio::test]
async fn a_command_gets_the_change_as_json_on_stdin() {
    let dir = TempDir::new("hook-command");
    let out = dir.0.join("changes.jsonl");
    let script = format!("cat >> '{}'; echo >> '{}'", out.display(), out.display());
    let hub = Arc::new(Hub::new(16, 16));
    let registry = Registry::new();
    let hook = start(
        HookSpec { command: Some(vec!["sh".into(), "-c".into(), script]), ..spec("script", When::default()) },
        &hub,
        &registry,
    );
    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", true)]);
    until("the command", || get(&hook.stats.delivered) == 1).await;
    let text = std::fs::read_to_string(&out).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON object");
    assert_eq!(v["change"]["conn"]["key"]["src"], "edge-us-2");

    let failing = start(
        HookSpec {
            command: Some(vec!["sh".into(), "-c".into(), "exit 3".into()]),
            retries: 0,
            ..spec("fails", When::default())
        },
        &hub,
        &registry,
    );
    hub.publish(vec![conn(2, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", false)]);
    until("the failing command", || get(&failing.stats.failed) == 1).await;
}

/// A hook whose endpoint never answers cannot slow ingest: its queue fills
/// and further changes are dropped and counted, while publishing goes on.
#[tokio::test]
async fn a_stuck_hook_never_blocks_ingest() {
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    // Accept connections and never answer.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let hub = Arc::new(Hub::new(16, 16));
    let hook = start(
        HookSpec { url: Some(url), timeout_ms: 60_000, queue: 2, ..spec("stuck", When::default()) },
        &hub,
        &Registry::new(),
    );
    for i in 0..50 {
        hub.publish(vec![conn(i, ConnKind::RouterToCtrl, &format!("r{i}"), "ctrl1", true)]);
    }
    assert_eq!(hub.seq(), 50, "every batch published");
    let dropped = get(&hook.stats.dropped);
    assert!((47..=48).contains(&dropped), "1 in flight at most, 2 queued, the rest dropped: {dropped}");
    assert_eq!(get(&hook.stats.delivered), 0);
}

/// Loads a config file holding `text` and returns its hooks, or the error.
fn load_hooks(dir: &TempDir, text: &str) -> Result<Vec<HookSpec>, String> {
    let path = dir.0.join("feed.toml");
    std::fs::write(&path, text).unwrap();
    let argv = ["zitiscope-feed".to_string(), "--config".into(), path.display().to_string()];
    zitiscope_feed::config::load(argv).map(|args| args.hooks).map_err(|e| e.to_string())
}

/// The issue's rule, as a change expression of the filter language and in
/// the older table form, both read from a config file: each delivers
/// exactly the edge routers' control connections going down, in order,
/// and nothing else.
#[tokio::test]
async fn a_change_expression_and_the_older_table_form_deliver_exactly_the_matching_changes() {
    let (new, old) = (Receiver::default(), Receiver::default());
    let (new_url, old_url) = (serve(new.clone()).await, serve(old.clone()).await);
    let dir = TempDir::new("hook-rules");
    let specs = load_hooks(
        &dir,
        &format!(
            r#"
            [[hook]]
            name = "edge-down"
            when = "kind=router-to-ctrl AND !up AND id=edge-*"
            url = "{new_url}"

            [[hook]]
            name = "edge-down-table"
            when = {{ kinds = ["router-to-ctrl"], up = false, pattern = "edge-*" }}
            url = "{old_url}"
            "#
        ),
    )
    .expect("both forms are valid");
    assert!(matches!(specs[0].when, When::Expr { .. }) && matches!(specs[1].when, When::Table(_)));
    let hub = Arc::new(Hub::new(16, 16));
    let registry = Registry::new();
    let hooks: Vec<Hook> = specs.into_iter().map(|s| start(s, &hub, &registry)).collect();

    for (at, kind, src, dst, up) in [
        (1, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", true), // up: no
        (2, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", false), // yes
        (3, ConnKind::RouterToCtrl, "core-1", "ctrl1", true),
        (4, ConnKind::RouterToCtrl, "core-1", "ctrl1", false), // not an edge router
        (5, ConnKind::EdgeToRouter, "edge-laptop", "edge-eu-1", true),
        (6, ConnKind::EdgeToRouter, "edge-laptop", "edge-eu-1", false), // another kind
        (7, ConnKind::CtrlToCtrl, "ctrl1", "ctrl2", true),
        (8, ConnKind::CtrlToCtrl, "ctrl1", "ctrl2", false), // another kind
        (9, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", true),
        (10, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", false), // yes
    ] {
        hub.publish(vec![conn(at, kind, src, dst, up)]);
    }
    // Rules are tested as each change is published, so every match is
    // queued by now: two delivered and none waiting means no other came.
    for (hook, receiver) in hooks.iter().zip([&new, &old]) {
        until(&hook.name, || get(&hook.stats.delivered) == 2).await;
        assert_eq!((get(&hook.stats.queued), get(&hook.stats.dropped), get(&hook.stats.failed)), (0, 0, 0));
        let bodies = receiver.bodies.lock().unwrap().clone();
        let srcs: Vec<&str> = bodies.iter().map(|b| b["change"]["conn"]["key"]["src"].as_str().unwrap()).collect();
        assert_eq!(srcs, ["edge-eu-1", "edge-us-2"], "{}: {bodies:?}", hook.name);
        assert!(bodies.iter().all(|b| b["change"]["conn"]["to"] == false && b["hook"] == hook.name.as_str()));
    }
}

/// A rule that does not parse stops the config from loading, and the error
/// names the hook, the column and what would be right.
#[tokio::test]
async fn a_malformed_rule_is_refused_at_config_load_naming_the_hook() {
    let dir = TempDir::new("hook-bad-rule");
    let err = load_hooks(
        &dir,
        r#"
        [[hook]]
        name = "edge-down"
        when = "kind=router-to-ctrl AND !up AND idd=edge-*"
        url = "http://127.0.0.1:9/ziti"
        "#,
    )
    .expect_err("a typo in the rule");
    let said = "[[hook]] `edge-down`: when = \"kind=router-to-ctrl AND !up AND idd=edge-*\": col 33: no field `idd`";
    for needle in [said, "did you mean `id`?"] {
        assert!(err.contains(needle), "{needle:?} in {err}");
    }
    let err = load_hooks(&dir, "[[hook]]\nname = \"r\"\nurl = \"http://a\"\nwhen = \"id^=edge-*\"").unwrap_err();
    assert!(err.contains("`r`") && err.contains("col 5") && err.contains("wildcards only after = or !="), "{err}");
}

/// Real networks name routers by opaque ids: a rule's `name` and the
/// payload's label read the names the store learnt, and `id` the ids.
#[tokio::test]
async fn a_rule_and_its_payload_read_names_not_opaque_ids() {
    use zitiscope_core::event::{Body, EntityEvent, EntityListed};
    let receiver = Receiver::default();
    let url = serve(receiver.clone()).await;
    let dir = TempDir::new("hook-names");
    let specs = load_hooks(
        &dir,
        &format!(
            r#"
            [[hook]]
            name = "eu-down"
            when = "kind=router-to-ctrl AND !up AND name*=edge-eu"
            url = "{url}"
            "#
        ),
    )
    .unwrap();
    let hub = Arc::new(Hub::new(16, 16));
    let registry = Registry::new();
    let hooks: Vec<Hook> = specs.into_iter().map(|s| start(s, &hub, &registry)).collect();
    for (id, name) in [("Kx7pWq2mRa", "edge-eu-1"), ("Zz9aaaaaaa", "edge-us-1")] {
        let listed = EntityListed {
            entity: zitiscope_core::EntityType::Router,
            id: id.into(),
            deleted: false,
            name: name.into(),
            attributes: vec![],
            identity_type: None,
            online: None,
        };
        hub.publish(vec![Event { at: Timestamp(1), via: None, body: Body::Entity(EntityEvent::Listed(listed)) }]);
    }
    for (at, id) in [(2, "Kx7pWq2mRa"), (3, "Zz9aaaaaaa")] {
        hub.publish(vec![conn(at, ConnKind::RouterToCtrl, id, "ctrl1", false)]);
    }
    until("the eu router's change", || get(&hooks[0].stats.delivered) == 1).await;
    assert_eq!(get(&hooks[0].stats.queued), 0, "the us router's did not match");
    let b = receiver.bodies.lock().unwrap()[0].clone();
    assert_eq!(b["change"]["conn"]["key"]["src"], "Kx7pWq2mRa", "the change keeps the id");
    assert_eq!(b["label"]["subject"], "edge-eu-1 → ctrl1", "the label reads the name: {b}");
}

/// A replica's hooks fire only while it leads: a follower applies the
/// same changes, and calling the hooks too would call them once a replica.
#[tokio::test]
async fn a_hook_held_by_its_flag_fires_only_while_it_is_set() {
    let receiver = Receiver::default();
    let url = serve(receiver.clone()).await;
    let hub = Arc::new(Hub::new(16, 16));
    let registry = Registry::new();
    let leading = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let names = hub.clone();
    let hook = hooks::start(
        HookSpec { url: Some(url), ..spec("router-down", routers_down()) },
        &hub.changes,
        &hub.run_id,
        &registry,
        Arc::new(move |c| names.label(c)),
        Some(leading.clone()),
    );
    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "edge-1", "ctrl1", true)]);
    hub.publish(vec![conn(2, ConnKind::RouterToCtrl, "edge-1", "ctrl1", false)]);
    leading.store(true, Ordering::SeqCst);
    hub.publish(vec![conn(3, ConnKind::RouterToCtrl, "edge-2", "ctrl1", true)]);
    hub.publish(vec![conn(4, ConnKind::RouterToCtrl, "edge-2", "ctrl1", false)]);
    let stats: &HookStats = &hook.stats;
    until("delivery", || get(&stats.delivered) == 1).await;
    let bodies = receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "only the change made while leading: {bodies:?}");
    assert_eq!(bodies[0]["change"]["conn"]["key"]["src"], "edge-2", "the first offered is the one made while leading");
}
