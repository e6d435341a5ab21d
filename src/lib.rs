//! zitiscope: the browser app. It renders and wires; meaning lives in
//! `zitiscope-core`.
//!
//! The modules, from the top down: each uses only modules below it, never
//! one that uses it back (`scripts/layering.py` checks).
//!
//! - [`app`]: the shell: URL options, the store, the feed, the alerts;
//! - [`dashboard`]: the page: it provides the shown state and lays out
//!   the features (its own small parts: the status badge, the counters,
//!   the change list and the stream's error line);
//! - the features:
//!   - [`map`]: the topology map (canvas) and the details drawer;
//!   - [`network`]: the list of every node (the map's accessible mirror);
//!   - [`alerts`]: the alert board, toasts and notifications;
//!   - [`events`]: the event log (the audit trail, filtered and exported);
//!   - [`analysis`]: the aggregation panel (`/aggregate`);
//!   - [`report`]: availability over a range (`/report`), printable;
//!   - [`maintenance`]: the maintenance windows, listed and made
//!     (`/maintenance`);
//!   - [`wall`]: the wall display, the themes and the stale-feed banner;
//! - [`shown`]: what the views show (the network live or past, the
//!   selection and its facts), one context object that the page provides
//!   and the features read;
//! - [`travel`]: time travel over the feed's history (`?at=`);
//! - [`filter`]: the filter-language input (checks, errors, completion);
//! - [`export`]: the export menu (events, snapshot) and the map's PNG;
//! - [`history`]: reads of the feed's history, a page at a time;
//! - [`feed`]: the EventSource hook with its own reconnect loop;
//! - [`store`]: the reactive store around the core's feed client, flushed
//!   at most once per animation frame;
//! - [`web`]: browser helpers: the URL's parameters, `localStorage`, the
//!   clocks.

pub mod alerts;
pub mod analysis;
pub mod app;
pub mod dashboard;
pub mod events;
pub mod export;
pub mod feed;
pub mod filter;
pub mod history;
pub mod maintenance;
pub mod map;
pub mod network;
pub mod report;
pub mod shown;
pub mod store;
pub mod travel;
pub mod wall;
pub mod web;

pub use app::App;
