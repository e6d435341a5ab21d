//! Mounts the app in place of index.html's shell; nothing else.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(zitiscope::App);
    // The app is on the page now, in the same task: the shell goes before
    // the next paint, so the two never show together.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    zitiscope::web::mark_now("zitiscope:app-mounted");
}
