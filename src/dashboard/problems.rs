//! The stream's health line: events applied, and what was rejected, with
//! the latest reason on hover and in the details line.

use leptos::prelude::*;
use zitiscope_core::ClientStats;

/// The line.
#[component]
pub fn Problems(
    /// Stream counters.
    #[prop(into)]
    stats: Signal<ClientStats>,
) -> impl IntoView {
    let last_error = move || stats.with(|s| s.last_error.clone().unwrap_or_default());
    view! {
        <footer class="stream">
            <span data-testid="events-applied">{move || stats.with(|s| s.events)}</span>
            " events · "
            <span class="rejected" class:has-rejected=move || stats.with(|s| s.rejected > 0)
                  title=last_error data-testid="rejected">
                {move || stats.with(|s| s.rejected)}
                " rejected"
            </span>
            " · "
            <span data-testid="skipped">{move || stats.with(|s| s.skipped)}</span>
            " skipped"
            <Show when=move || stats.with(|s| s.last_error.is_some())>
                <p class="last-error" data-testid="last-error">"Last rejected: " {last_error}</p>
            </Show>
        </footer>
    }
}
