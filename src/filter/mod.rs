//! `FilterInput`: a text input for the filter language (`docs/filter.md`).
//! The core parses, checks and completes; this renders. As you type it
//! re-reads the expression: a good one becomes the filter, a bad one
//! leaves the last good filter in force and says what is wrong, at which
//! column. Completions for the cursor show below. Tab takes the first, but
//! only while a word is half typed: otherwise Tab moves on as ever, so the
//! input never traps the keyboard. A click takes any; Escape hides them.
//! With a `presets` key, expressions can be saved (☆), picked from a list
//! and removed; they are kept in `localStorage` under that key.

use crate::web::storage;
use leptos::prelude::*;
use zitiscope_core::filter::{complete, Completion, Filter, FilterError, Schema};

/// How many completions show at once.
const SHOWN: usize = 8;
/// Saved presets kept at most (the oldest go first).
pub const MAX_PRESETS: usize = 20;

/// The presets saved under `key` (a JSON list of expressions).
pub fn load_presets(key: &str) -> Vec<String> {
    storage::json(key).unwrap_or_default()
}

/// `list` with `expr` added (once, newest last, at most [`MAX_PRESETS`]).
pub fn with_preset(mut list: Vec<String>, expr: &str) -> Vec<String> {
    let expr = expr.trim();
    if expr.is_empty() {
        return list;
    }
    list.retain(|p| p != expr);
    list.push(expr.to_string());
    let excess = list.len().saturating_sub(MAX_PRESETS);
    list.drain(..excess);
    list
}

/// The input, its error line and its completions.
#[component]
pub fn FilterInput(
    /// The fields it filters on.
    schema: &'static Schema,
    /// The expression as typed (the caller may keep it in the URL).
    text: RwSignal<String>,
    /// The last expression that parsed: what the view filters by.
    filter: RwSignal<Filter>,
    /// The input's placeholder.
    placeholder: &'static str,
    /// Its accessible name.
    label: &'static str,
    /// The `data-testid` of the input; its error line and completions get
    /// `-error` and `-suggestions` after it.
    testid: &'static str,
    /// A class for the input.
    #[prop(optional)]
    class: &'static str,
    /// The `localStorage` key of saved presets (none: no presets).
    #[prop(optional)]
    presets: Option<&'static str>,
    /// Called on Enter (with the expression as it stands).
    #[prop(optional)]
    on_enter: Option<Callback<()>>,
    /// The input element, for a caller that focuses it (e.g. on `/`).
    #[prop(optional)]
    node_ref: Option<NodeRef<leptos::html::Input>>,
) -> impl IntoView {
    let input = node_ref.unwrap_or_default();
    let error = RwSignal::new(None::<FilterError>);
    let cursor = RwSignal::new(0usize);
    let open = RwSignal::new(false);
    Effect::new(move |_| match text.with(|t| Filter::parse(t, schema)) {
        Ok(f) => {
            error.set(None);
            if filter.with_untracked(|old| *old != f) {
                filter.set(f);
            }
        }
        Err(e) => error.set(Some(e)),
    });
    let suggestions = Memo::new(move |_| {
        let mut all = text.with(|t| complete(t, cursor.get(), schema));
        all.truncate(SHOWN);
        all
    });
    // The cursor, in characters (the DOM counts UTF-16 units).
    let read_cursor = move || {
        if let Some(el) = input.get_untracked() {
            let units = el.selection_start().ok().flatten().unwrap_or(0) as usize;
            let value = el.value();
            let chars = char_index_of_utf16(&value, units);
            cursor.set(chars);
        }
    };
    let apply = move |c: &Completion| {
        let (next, at) = text.with_untracked(|t| splice(t, c));
        text.set(next.clone());
        cursor.set(at);
        if let Some(el) = input.get_untracked() {
            el.set_value(&next);
            let units = next.chars().take(at).map(char::len_utf16).sum::<usize>() as u32;
            let _ = el.set_selection_range(units, units);
            let _ = el.focus();
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Tab" if !ev.shift_key() && open.get_untracked() => {
            let first = suggestions.with_untracked(|s| s.first().cloned());
            // Only finishing a half-typed word takes the Tab.
            if let Some(c) = first.filter(|c| c.end > c.start && text.with_untracked(|t| splice(t, c).0 != *t)) {
                ev.prevent_default();
                apply(&c);
            }
        }
        "Escape" => open.set(false),
        "Enter" => {
            if let Some(f) = on_enter {
                ev.prevent_default();
                open.set(false);
                f.run(());
            }
        }
        _ => {}
    };
    let saved = RwSignal::new(presets.map(load_presets).unwrap_or_default());
    let save = move |_| {
        if let Some(key) = presets {
            let list = with_preset(saved.get_untracked(), &text.get_untracked());
            storage::set_json(key, &list);
            saved.set(list);
        }
    };
    let pick = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if !v.is_empty() {
            text.set(v);
        }
    };
    let remove = move |_| {
        if let Some(key) = presets {
            let current = text.get_untracked();
            let mut list = saved.get_untracked();
            list.retain(|p| *p != current.trim());
            storage::set_json(key, &list);
            saved.set(list);
        }
    };
    let preset_controls = presets.map(|_| {
        view! {
            <span class="filter-presets">
                <button type="button" class="filter-save" title="Save this filter" aria-label="Save this filter"
                    data-testid=format!("{testid}-save") on:click=save>"☆"</button>
                <select aria-label="Saved filters" data-testid=format!("{testid}-presets") on:change=pick
                    prop:value=move || if saved.with(|l| text.with(|t| l.iter().any(|p| p == t.trim()))) { text.get() } else { String::new() }>
                    <option value="">"saved…"</option>
                    <For each=move || saved.get() key=|p: &String| p.clone() let:p>
                        <option value=p.clone()>{p.clone()}</option>
                    </For>
                </select>
                <button type="button" class="filter-remove" title="Remove this saved filter" aria-label="Remove this saved filter"
                    data-testid=format!("{testid}-remove") on:click=remove
                    disabled=move || !saved.with(|l| text.with(|t| l.iter().any(|p| p == t.trim())))>"×"</button>
            </span>
        }
    });
    let error_id = format!("{testid}-error");
    let list_id = format!("{testid}-suggestions");
    view! {
        <span class="filter-input">
            <input
                node_ref=input
                type="search"
                class=class
                placeholder=placeholder
                aria-label=label
                aria-invalid=move || error.with(|e| e.is_some()).to_string()
                aria-describedby=error_id.clone()
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                autocomplete="off"
                spellcheck="false"
                data-testid=testid
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    read_cursor();
                    open.set(true);
                }
                on:keydown=on_key
                on:keyup=move |_| read_cursor()
                on:click=move |_| read_cursor()
                on:focus=move |_| {
                    read_cursor();
                    open.set(true);
                }
                on:blur=move |_| open.set(false)
            />
            {preset_controls}
            <span class="filter-error" id=error_id.clone() data-testid=error_id role="status">
                {move || error.with(|e| e.as_ref().map(|e| e.to_string()))}
            </span>
            <ul class="filter-suggestions" id=list_id.clone() data-testid=list_id
                hidden=move || !open.get() || suggestions.with(Vec::is_empty)>
                <For each=move || suggestions.get() key=|c: &Completion| (c.start, c.text.clone()) let:c>
                    {
                        let label = c.text.clone();
                        let doc = c.doc.clone();
                        view! {
                            // mousedown, not click: the input's blur would hide the list first.
                            <li on:mousedown=move |ev| {
                                ev.prevent_default();
                                apply(&c);
                            }>
                                <code>{label}</code>
                                " "
                                <span class="filter-doc">{doc}</span>
                            </li>
                        }
                    }
                </For>
            </ul>
        </span>
    }
}

/// `text` with completion `c` put in; and the cursor after it (characters).
pub fn splice(text: &str, c: &Completion) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let (start, end) = (c.start.min(chars.len()), c.end.min(chars.len()));
    let mut out: String = chars[..start].iter().collect();
    out.push_str(&c.text);
    let at = out.chars().count();
    out.extend(&chars[end..]);
    (out, at)
}

/// The character index at UTF-16 offset `units` of `s`.
fn char_index_of_utf16(s: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, ch) in s.chars().enumerate() {
        if seen >= units {
            return i;
        }
        seen += ch.len_utf16();
    }
    s.chars().count()
}
