//! The alert board: firing first, worst first, then pending and resolved;
//! a filter (the core's [`Alert::matches`]); ack (with a comment) and
//! silence per alert, shared by every screen through the feed; who acked,
//! when and why, who silenced it and until when, and the maintenance
//! window an alert is in; the silenced and in-maintenance counts in plain
//! sight; the sound and desktop opt-ins. A click on an alert selects its
//! node on the map. Every string is text.

use super::{notify, Scope, UseAlertsReturn};
use crate::filter::FilterInput;
use crate::shown::use_shown;
use crate::web::{format_clock, use_url_text, Param};
use leptos::prelude::*;
use zitiscope_core::alerts::{Alert, AlertState, Severity};
use zitiscope_core::filter::{Filter, ALERT_SCHEMA};
use zitiscope_core::layout::NodeId;

/// The icon that goes with a severity (never colour alone).
pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "✖",
        Severity::Major => "▲",
        Severity::Minor => "◆",
        Severity::Info => "ℹ",
    }
}

/// The board. A click on an alert selects its node. At a time-travel
/// moment it shows, read only, the alerts that held then; the compact
/// board always shows the live ones.
#[component]
pub fn AlertPanel(
    /// The alerts.
    alerts: UseAlertsReturn,
    /// Firing alerts only, no tools (the wall display).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let shown = use_shown();
    let selected = shown.selected;
    // The filter is in the URL (`&alerts=`), like the list's and the map's.
    let text = use_url_text(Param::Alerts);
    let query = RwSignal::new(Filter::default());
    let past = move || if compact { None } else { shown.past_alerts.get() };
    // Each with whether it is silenced (silences change the counts), and
    // whether it is of a past moment (then it has no ack or silence).
    let shown = Memo::new(move |_| {
        let q = query.get();
        if let Some(list) = past() {
            return list.into_iter().filter(|a| q.matches(a)).map(|a| (a, false, true)).collect::<Vec<_>>();
        }
        alerts.counts.track();
        alerts.board.with(|b| {
            b.iter()
                .filter(|a| q.matches(*a) && (!compact || a.state == AlertState::Firing))
                .map(|a| (a.clone(), alerts.is_silenced(&a.key), false))
                .collect::<Vec<_>>()
        })
    });
    let summary = move || match past() {
        Some(list) => format!("{} firing at the moment shown", list.len()),
        None => {
            let c = alerts.counts.get();
            let maintenance = (c.maintenance > 0).then(|| format!(" · {} in maintenance", c.maintenance));
            format!(
                "{} firing · {} pending · {} silenced{}",
                c.firing,
                c.pending,
                c.silenced,
                maintenance.unwrap_or_default()
            )
        }
    };
    view! {
        <section class="alerts" class:compact=compact aria-labelledby="alerts-title" data-testid="alerts">
            <div class="alerts-head">
                <h2 id="alerts-title">"Alerts"</h2>
                <span class="alert-counts" data-testid="alert-counts" aria-live="polite">{summary}</span>
                {(!compact).then(|| view! {
                    <FilterInput
                        schema=&ALERT_SCHEMA
                        text=text
                        filter=query
                        class="alert-filter"
                        placeholder="filter: edge-eu, severity=critical AND !acked…"
                        label="Filter alerts (the filter language)"
                        testid="alert-filter"
                        presets="zitiscope.filters.alerts"
                    />
                    <Opt alerts=alerts />
                })}
            </div>
            {move || (!compact).then(|| alerts.error.get()).flatten().map(|e| view! {
                <p class="alert-error" role="alert" data-testid="alert-error">{e}</p>
            })}
            <ul class="alert-list" data-testid="alert-list">
                <For
                    each=move || shown.get()
                    key=|(a, silenced, past): &(Alert, bool, bool)| (a.key.clone(), a.state, a.message.clone(), a.ack.clone(), a.maintenance.clone(), a.count, *silenced, *past)
                    let:((alert, silenced, past))
                >
                    <Row alert=alert silenced=silenced alerts=alerts selected=selected compact=compact || past />
                </For>
            </ul>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="alerts-none">"Nothing is firing."</p> })}
        </section>
    }
}

/// One alert: a button that selects its node, and its ack and silence
/// buttons.
#[component]
fn Row(
    /// The alert.
    alert: Alert,
    /// Whether a silence covers it now.
    silenced: bool,
    /// The board, for ack and silence.
    alerts: UseAlertsReturn,
    /// Where a click on it goes.
    selected: RwSignal<Option<NodeId>>,
    /// No ack or silence (the wall display, or a past moment).
    compact: bool,
) -> impl IntoView {
    let sev = alert.severity.as_str();
    let state = alert.state.as_str();
    let node = alert.node.clone();
    let key = alert.key.clone();
    let when = match (alert.state, alert.resolved_at) {
        (AlertState::Resolved, Some(t)) => format!("resolved {}", format_clock(t)),
        _ => format!("since {}", format_clock(alert.since)),
    };
    let times = (alert.count > 1).then(|| format!(" · fired {}×", alert.count));
    let ack = alert.ack.clone().map(|a| {
        let said = (!a.comment.is_empty()).then(|| format!(": {}", a.comment));
        view! {
            <span class="alert-ack" data-testid="alert-ack">
                {format!("✔ acked by {} {}", a.by, format_clock(a.at))}{said}
            </span>
        }
    });
    let by = silenced.then(|| alerts.silenced_by(&key)).flatten().map(|(by, until)| {
        view! { <span class="alert-silence">{format!("silenced by {by} until {}", format_clock(until))}</span> }
    });
    let maintenance = alert.maintenance.clone().map(|w| {
        view! { <span class="alert-maintenance" data-testid="alert-maintenance">{format!("⚙ in maintenance: {w}")}</span> }
    });
    let label = match (&alert.maintenance, silenced) {
        (Some(_), _) if alert.state == AlertState::Firing => "in maintenance",
        (_, true) => "silenced",
        _ => state,
    };
    let open = alert.state != AlertState::Resolved;
    let acked = alert.ack.is_some();
    let (k2, k3, k4, k5) = (key.clone(), key.clone(), key.clone(), key.clone());
    view! {
        <li class=format!("alert sev-{sev} state-{state}") class:silenced=silenced class:in-maintenance=alert.maintenance.is_some() class:acked=acked data-rule=key.rule.as_str() data-subject=key.subject.clone()>
            <button type="button" class="alert-main" title="Show it on the map" on:click=move |_| if node.is_some() { selected.set(node.clone()) }>
                <span class="alert-sev">
                    <span aria-hidden="true">{severity_icon(alert.severity)}</span>
                    " "
                    {sev}
                </span>
                <span class="alert-state">{label}</span>
                <span class="alert-message">{alert.message.clone()}</span>
                <span class="alert-when">{when}{times}</span>
            </button>
            {(ack.is_some() || by.is_some() || maintenance.is_some()).then(|| view! {
                <span class="alert-notes">{ack}{by}{maintenance}</span>
            })}
            {(!compact && open).then(|| view! {
                <span class="alert-actions">
                    {(!acked).then(|| view! { <AckForm alerts=alerts key=key.clone() /> })}
                    {if silenced {
                        view! { <button type="button" on:click=move |_| alerts.unsilence(&k2)>"Unsilence"</button> }.into_any()
                    } else {
                        view! {
                            <button type="button" title="Silence this alert for an hour, on every screen" on:click=move |_| alerts.silence(&k3, Scope::Alert, 60)>"Silence 1 h"</button>
                            <button type="button" title="Silence every alert about this subject for an hour, on every screen" on:click=move |_| alerts.silence(&k5, Scope::Subject, 60)>"Silence subject"</button>
                            <button type="button" title="Silence this rule everywhere for an hour, on every screen" on:click=move |_| alerts.silence(&k4, Scope::Rule, 60)>"Silence rule"</button>
                        }
                        .into_any()
                    }}
                </span>
            })}
        </li>
    }
}

/// "Ack", which opens a line for who acks and a comment (what is being
/// done), sent with the ack on Enter or its button.
#[component]
fn AckForm(
    /// The board, which sends the ack.
    alerts: UseAlertsReturn,
    /// The alert.
    key: zitiscope_core::alerts::AlertKey,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let key = StoredValue::new(key);
    let send = move || {
        alerts.ack(&key.get_value(), comment.get_untracked().trim().to_owned());
        open.set(false);
    };
    view! {
        {move || if open.get() {
            view! {
                <form class="ack-form" on:submit=move |ev| { ev.prevent_default(); send(); }>
                    // Who acks, in sight when it is shared with every screen
                    // (a personal setting, kept in this browser).
                    <input
                        type="text"
                        class="ack-by"
                        data-testid="ack-by"
                        aria-label="Acknowledge as"
                        placeholder="your name"
                        maxlength="64"
                        prop:value=move || alerts.prefs.signal().with(|p| p.operator.clone())
                        on:change=move |ev| {
                            let name = event_target_value(&ev).trim().chars().take(64).collect::<String>();
                            if !name.is_empty() {
                                alerts.prefs.update(|p| p.operator = name);
                            }
                        }
                    />
                    <input
                        type="text"
                        data-testid="ack-comment"
                        aria-label="What is being done (optional)"
                        placeholder="what is being done (optional)"
                        maxlength="1000"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    />
                    <button type="submit" data-testid="ack-send">"Ack"</button>
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </form>
            }
            .into_any()
        } else {
            view! { <button type="button" data-testid="ack" on:click=move |_| open.set(true)>"Ack"</button> }.into_any()
        }}
    }
}

/// Who acks, and the sound and desktop opt-ins.
#[component]
fn Opt(
    /// The board, whose preferences these are.
    alerts: UseAlertsReturn,
) -> impl IntoView {
    let prefs = alerts.prefs.signal();
    view! {
        <span class="alert-prefs">
            <label>
                "as "
                <input
                    type="text"
                    class="alert-operator"
                    data-testid="alert-operator"
                    aria-label="Acknowledge as"
                    prop:value=move || prefs.with(|p| p.operator.clone())
                    on:change=move |ev| {
                        let name = event_target_value(&ev).trim().chars().take(64).collect::<String>();
                        if !name.is_empty() {
                            alerts.prefs.update(|p| p.operator = name);
                        }
                    }
                />
            </label>
            <label>
                <input type="checkbox" prop:checked=move || prefs.with(|p| p.sound) on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    if on {
                        notify::prime_audio();
                    }
                    alerts.prefs.update(|p| p.sound = on);
                } />
                " sound"
            </label>
            <label title="Beep again every half minute while a critical or major alert fires and nobody acked or silenced it">
                <input type="checkbox" data-testid="alert-repeat" prop:checked=move || prefs.with(|p| p.repeat)
                    prop:disabled=move || prefs.with(|p| !p.sound)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        alerts.prefs.update(|p| p.repeat = on);
                    } />
                " repeat until acked"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || prefs.with(|p| p.desktop) on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    if on {
                        notify::ask_permission();
                    }
                    alerts.prefs.update(|p| p.desktop = on);
                } />
                " desktop"
            </label>
        </span>
    }
}
