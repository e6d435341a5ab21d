//! Browser tests (wasm-bindgen-test in headless Chromium): components mount,
//! react to store changes, and never render untrusted text as HTML.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use zitiscope::alerts::use_alerts;
use zitiscope::dashboard::Dashboard;
use zitiscope::feed::FeedStatus;
use zitiscope::store::LiveStore;
use zitiscope_core::wire::Snapshot;
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

mod common;
use common::Worker;

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> web_sys::HtmlElement {
    let document = document();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    host
}

fn text_of(host: &web_sys::HtmlElement, testid: &str) -> String {
    host.query_selector(&format!("[data-testid='{testid}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no [data-testid={testid}]"))
        .text_content()
        .unwrap_or_default()
}

/// Shows one view of the stage (`map`, `list`, `changes`, …) by its tab.
async fn show(host: &web_sys::HtmlElement, view: &str) {
    let tab: web_sys::HtmlElement =
        host.query_selector(&format!("[data-testid='show-{view}']")).unwrap().expect("a tab").unchecked_into();
    tab.click();
    leptos::task::tick().await;
}

fn ev(src: &str, dst: &str, kind: ConnKind, up: bool) -> Event {
    Event::conn(Timestamp(1_749_718_864_000_000_000), kind, src, dst, up)
}

fn mount(store: LiveStore, status: RwSignal<FeedStatus>) -> (web_sys::HtmlElement, Box<dyn std::any::Any>) {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let alerts = use_alerts(store, Signal::stored("/events".to_string()));
        view! { <Dashboard store=store status=status feed_url="/events".to_string() alerts=alerts heartbeat_ms=5_000.0 /> }
    });
    (host, Box::new(handle))
}

/// Resolves on the next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn counters_follow_snapshot_and_batches() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    assert_eq!(text_of(&host, "router-online"), "0");

    let mut server = Store::new();
    for (src, dst, kind) in [
        ("edge-eu-1", "ctrl1", ConnKind::RouterToCtrl),
        ("edge-us-1", "ctrl1", ConnKind::RouterToCtrl),
        ("laptop-0001", "edge-eu-1", ConnKind::EdgeToRouter),
    ] {
        server.apply(&Event::conn(Timestamp(1), kind, src, dst, true));
    }
    let snap = Snapshot { run: "f1".into(), seq: 4, at: Timestamp(1), state: server.state() };
    w.message("snapshot", "4", &serde_json::to_string(&snap).unwrap());
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "router-online"), "2");
    assert_eq!(text_of(&host, "controller-online"), "1");
    assert_eq!(text_of(&host, "identity-online"), "1");

    let batch = vec![
        ev("edge-us-1", "ctrl1", ConnKind::RouterToCtrl, false),
        ev("laptop-0001", "edge-eu-1", ConnKind::EdgeToRouter, false),
    ];
    w.message("batch", "5", &serde_json::to_string(&batch).unwrap());
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "router-online"), "1");
    assert_eq!(text_of(&host, "router-offline"), "1");
    assert_eq!(text_of(&host, "identity-offline"), "1");
    show(&host, "changes").await;
    let changes = text_of(&host, "changes");
    assert!(changes.contains("laptop-0001 → edge-eu-1"), "{changes}");
    assert!(changes.contains("▼ disconnected"), "{changes}");
    assert_eq!(text_of(&host, "events-applied"), "2");
    assert_eq!(w.resume_point().as_deref(), Some("f1:5"), "a reconnect continues after batch 5");
}

#[wasm_bindgen_test]
async fn messages_between_two_frames_reach_the_page_as_one_update() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    for (i, name) in ["edge-a", "edge-b", "edge-c"].iter().enumerate() {
        let batch = vec![ev(name, "ctrl1", ConnKind::RouterToCtrl, true)];
        w.message("batch", &(i + 1).to_string(), &serde_json::to_string(&batch).unwrap());
    }
    assert_eq!(text_of(&host, "router-online"), "0", "nothing shows before the page takes an update");
    w.pump();
    leptos::task::tick().await;
    assert_eq!(store.applied(), 1, "one update for the three batches");
    assert_eq!(text_of(&host, "router-online"), "3");
}

#[wasm_bindgen_test]
async fn hostile_names_render_as_text() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    let evil = "<img src=x onerror=\"window.__pwned=1\">";
    let batch = vec![ev(evil, "edge-eu-1", ConnKind::EdgeToRouter, true)];
    w.message("batch", "1", &serde_json::to_string(&batch).unwrap());
    w.pump();
    leptos::task::tick().await;
    show(&host, "changes").await;
    assert!(text_of(&host, "changes").contains(evil), "shown literally");
    assert!(host.query_selector("img").unwrap().is_none(), "never parsed as HTML");
}

#[wasm_bindgen_test]
async fn a_new_change_adds_one_row_and_leaves_the_others_untouched() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    let apply = |seq: &str, who: &str| {
        let batch = vec![ev(who, "edge-eu-1", ConnKind::EdgeToRouter, true)];
        w.message("batch", seq, &serde_json::to_string(&batch).unwrap());
        w.pump();
    };
    apply("1", "laptop-0001");
    leptos::task::tick().await;
    show(&host, "changes").await;
    let list = host.query_selector("[data-testid='changes']").unwrap().unwrap();
    let first = list.first_element_child().expect("one row");
    let rewritten = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let seen = rewritten.clone();
    let on_mutations = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(move |ms: js_sys::Array| {
        seen.set(seen.get() + ms.length());
    });
    let observer = web_sys::MutationObserver::new(on_mutations.as_ref().unchecked_ref()).unwrap();
    let opts = web_sys::MutationObserverInit::new();
    opts.set_subtree(true);
    opts.set_character_data(true);
    opts.set_attributes(true);
    observer.observe_with_options(&first, &opts).unwrap();
    apply("2", "laptop-0002");
    leptos::task::tick().await;
    let rows = list.children();
    assert_eq!(rows.length(), 2);
    assert!(rows.item(0).unwrap().text_content().unwrap().contains("laptop-0002"), "the newest on top");
    assert!(rows.item(1).unwrap().is_same_node(Some(&first)), "the older row is the same element, moved down");
    observer.take_records();
    assert_eq!(rewritten.get(), 0, "and nothing in it was rewritten");
    observer.disconnect();
}

#[wasm_bindgen_test]
async fn rejected_input_is_counted_and_explained() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    w.message(
        "message",
        "",
        "{\"EventType\":\"edge-to-moon\",\"Identity\":\"a\",\"Timestamp\":1,\"IsConnected\":true}",
    );
    w.message("batch", "1", "not json");
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "rejected"), "2 rejected");
    let rejected = host.query_selector("[data-testid='rejected']").unwrap().unwrap();
    assert!(rejected.get_attribute("title").unwrap().contains("invalid batch"));
    assert!(text_of(&host, "last-error").contains("invalid batch"));
}

fn attr_of(host: &web_sys::HtmlElement, testid: &str, name: &str) -> Option<String> {
    host.query_selector(&format!("[data-testid='{testid}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no [data-testid={testid}]"))
        .get_attribute(name)
}

#[wasm_bindgen_test]
async fn events_applied_follows_every_batch_and_names_the_last_seq() {
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    assert_eq!(attr_of(&host, "events-applied", "data-seq"), None, "nothing applied yet");
    let snap = Snapshot { run: "f1".into(), seq: 4, at: Timestamp(1), state: Store::new().state() };
    w.message("snapshot", "f1:4", &serde_json::to_string(&snap).unwrap());
    w.pump();
    leptos::task::tick().await;
    assert_eq!(attr_of(&host, "events-applied", "data-seq").as_deref(), Some("4"));

    let batch = serde_json::to_string(&vec![ev("edge-a", "ctrl1", ConnKind::RouterToCtrl, true)]).unwrap();
    w.message("batch", "f1:5", &batch);
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "events-applied"), "1");
    // An HA controller's copy changes no state, but it was applied.
    w.message("batch", "f1:6", &batch);
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "events-applied"), "2");
    assert_eq!(attr_of(&host, "events-applied", "data-seq").as_deref(), Some("6"));
    assert_eq!(text_of(&host, "router-online"), "1");
}

#[wasm_bindgen_test]
async fn the_feed_s_rejects_show_with_their_reason_as_text_only() {
    use zitiscope_core::client::FEED_REASON_CAP;
    use zitiscope_core::wire::{Heartbeat, SourceCounters};
    let store = LiveStore::new();
    let w = Worker::new(store);
    let (host, _handle) = mount(store, RwSignal::new(FeedStatus::Live));
    w.message("heartbeat", "", r#"{"now":1,"seq":0}"#);
    w.pump();
    leptos::task::tick().await;
    assert!(host.query_selector("[data-testid='feed-rejected']").unwrap().is_none(), "an older feed says nothing");

    let evil = format!("line 7: <img src=x onerror=\"window.__pwned=1\">{}", "x".repeat(5_000));
    let stdin = SourceCounters { lines: 10, events: 7, rejected: 3, last_error: Some(evil), ..Default::default() };
    let beat = Heartbeat { now: Timestamp(2), seq: 0, sources: [("stdin".to_string(), stdin)].into() };
    w.message("heartbeat", "", &serde_json::to_string(&beat).unwrap());
    w.pump();
    leptos::task::tick().await;
    assert_eq!(text_of(&host, "feed-rejected"), "3 lines rejected by the feed");
    let title = attr_of(&host, "feed-rejected", "title").expect("the reason on hover");
    assert!(title.starts_with("line 7: <img src=x onerror=\"window.__pwned=1\">"), "{title}");
    assert_eq!(title.chars().count(), FEED_REASON_CAP, "capped");
    assert!(host.query_selector("img").unwrap().is_none(), "never parsed as HTML");
    assert_eq!(text_of(&host, "rejected"), "0 rejected", "the app's own count is apart");
}

#[wasm_bindgen_test]
async fn status_badge_counts_down() {
    let store = LiveStore::new();
    let status = RwSignal::new(FeedStatus::Connecting);
    let (host, _handle) = mount(store, status);
    assert!(text_of(&host, "feed-status").contains("connecting"));
    status.set(FeedStatus::Reconnecting { at_ms: zitiscope::web::epoch_ms() + 3_000.0, attempt: 2 });
    leptos::task::tick().await;
    assert!(text_of(&host, "feed-status").contains("reconnecting in 3 s"), "{}", text_of(&host, "feed-status"));
    status.set(FeedStatus::Live);
    leptos::task::tick().await;
    assert!(text_of(&host, "feed-status").contains("live"));
}

#[wasm_bindgen_test]
async fn a_feed_without_heartbeats_is_live_never_stale_and_the_footer_says_why() {
    use zitiscope_core::alerts::{AlertState, Rule};
    use zitiscope_core::client::Beats;
    use zitiscope_core::sync::FeedStatus as Status;
    let store = LiveStore::new();
    let w = Worker::new(store);
    let host = host();
    let _handle = leptos::mount::mount_to(host.clone(), move || {
        let alerts = use_alerts(store, Signal::stored("/events".to_string()));
        view! { <Dashboard store=store status=store.status feed_url="/events".to_string() alerts=alerts heartbeat_ms=5_000.0 beats=store.beats /> }
    });
    // A minute without a word, 12 heartbeat periods of ours; the last
    // heartbeat a minute old too (an earlier feed of this page sent it).
    let ago = zitiscope::web::epoch_ms() - 60_000.0;
    let old = Timestamp::from_millis(ago);
    let batch = serde_json::to_string(&vec![ev("edge-a", "ctrl1", ConnKind::RouterToCtrl, true)]).unwrap();
    w.message_at("batch", "f1:1", &batch, ago);
    w.message_at("heartbeat", "", &format!(r#"{{"now":{},"seq":1}}"#, old.0), ago);
    w.status(Status::Live, Beats::Absent);
    w.tick();
    w.pump();
    leptos::task::tick().await;
    let stale_alert =
        move || store.board.with(|b| b.iter().any(|a| a.key.rule == Rule::FeedStale && a.state == AlertState::Firing));
    assert!(!stale_alert(), "no feed-stale alert for a feed that sends no heartbeat");
    let banner = || host.query_selector("[data-testid='feed-banner']").unwrap();
    assert!(banner().is_none(), "no heartbeat to miss: never stale");
    assert_eq!(text_of(&host, "feed-status"), "●live");
    assert_eq!(text_of(&host, "no-heartbeat"), "this feed sends no heartbeat, so staleness cannot be judged");
    assert_eq!(attr_of(&host, "feed-status", "title").as_deref(), Some(text_of(&host, "no-heartbeat").as_str()));

    // The same silence from a feed that beats is stale, and the note goes.
    w.status(Status::Live, Beats::Sent);
    w.tick();
    w.pump();
    leptos::task::tick().await;
    let text = banner().expect("a stale banner").text_content().unwrap_or_default();
    assert!(text.contains("Feed stale for 60 s"), "{text}");
    assert!(host.query_selector("[data-testid='no-heartbeat']").unwrap().is_none());
    assert_eq!(attr_of(&host, "feed-status", "title"), None);
    assert!(stale_alert(), "and its stale alert fires");
}

#[wasm_bindgen_test]
async fn the_topology_follows_at_most_every_100_ms_and_never_misses_the_last_change() {
    use zitiscope_core::sync::TOPOLOGY_EVERY_MS;
    let store = LiveStore::new();
    let w = Worker::new(store);
    let routers = move || store.topology.with_untracked(|t| t.routers.len());
    let batch = |name: &str| serde_json::to_string(&vec![ev(name, "ctrl1", ConnKind::RouterToCtrl, true)]).unwrap();
    let t0 = zitiscope::web::epoch_ms();
    w.message("batch", "1", &batch("edge-a"));
    w.pump();
    assert_eq!(routers(), 1, "the first change after a quiet spell shows at once");
    w.message("batch", "2", &batch("edge-b"));
    w.pump();
    assert_eq!(routers_online(&store), 2, "the counters follow every update");
    // The topology follows only once the interval is over: at once if this
    // machine was slow enough for it to pass already, else when the worker
    // comes back for it, with no further message.
    let pumped = zitiscope::web::epoch_ms();
    if routers() == 2 {
        assert!(pumped - t0 >= TOPOLOGY_EVERY_MS, "rebuilt early, {} ms after the last", pumped - t0);
    }
    while routers() != 2 {
        assert!(zitiscope::web::epoch_ms() - t0 < 2_000.0, "the owed rebuild never came");
        assert!(w.held_until().is_some(), "the worker knows it owes a rebuild");
        next_frame().await;
        w.pump();
    }
    assert!(zitiscope::web::epoch_ms() - t0 >= TOPOLOGY_EVERY_MS - 1.0, "not before its time");
}

#[wasm_bindgen_test]
async fn recent_drops_are_judged_on_the_feed_s_clock() {
    // A network from 2001: the browser's clock (years later) would call no
    // drop recent; the feed's clock, from the snapshot, says one minute ago.
    const T: i64 = 1_000_000_000 * 1_000_000_000;
    let mut server = Store::new();
    server.apply(&Event::conn(Timestamp(T - 600_000_000_000), ConnKind::RouterToCtrl, "edge-a", "ctrl1", true));
    server.apply(&Event::conn(Timestamp(T - 300_000_000_000), ConnKind::EdgeToRouter, "laptop", "edge-a", true));
    server.apply(&Event::conn(Timestamp(T - 60_000_000_000), ConnKind::EdgeToRouter, "laptop", "edge-a", false));
    let snap = Snapshot { run: "f1".into(), seq: 1, at: Timestamp(T), state: server.state() };
    let store = LiveStore::new();
    let w = Worker::new(store);
    w.message("snapshot", "1", &serde_json::to_string(&snap).unwrap());
    w.pump();
    let recent = store.topology.with_untracked(|t| t.routers[0].identities.recent);
    assert_eq!(recent, 1, "dropped a minute before the feed's now");
    let now = store.now().0;
    assert!((T..T + 60_000_000_000).contains(&now), "now is the feed's time, moved on by local time: {now}");
}

fn routers_online(store: &LiveStore) -> usize {
    store.summary.with_untracked(|s| s.routers.online)
}

#[wasm_bindgen_test]
fn the_settings_come_from_the_feed_s_side() {
    use zitiscope::app::config_url;
    assert_eq!(config_url(None), "config.json", "beside the page");
    assert_eq!(config_url(Some("https://feed.example.net")), "https://feed.example.net/config.json");
    assert_eq!(config_url(Some("https://feed.example.net/events")), "https://feed.example.net/config.json");
    assert_eq!(config_url(Some("https://f.example/zs/")), "https://f.example/zs/config.json");
}

#[wasm_bindgen_test]
fn export_links_go_to_the_same_feed_and_keep_the_token() {
    use zitiscope::export::feed_api_url;
    assert_eq!(feed_api_url("/events", "/history?format=csv"), "/history?format=csv");
    assert_eq!(feed_api_url("https://f.example/zs/events", "/snapshot"), "https://f.example/zs/snapshot");
    assert_eq!(
        feed_api_url("https://f.example/events?token=abc&since=x", "/history?format=csv"),
        "https://f.example/history?format=csv&token=abc",
        "the token goes along; the resume point does not"
    );
    assert_eq!(feed_api_url("/events?token=t", "/snapshot"), "/snapshot?token=t");
}

#[wasm_bindgen_test]
fn sparklines_scale_to_their_box() {
    use zitiscope::analysis::polyline;
    assert_eq!(polyline(&[0.0, 5.0, 10.0], 100.0, 20.0), "0.0,20.0 50.0,10.0 100.0,0.0");
    assert_eq!(polyline(&[0.0, 0.0], 10.0, 4.0), "0.0,4.0 10.0,4.0", "all zero: flat along the bottom");
    assert_eq!(polyline(&[3.0], 10.0, 4.0), "0.0,0.0");
    assert_eq!(polyline(&[], 10.0, 4.0), "");
    use zitiscope::analysis::polyline_on;
    assert_eq!(
        polyline_on(&[0.0, 5.0], 10.0, 10.0, 20.0),
        "0.0,20.0 10.0,10.0",
        "on a shared scale, 5 of 10 is half way"
    );
}
