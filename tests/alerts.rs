//! Browser tests of the alert board: a router outage in the store becomes
//! one firing alert on the board, in a toast, in the title and the favicon;
//! a click selects its router; the feed's shared acks, silences and
//! maintenance are shown; hostile names and comments stay text.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use zitiscope::alerts::{use_alerts, AlertPanel, Toasts, UseAlertsReturn};
use zitiscope::shown::Shown;
use zitiscope::store::LiveStore;
use zitiscope_core::layout::NodeId;
use zitiscope_core::wire::Snapshot;
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

mod common;
use common::Worker;

wasm_bindgen_test_configure!(run_in_browser);

/// A snapshot, taken now, of a network where `router` lost its controller
/// a minute ago and its 30 identities with it.
fn outage(router: &str) -> String {
    let now = Timestamp::from_millis(js_sys::Date::now());
    let ago = |s: i64| Timestamp(now.0 - s * 1_000_000_000);
    let mut s = Store::new();
    s.apply(&Event::conn(ago(600), ConnKind::RouterToCtrl, router, "ctrl1", true));
    s.apply(&Event::conn(ago(600), ConnKind::RouterToCtrl, "edge-ok", "ctrl1", true));
    for i in 0..30 {
        s.apply(&Event::conn(ago(500), ConnKind::EdgeToRouter, format!("laptop-{i}"), router, true));
        s.apply(&Event::conn(ago(59), ConnKind::EdgeToRouter, format!("laptop-{i}"), router, false));
    }
    s.apply(&Event::conn(ago(60), ConnKind::RouterToCtrl, router, "ctrl1", false));
    let snap = Snapshot { run: "f1".into(), seq: 1, at: now, state: s.state() };
    serde_json::to_string(&snap).unwrap()
}

struct Mounted {
    host: web_sys::HtmlElement,
    worker: Worker,
    alerts: UseAlertsReturn,
    selected: RwSignal<Option<NodeId>>,
    _handle: Box<dyn std::any::Any>,
}

async fn mount(router: &str) -> Mounted {
    // A fresh browser: no remembered silences or acks from another test.
    window().local_storage().unwrap().unwrap().clear().unwrap();
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let store = LiveStore::new();
    let shown = Shown::of(Signal::stored(Default::default()));
    let selected = shown.selected;
    let slot = StoredValue::new_local(None::<UseAlertsReturn>);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let alerts = use_alerts(store, Signal::stored("/events".to_string()));
        slot.set_value(Some(alerts));
        provide_context(shown);
        view! {
            <AlertPanel alerts=alerts />
            <Toasts toasts=alerts.toasts />
        }
    });
    let worker = Worker::new(store);
    worker.message("snapshot", "f1:1", &outage(router));
    worker.pump();
    leptos::task::tick().await;
    let alerts = slot.get_value().expect("mounted");
    Mounted { host, worker, alerts, selected, _handle: Box::new(handle) }
}

fn text(host: &web_sys::HtmlElement, selector: &str) -> String {
    host.query_selector(selector).unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
}

fn click(host: &web_sys::HtmlElement, selector: &str) {
    let el: web_sys::HtmlElement = host.query_selector(selector).unwrap().expect(selector).unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
async fn an_outage_is_one_alert_on_the_board_in_a_toast_the_title_and_the_favicon() {
    let m = mount("edge-eu-3").await;
    let rows = m.host.query_selector_all("[data-testid=alert-list] li").unwrap();
    assert_eq!(rows.length(), 1, "one alert, its identities folded in");
    let row = text(&m.host, "[data-testid=alert-list] li");
    assert!(row.contains("edge-eu-3 lost its controllers; 30 identities dropped"), "{row}");
    assert!(row.contains("✖ critical"), "severity as icon and word: {row}");
    assert_eq!(text(&m.host, "[data-testid=alert-counts]"), "1 firing · 0 pending · 0 silenced");
    assert!(text(&m.host, "[data-testid=toasts]").contains("edge-eu-3 lost its controllers"), "a toast");
    assert_eq!(document().title(), "(1) zitiscope");
    let icon = document().query_selector("link[rel=icon]").unwrap().expect("a favicon").get_attribute("href").unwrap();
    assert!(icon.starts_with("data:image/svg+xml,"), "{icon}");
    assert!(icon.contains("%23f85149") && icon.contains("%3E1%3C%2Ftext"), "red, with the count: {icon}");

    // A click on the alert selects its router on the map.
    click(&m.host, "[data-testid=alert-list] li .alert-main");
    assert_eq!(m.selected.get_untracked(), Some(NodeId::Router("edge-eu-3".into())));

    // Ack opens a line for a comment (the ack itself goes to the feed).
    click(&m.host, "[data-testid=alert-list] li [data-testid=ack]");
    leptos::task::tick().await;
    assert!(m.host.query_selector("[data-testid=ack-comment]").unwrap().is_some(), "a comment line");

    // The feed's shared state: an ack with a (hostile) comment, shown as
    // text on the alert, with no Ack button any more.
    let key = r#"{"rule":"router-down","subject":"edge-eu-3"}"#;
    let now = Timestamp::from_millis(js_sys::Date::now()).0;
    let comment = "<b>swapping</b> the PSU";
    let ack = format!(r#"{{"id":1,"key":{key},"by":"noc-desk-2","comment":"{comment}","at":{now}}}"#);
    let ops =
        |silences: &str, windows: &str| format!(r#"{{"acks":[{ack}],"silences":[{silences}],"windows":[{windows}]}}"#);
    m.worker.message("ops", "", &ops("", ""));
    m.worker.pump();
    leptos::task::tick().await;
    let row = text(&m.host, "[data-testid=alert-list] li");
    assert!(row.contains("acked by noc-desk-2") && row.contains(comment), "{row}");
    assert!(m.host.query_selector("[data-testid=alert-list] li b").unwrap().is_none(), "the comment is text");
    assert!(m.host.query_selector("[data-testid=alert-list] li [data-testid=ack]").unwrap().is_none(), "{row}");

    // A silence: counted apart, still listed, with who made it.
    let until = now + 3_600_000_000_000;
    let silence = format!(r#"{{"id":2,"rule":null,"subject":"edge-eu-3","until":{until},"by":"ana","at":{now}}}"#);
    m.worker.message("ops", "", &ops(&silence, ""));
    m.worker.pump();
    leptos::task::tick().await;
    assert_eq!(text(&m.host, "[data-testid=alert-counts]"), "0 firing · 0 pending · 1 silenced");
    assert!(text(&m.host, "[data-testid=alert-list] li").contains("silenced by ana"));
    assert_eq!(document().title(), "zitiscope", "nothing unsilenced is firing");
    assert_eq!(
        window().local_storage().unwrap().unwrap().get_item("zitiscope.prefs").unwrap(),
        None,
        "nothing shared kept here"
    );

    // A maintenance window over the router: "in maintenance", counted apart.
    let window = format!(
        r#"{{"id":3,"name":"PSU swap","scope":{{"nodes":["edge-eu-3"]}},"spans":[{{"from":{},"to":{until}}}]}}"#,
        now - 600_000_000_000
    );
    m.worker.message("ops", "", &ops("", &window));
    m.worker.pump();
    leptos::task::tick().await;
    assert_eq!(text(&m.host, "[data-testid=alert-counts]"), "0 firing · 0 pending · 0 silenced · 1 in maintenance");
    assert!(text(&m.host, "[data-testid=alert-maintenance]").contains("PSU swap"));
    m.worker.message("ops", "", &ops("", ""));
    m.worker.pump();
    leptos::task::tick().await;
    assert_eq!(text(&m.host, "[data-testid=alert-counts]"), "1 firing · 0 pending · 0 silenced", "the window went");
}

#[wasm_bindgen_test]
async fn hostile_names_in_alerts_are_text() {
    let evil = "<img src=x onerror=\"window.__pwned=1\">";
    let m = mount(evil).await;
    assert!(text(&m.host, "[data-testid=alert-list]").contains(evil), "shown literally");
    assert!(text(&m.host, "[data-testid=toasts]").contains(evil));
    assert!(m.host.query_selector("img").unwrap().is_none(), "never parsed as HTML");
}

#[wasm_bindgen_test]
async fn the_favicon_is_redrawn_only_when_the_firing_count_moves() {
    let m = mount("edge-eu-4").await;
    let icon = || document().query_selector("link[rel=icon]").unwrap().expect("a favicon");
    // A mark the app's own favicon never is: any redraw replaces it.
    icon().set_attribute("href", "data:,mark").unwrap();
    m.alerts.counts.update(|c| {
        c.pending += 3;
        c.resolved += 1;
    });
    leptos::task::tick().await;
    assert_eq!(icon().get_attribute("href").as_deref(), Some("data:,mark"), "other counts leave it be");
    m.alerts.counts.update(|c| c.firing += 1);
    leptos::task::tick().await;
    let href = icon().get_attribute("href").unwrap();
    assert!(href.contains("%3E2%3C%2Ftext"), "redrawn with the new count: {href}");
}
