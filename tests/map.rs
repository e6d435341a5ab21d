//! Browser tests of the map: a click lands on the node the core's layout
//! put under the pointer and the drawer shows that node's story; a click
//! on a badge opens its identities in a virtualised list; the keyboard
//! moves between nodes and Enter opens one; the drawer flags a link's
//! latency reading that is too old.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use zitiscope::map::{badge_offset, NodeDrawer, TopologyMap};
use zitiscope::shown::Shown;
use zitiscope_core::event::{Body, LatencyOf, LatencySample, LinkChange, LinkEventType};
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{group_of, Layout, LayoutConfig, NodeId, Point};
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

wasm_bindgen_test_configure!(run_in_browser);

const S: i64 = 1_000_000_000;
const NOW: Timestamp = Timestamp(1_000 * S);
const IDENTITIES: usize = 300;

/// Three routers on ctrl1; edge-us-1 went down; edge-eu-1 has 300
/// identities, of which the first 10 dropped a minute ago. Two links from
/// edge-eu-2 to edge-eu-1: one measured 10 s ago, one 900 s ago.
fn store() -> Store {
    let mut s = Store::new();
    for (link, measured, ms) in [("fresh", 990, 12), ("old", 100, 34)] {
        let body = Body::Link(LinkChange {
            link: link.into(),
            event: LinkEventType::Connected,
            src: Some("edge-eu-2".into()),
            dst: Some("edge-eu-1".into()),
            protocol: None,
            cost: None,
            connections: None,
        });
        s.apply(&Event { at: Timestamp(S), via: None, body });
        let ns = ms * 1_000_000;
        let sample = LatencySample {
            of: LatencyOf::Link,
            target: link.into(),
            source: "edge-eu-2".into(),
            mean_ns: ns,
            p50_ns: Some(ns),
            p99_ns: Some(ns),
            std_dev_ns: Some(0),
            unresponsive: false,
        };
        s.apply(&Event { at: Timestamp(measured * S), via: Some("ctrl1".into()), body: Body::Latency(sample) });
    }
    for r in ["edge-eu-1", "edge-eu-2", "edge-us-1"] {
        s.apply(&Event::conn(Timestamp(S), ConnKind::RouterToCtrl, r, "ctrl1", true));
    }
    s.apply(&Event::conn(Timestamp(2 * S), ConnKind::RouterToCtrl, "edge-us-1", "ctrl1", false));
    for i in 0..IDENTITIES {
        let id = format!("laptop-{i:04}");
        s.apply(&Event::conn(Timestamp(3 * S), ConnKind::EdgeToRouter, &id, "edge-eu-1", true));
        if i < 10 {
            s.apply(&Event::conn(Timestamp(940 * S), ConnKind::EdgeToRouter, &id, "edge-eu-1", false));
        }
    }
    s
}

struct Mounted {
    host: web_sys::HtmlElement,
    canvas: web_sys::HtmlElement,
    selected: RwSignal<Option<NodeId>>,
    open: RwSignal<bool>,
    view: Viewport,
    layout: Layout,
    _handle: Box<dyn std::any::Any>,
}

async fn mount() -> Mounted {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    host.set_attribute("style", "width: 800px").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    // The app's own stylesheet: the canvas's size, and the identity list's
    // scroll box, are the real ones.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style/main.css")));
    host.append_child(&style).unwrap();
    let s = Arc::new(store());
    let t = RwSignal::new(s.topology(NOW));
    let selected = RwSignal::new(None::<NodeId>);
    let open = RwSignal::new(false);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let (a, b) = (s.clone(), s.clone());
        let details = Signal::derive(move || selected.get().and_then(|n| a.node_details(&n, NOW)));
        let identities = Signal::derive(move || match (open.get(), selected.get()) {
            (true, Some(n)) => b.identities_at(&n, NOW),
            _ => Vec::new(),
        });
        let now = Signal::derive(|| NOW);
        provide_context(Shown { selected, identities_open: open, details, identities, now, ..Shown::of(t.into()) });
        view! {
            <TopologyMap />
            <NodeDrawer />
        }
    });
    leptos::task::tick().await;
    next_frame().await;
    next_frame().await;
    // Where the core puts the nodes on this canvas, after the first fit.
    let canvas: web_sys::HtmlElement = host.query_selector("canvas").unwrap().unwrap().unchecked_into();
    let rect = canvas.get_bounding_client_rect();
    let mut layout = Layout::new(LayoutConfig::default());
    layout.sync(["ctrl1"], ["edge-eu-1", "edge-eu-2", "edge-us-1"].map(|r| (r, group_of(r))));
    let view = Viewport::fit(layout.bounds().unwrap(), rect.width(), rect.height(), 40.0);
    Mounted { host, canvas, selected, open, view, layout, _handle: Box::new(handle) }
}

impl Mounted {
    /// The page point of a node, moved by (dx, dy) screen pixels.
    fn at(&self, node: &NodeId, dx: f64, dy: f64) -> (f64, f64) {
        let rect = self.canvas.get_bounding_client_rect();
        let p: Point = self.view.to_screen(self.layout.position(node).unwrap());
        (rect.left() + p.x + dx, rect.top() + p.y + dy)
    }

    async fn click(&self, (x, y): (f64, f64)) {
        self.canvas.dispatch_event(&pointer("pointerdown", x, y)).unwrap();
        self.canvas.dispatch_event(&pointer("pointerup", x, y)).unwrap();
        leptos::task::tick().await;
    }

    /// Presses a key on the canvas; whether the map took it (prevented
    /// the browser's default, e.g. Tab moving on past the map).
    async fn key(&self, key: &str, shift: bool) -> bool {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        self.canvas.dispatch_event(&ev).unwrap();
        leptos::task::tick().await;
        ev.default_prevented()
    }

    fn text(&self, selector: &str) -> String {
        self.host.query_selector(selector).unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
    }
}

async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn pointer(kind: &str, x: f64, y: f64) -> web_sys::PointerEvent {
    let init = web_sys::PointerEventInit::new();
    init.set_client_x(x as i32);
    init.set_client_y(y as i32);
    init.set_pointer_id(1);
    init.set_bubbles(true);
    web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap()
}

#[wasm_bindgen_test]
async fn a_click_selects_the_node_under_it_and_the_drawer_tells_its_story() {
    let m = mount().await;
    let target = NodeId::Router("edge-us-1".into());
    m.click(m.at(&target, 3.0, -2.0)).await;
    assert_eq!(m.selected.get_untracked(), Some(target));
    let text = m.text("[data-testid=drawer]");
    assert!(text.contains("edge-us-1"), "{text}");
    assert!(text.contains("▼ down"), "status as icon and word: {text}");
    assert!(text.contains("control ctrl1 down"), "its connections: {text}");
    let uptime = m.text("[data-testid=drawer-uptime]");
    assert!(uptime.starts_with("down for 16m 38s"), "down since 2 s, now is 1,000 s: {uptime}");
    assert_eq!(m.text("[data-testid=drawer-transitions]"), "1");
    let history = m.text("[data-testid=drawer-history]");
    assert!(history.contains("00:00:02 ▼ control ctrl1 down"), "newest first: {history}");
    assert!(history.contains("00:00:01 ▲ control ctrl1 up"), "{history}");

    // A click on empty canvas clears the selection.
    let rect = m.canvas.get_bounding_client_rect();
    m.click((rect.left() + 2.0, rect.top() + 2.0)).await;
    assert_eq!(m.selected.get_untracked(), None);
    assert!(m.host.query_selector("[data-testid=drawer]").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_badge_click_opens_a_virtualised_identity_list() {
    let m = mount().await;
    let router = NodeId::Router("edge-eu-1".into());
    assert!(!m.open.get_untracked());
    // Zoomed out, a badge shows for the node in focus: hover it, move down
    // onto its badge (it stays hovered), click.
    let (x, y) = m.at(&router, 0.0, 0.0);
    m.canvas.dispatch_event(&pointer("pointermove", x, y)).unwrap();
    let badge = m.at(&router, 0.0, badge_offset(m.view.scale));
    m.canvas.dispatch_event(&pointer("pointermove", badge.0, badge.1)).unwrap();
    m.click(badge).await;
    assert_eq!(m.selected.get_untracked(), Some(router), "the badge belongs to its router");
    assert!(m.open.get_untracked(), "and opens its identities");
    let counts = m.text("[data-testid=drawer-identities]");
    assert_eq!(counts, "identities: 290 online, 10 offline, 10 recently dropped");

    let list = m.host.query_selector("[data-testid=identity-list]").unwrap().expect("the list is open");
    let items = list.query_selector_all("li").unwrap();
    assert!(items.length() > 0 && items.length() < 40, "only the rows in view are in the DOM: {}", items.length());
    let first: web_sys::Element = items.item(0).unwrap().unchecked_into();
    assert_eq!(first.get_attribute("aria-setsize").as_deref(), Some("300"));
    assert!(first.text_content().unwrap().contains("offline"), "the drops come first");
    assert!(first.text_content().unwrap().contains("for 1m 00s"));

    // Scrolled to the end, the last identity is there.
    let scroller: web_sys::Element = list.query_selector(".identity-scroll").unwrap().unwrap();
    scroller.set_scroll_top(IDENTITIES as i32 * 24);
    scroller.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    leptos::task::tick().await;
    let last = list.query_selector("li[aria-posinset='300']").unwrap();
    assert!(last.is_some(), "the last row is rendered once scrolled to");
    assert!(list.query_selector("li[aria-posinset='1']").unwrap().is_none(), "and the first is gone");

    // The filter narrows the list.
    let input: web_sys::HtmlInputElement = list.query_selector("input").unwrap().unwrap().unchecked_into();
    input.set_value("laptop-0299");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(m.text(".identity-count"), "1 of 300");
    let only = list.query_selector_all("li").unwrap();
    assert_eq!(only.length(), 1, "the match is drawn, though the list was scrolled far down");
    assert!(only.item(0).unwrap().text_content().unwrap().contains("laptop-0299"));
    assert_eq!(scroller.scroll_top(), 0, "a new filter starts at the top");
}

#[wasm_bindgen_test]
async fn arrows_and_tab_move_between_nodes_and_enter_opens_one() {
    let m = mount().await;
    assert!(!m.key("Tab", false).await, "before any arrow, Tab moves on past the map");
    assert!(m.key("ArrowRight", false).await);
    assert_eq!(m.selected.get_untracked(), None, "moving is not opening");
    assert!(m.text("[data-testid=map-announce]").starts_with("controller ctrl1"), "the first node, announced");
    assert!(m.key("Tab", false).await, "now Tab moves between nodes");
    assert!(m.text("[data-testid=map-announce]").starts_with("router edge-eu-1"));
    m.key("Enter", false).await;
    assert_eq!(m.selected.get_untracked(), Some(NodeId::Router("edge-eu-1".into())));
    m.key("Tab", true).await;
    m.key("Enter", false).await;
    assert_eq!(m.selected.get_untracked(), Some(NodeId::Controller("ctrl1".into())), "Shift+Tab goes back");
    assert!(!m.key("Tab", true).await, "Shift+Tab before the first node leaves the map");
    m.key("ArrowLeft", false).await;
    assert!(m.text("[data-testid=map-announce]").starts_with("router edge-us-1"), "an arrow wraps to the last");
    assert!(!m.key("Tab", false).await, "Tab after the last node leaves the map");
    m.key("ArrowRight", false).await;
    m.key("Escape", false).await;
    assert_eq!(m.selected.get_untracked(), None);
    assert!(!m.key("Tab", false).await, "after Escape, Tab leaves at once");
}

#[wasm_bindgen_test]
async fn the_drawer_flags_an_old_latency_reading_and_keeps_the_link_up() {
    let m = mount().await;
    m.selected.set(Some(NodeId::Router("edge-eu-2".into())));
    leptos::task::tick().await;
    let text = m.text("[data-testid=drawer]");
    assert!(text.contains("link edge-eu-1 (fresh) up · 12.0 ms"), "{text}");
    // 900 s without a sample, past 2 × 60 s × 1 controller: the reading is
    // stale, the link (up by its events) is not.
    assert!(text.contains("link edge-eu-1 (old) up · 34.0 ms (stale)"), "{text}");
    assert!(!text.contains("(fresh) up · 12.0 ms (stale)"), "{text}");
}
