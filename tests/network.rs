//! Browser tests of the network list: it lists every node from the store,
//! filters and sorts through the core, and renders ids as text.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use zitiscope::network::NetworkList;
use zitiscope::shown::Shown;
use zitiscope::web::{set_url_params, Param};
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::Topology;
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

wasm_bindgen_test_configure!(run_in_browser);

fn topology(routers: &[(&str, bool)]) -> Topology {
    let mut s = Store::new();
    for (i, (r, up)) in routers.iter().enumerate() {
        let at = Timestamp(1 + i as i64);
        s.apply(&Event::conn(at, ConnKind::RouterToCtrl, *r, "ctrl1", true));
        if !up {
            s.apply(&Event::conn(Timestamp(100 + i as i64), ConnKind::RouterToCtrl, *r, "ctrl1", false));
        }
    }
    s.topology(Timestamp(10))
}

fn mount(t: RwSignal<Topology>) -> (web_sys::HtmlElement, RwSignal<Option<NodeId>>, impl Drop) {
    // The list keeps its filter in the URL: start every test without one.
    set_url_params(&[(Param::Filter, None)]);
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let shown = Shown::of(t.into());
    let handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(shown);
        view! { <NetworkList /> }
    });
    let selected = shown.selected;
    (host, selected, handle)
}

fn row_ids(host: &web_sys::HtmlElement) -> Vec<String> {
    let rows = host.query_selector_all("tr.node-row").unwrap();
    (0..rows.length())
        .map(|i| rows.item(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-node").unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn lists_filters_and_sorts_every_node() {
    let t = RwSignal::new(topology(&[("edge-b", true), ("edge-a", false), ("core-1", true)]));
    let (host, selected, _h) = mount(t);
    leptos::task::tick().await;
    assert_eq!(row_ids(&host), ["controller:ctrl1", "router:core-1", "router:edge-a", "router:edge-b"]);

    // A row's name opens that node's details (the map's drawer), by keyboard too.
    let open: web_sys::HtmlElement =
        host.query_selector("tr[data-node='router:core-1'] .node-open").unwrap().unwrap().unchecked_into();
    open.click();
    leptos::task::tick().await;
    assert_eq!(selected.get_untracked(), Some(NodeId::Router("core-1".into())));
    assert_eq!(open.get_attribute("aria-pressed").as_deref(), Some("true"));

    // Sort by status: worst first; again: reversed. aria-sort follows.
    let status: web_sys::HtmlElement = host.query_selector("th:nth-child(2) button").unwrap().unwrap().unchecked_into();
    status.click();
    leptos::task::tick().await;
    assert_eq!(row_ids(&host)[0], "router:edge-a");
    let th = host.query_selector("th:nth-child(2)").unwrap().unwrap();
    assert_eq!(th.get_attribute("aria-sort").as_deref(), Some("ascending"));
    status.click();
    leptos::task::tick().await;
    assert_eq!(row_ids(&host).last().map(String::as_str), Some("router:edge-a"));
    assert_eq!(th.get_attribute("aria-sort").as_deref(), Some("descending"));

    // Filter by status word.
    let input: web_sys::HtmlInputElement =
        host.query_selector("[data-testid=network-filter]").unwrap().unwrap().unchecked_into();
    input.set_value("down");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(row_ids(&host), ["router:edge-a"]);
    assert_eq!(host.query_selector("[data-testid=network-count]").unwrap().unwrap().text_content().unwrap(), "1 of 4");
    let row = host.query_selector("tr.node-row").unwrap().unwrap();
    assert!(row.text_content().unwrap().contains("▼ down"), "icon and word, not colour alone");

    // A row whose node changes is updated in place: its focused button keeps
    // the focus (sorted by name, so the row does not move either).
    let name: web_sys::HtmlElement = host.query_selector("th:nth-child(1) button").unwrap().unwrap().unchecked_into();
    name.click();
    input.set_value("");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;
    let button: web_sys::HtmlElement =
        host.query_selector("tr[data-node='router:edge-b'] .node-open").unwrap().unwrap().unchecked_into();
    button.focus().unwrap();
    t.set(topology(&[("edge-b", false), ("edge-a", false), ("core-1", true)]));
    leptos::task::tick().await;
    let row = host.query_selector("tr[data-node='router:edge-b']").unwrap().unwrap();
    assert!(row.text_content().unwrap().contains("▼ down"), "the row follows its node");
    let active = document().active_element().unwrap();
    assert!(active.is_same_node(Some(&button)), "the focus stayed on the row's button");
    input.set_value("down");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;

    // The store moves on: the list follows.
    t.set(topology(&[("edge-b", true), ("edge-a", true), ("core-1", true), ("edge-c", false)]));
    leptos::task::tick().await;
    assert_eq!(row_ids(&host), ["router:edge-c"]);
}

fn type_into(input: &web_sys::HtmlInputElement, text: &str) {
    input.set_value(text);
    let _ = input.set_selection_range(text.len() as u32, text.len() as u32);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn press(input: &web_sys::HtmlInputElement, key: &str) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    ev.default_prevented()
}

#[wasm_bindgen_test]
async fn the_filter_language_filters_points_at_mistakes_completes_and_lives_in_the_url() {
    let t = RwSignal::new(topology(&[("edge-eu-1", false), ("edge-eu-2", true), ("edge-us-1", true)]));
    let (host, _selected, _h) = mount(t);
    leptos::task::tick().await;
    let input: web_sys::HtmlInputElement =
        host.query_selector("[data-testid=network-filter]").unwrap().unwrap().unchecked_into();
    let error = || host.query_selector("[data-testid=network-filter-error]").unwrap().unwrap().text_content().unwrap();

    type_into(&input, "type=router AND name^=edge-eu");
    leptos::task::tick().await;
    assert_eq!(row_ids(&host), ["router:edge-eu-1", "router:edge-eu-2"]);
    assert_eq!(error(), "");
    let search = window().location().search().unwrap();
    assert!(search.contains("filter=type%3Drouter+AND+name%5E%3Dedge-eu"), "in the URL: {search}");

    // A mistake says where; the last good filter stays in force meanwhile.
    type_into(&input, "type=router AND stat=down");
    leptos::task::tick().await;
    assert_eq!(error(), "col 17: no field `stat`; did you mean `state`?");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(row_ids(&host), ["router:edge-eu-1", "router:edge-eu-2"]);

    // Tab finishes a half-typed word…
    type_into(&input, "type=router AND sta");
    input.focus().unwrap();
    leptos::task::tick().await;
    assert!(press(&input, "Tab"), "Tab taken to complete");
    leptos::task::tick().await;
    assert_eq!(input.value(), "type=router AND state");
    type_into(&input, "type=router AND state=dow");
    leptos::task::tick().await;
    assert!(press(&input, "Tab"));
    leptos::task::tick().await;
    assert_eq!(input.value(), "type=router AND state=down");
    assert_eq!(row_ids(&host), ["router:edge-eu-1"]);
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("false"));
    // …and only then: with nothing half typed, Tab moves on as ever.
    type_into(&input, "");
    leptos::task::tick().await;
    assert!(!press(&input, "Tab"), "an empty input never traps Tab");
    type_into(&input, "healthy ");
    leptos::task::tick().await;
    assert!(!press(&input, "Tab"), "nor does one after a whole term");
    assert_eq!(row_ids(&host).len(), 3, "the controller and two routers are healthy");
    type_into(&input, "");
    leptos::task::tick().await;
    assert!(!window().location().search().unwrap().contains("filter="), "an empty filter leaves the URL");
}

#[wasm_bindgen_test]
async fn hostile_ids_are_text() {
    let t = RwSignal::new(topology(&[("<img src=x onerror=alert(1)>", true)]));
    let (host, _selected, _h) = mount(t);
    leptos::task::tick().await;
    assert!(host.query_selector("img").unwrap().is_none(), "no element was made from an id");
    assert!(host.text_content().unwrap().contains("<img src=x onerror=alert(1)>"));
}

#[wasm_bindgen_test]
fn presets_are_kept_once_newest_last_and_capped() {
    use zitiscope::filter::{with_preset, MAX_PRESETS};
    let list = with_preset(vec!["a".into(), "b".into()], " a ");
    assert_eq!(list, ["b", "a"], "again: moved to the end, not doubled");
    assert_eq!(with_preset(list.clone(), "  "), list, "blank is not saved");
    let many = (0..MAX_PRESETS + 5).fold(Vec::new(), |l, i| with_preset(l, &format!("name^=e{i}")));
    assert_eq!(many.len(), MAX_PRESETS);
    assert_eq!(many[0], "name^=e5", "the oldest went first");
}

#[wasm_bindgen_test]
async fn a_filter_can_be_saved_picked_again_and_removed() {
    let storage = window().local_storage().unwrap().unwrap();
    storage.remove_item("zitiscope.filters.nodes").unwrap();
    let t = RwSignal::new(topology(&[("edge-eu-1", false), ("edge-us-1", true)]));
    let (host, _selected, _h) = mount(t);
    leptos::task::tick().await;
    let input: web_sys::HtmlInputElement =
        host.query_selector("[data-testid=network-filter]").unwrap().unwrap().unchecked_into();
    let by_id = |id: &str| -> web_sys::HtmlElement {
        host.query_selector(&format!("[data-testid={id}]")).unwrap().unwrap().unchecked_into()
    };
    type_into(&input, "type=router AND !healthy");
    leptos::task::tick().await;
    by_id("network-filter-save").click();
    leptos::task::tick().await;
    assert_eq!(
        storage.get_item("zitiscope.filters.nodes").unwrap().as_deref(),
        Some(r#"["type=router AND !healthy"]"#)
    );
    let select: web_sys::HtmlSelectElement = by_id("network-filter-presets").unchecked_into();
    assert_eq!(select.length(), 2, "a placeholder and the saved filter");

    type_into(&input, "edge-us");
    leptos::task::tick().await;
    assert_eq!(row_ids(&host), ["router:edge-us-1"]);
    select.set_value("type=router AND !healthy");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(input.value(), "type=router AND !healthy", "picked again");
    assert_eq!(row_ids(&host), ["router:edge-eu-1"]);

    by_id("network-filter-remove").click();
    leptos::task::tick().await;
    assert_eq!(storage.get_item("zitiscope.filters.nodes").unwrap().as_deref(), Some("[]"));
    assert_eq!(select.length(), 1);
    storage.remove_item("zitiscope.filters.nodes").unwrap();
}
