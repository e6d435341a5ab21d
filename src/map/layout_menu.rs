//! The map's layout menu: export the pins and group moves as a file,
//! import one (a wall and a desk share one picture), and reset the layout
//! (every node back in its slot, one click).

use super::{pins, State};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zitiscope_core::layout::pins::Pins;
use zitiscope_core::store::Topology;

/// See the module docs.
#[component]
pub fn LayoutMenu(
    /// The map's state, whose layout the menu reads and replaces.
    state: State,
    /// The topology shown (the groups' boxes are recomputed on a change).
    topology: Signal<Topology>,
    /// Redraws the map.
    redraw: Callback<()>,
) -> impl IntoView {
    // What the last import said (an error, or how much it pinned).
    let said = RwSignal::new(None::<String>);
    let apply = move |p: &Pins| {
        state.with_value(|s| {
            let s = &mut *s.borrow_mut();
            s.placement.layout.set_pins(p);
            s.placement.reindex();
            topology.with_untracked(|t| s.groups.sync(&s.placement.layout, t, true));
        });
        pins::save(p);
        redraw.run(());
    };
    let export = move |_| state.with_value(|s| pins::download(&s.borrow().placement.layout.pins()));
    let reset = move |_| {
        apply(&Pins::default());
        said.set(Some("every node is back in its place".into()));
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        leptos::task::spawn_local(async move {
            match pins::read(&input).await {
                Ok(p) => {
                    apply(&p);
                    said.set(Some(format!("{} nodes pinned, {} groups moved", p.nodes.len(), p.groups.len())));
                }
                Err(e) => said.set(Some(format!("not imported: {e}"))),
            }
            // The same file can be chosen again.
            input.set_value("");
        });
    };
    view! {
        <details class="map-menu" data-testid="map-layout-menu">
            <summary title="Drag a node or a group's name to pin it; the layout stays across reloads">"Layout"</summary>
            <div class="map-menu-body">
                <button type="button" data-testid="map-layout-export" on:click=export>"Export layout"</button>
                <label class="file-button">
                    "Import layout…"
                    <input type="file" accept="application/json,.json" data-testid="map-layout-import" on:change=import />
                </label>
                <button type="button" data-testid="map-layout-reset" on:click=reset>"Reset layout"</button>
                <p class="map-menu-said" data-testid="map-layout-said" role="status">{move || said.get()}</p>
            </div>
        </details>
    }
}
