//! Browser tests of the map: a click lands on the node the core's layout
//! put under the pointer, the drawer shows that node, and keyboard
//! navigation moves the selection.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use zitiscope::map::{NodeDrawer, TopologyMap};
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{Layout, LayoutConfig, NodeId};
use zitiscope_core::store::Topology;
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

wasm_bindgen_test_configure!(run_in_browser);

fn topology() -> Topology {
    let mut s = Store::new();
    for r in ["edge-eu-1", "edge-eu-2", "edge-us-1"] {
        s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, r, "ctrl1", true));
    }
    s.apply(&Event::conn(Timestamp(2), ConnKind::RouterToCtrl, "edge-us-1", "ctrl1", false));
    s.topology()
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
    init.set_bubbles(true);
    web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap()
}

#[wasm_bindgen_test]
async fn a_click_selects_the_node_under_it_and_the_drawer_shows_it() {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    host.set_attribute("style", "width: 800px").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let t = RwSignal::new(topology());
    let selected = RwSignal::new(None::<NodeId>);
    let _h = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <TopologyMap topology=t selected=selected />
            <NodeDrawer topology=t selected=selected />
        }
    });
    leptos::task::tick().await;
    next_frame().await;
    next_frame().await;

    // Where the core puts edge-us-1 on this canvas, after the first fit.
    let canvas: web_sys::HtmlElement = host.query_selector("canvas").unwrap().unwrap().unchecked_into();
    let rect = canvas.get_bounding_client_rect();
    let mut layout = Layout::new(LayoutConfig::default());
    layout.sync(["ctrl1"], ["edge-eu-1", "edge-eu-2", "edge-us-1"]);
    let view = Viewport::fit(layout.bounds().unwrap(), rect.width(), rect.height(), 40.0);
    let target = NodeId::Router("edge-us-1".into());
    let at = view.to_screen(layout.position(&target).unwrap());
    let (x, y) = (rect.left() + at.x + 3.0, rect.top() + at.y - 2.0);

    canvas.dispatch_event(&pointer("pointerdown", x, y)).unwrap();
    canvas.dispatch_event(&pointer("pointerup", x, y)).unwrap();
    leptos::task::tick().await;
    assert_eq!(selected.get_untracked(), Some(target));
    let drawer = host.query_selector("[data-testid=drawer]").unwrap().expect("the drawer opens");
    let text = drawer.text_content().unwrap();
    assert!(text.contains("edge-us-1"), "{text}");
    assert!(text.contains("▼ down"), "status as icon and word: {text}");
    assert!(text.contains("control ctrl1 down"), "its connections: {text}");

    // A click on empty canvas clears the selection; arrows move it.
    canvas.dispatch_event(&pointer("pointerdown", rect.left() + 2.0, rect.top() + 2.0)).unwrap();
    canvas.dispatch_event(&pointer("pointerup", rect.left() + 2.0, rect.top() + 2.0)).unwrap();
    leptos::task::tick().await;
    assert_eq!(selected.get_untracked(), None);
    assert!(host.query_selector("[data-testid=drawer]").unwrap().is_none());
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    canvas
        .dispatch_event(&web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(selected.get_untracked(), Some(NodeId::Controller("ctrl1".into())), "the first node in order");
}
