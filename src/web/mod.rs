//! Browser helpers that know nothing of the network: the page's URL
//! parameters ([`url`]), this browser's `localStorage` ([`storage`]) and
//! the clocks ([`clock`]). Every feature may use them; they use no other
//! module of the app.

pub mod clock;
pub mod storage;
pub mod url;

pub use clock::{
    epoch_at, epoch_ms, format_clock, format_utc, local_input_value, mark_now, parse_local_input, steady_ms, use_now,
};
pub use url::{change_url_params, on_url_change, set_url_params, url_param, use_url_flag, use_url_text, Param};
