//! zitiscope: the browser app. It renders and wires; meaning lives in
//! `zitiscope-core`.
//!
//! From the top down (a module uses only those below it, never one that
//! uses it back; `scripts/layering.py` checks):
//!
//! - [`app`]: the shell (URL options, the store, the feed, the alerts);
//! - [`dashboard`]: the page: it lays out the features and provides the
//!   shown state; its own small parts are the status badge, counters,
//!   change list and error line;
//! - the features: [`map`], [`network`], [`alerts`], [`events`],
//!   [`analysis`], [`wall`], [`travel`], [`export`], [`filter`];
//! - [`shown`]: what the views show (the network live or past, the
//!   selection), one context object the page provides and views read;
//! - [`feed`]: the EventSource hook with its own reconnect loop;
//! - [`store`]: the reactive store around the core's feed client, flushed
//!   at most once per animation frame;
//! - [`web`]: browser helpers (URL parameters, `localStorage`, clocks).
//!
//! Each feature:
//!
//! - [`map`]: the topology map (canvas) and the details drawer;
//! - [`network`]: the list of every node (the map's accessible mirror);
//! - [`filter`]: the filter-language input (checks, errors, completion);
//! - [`export`]: the export menu (events, snapshot) and the map's PNG;
//! - [`history`]: reads of the feed's history, a page at a time;
//! - [`events`]: the event log (the audit trail, filtered and exported);
//! - [`travel`]: time travel over the feed's history (`?at=`);
//! - [`analysis`]: the aggregation panel (`/aggregate`);
//! - [`alerts`]: the alert board, toasts and notifications;
//! - [`wall`]: the wall display, the themes and the stale-feed banner.

pub mod alerts;
pub mod analysis;
pub mod app;
pub mod dashboard;
pub mod events;
pub mod export;
pub mod feed;
pub mod filter;
pub mod history;
pub mod map;
pub mod network;
pub mod shown;
pub mod store;
pub mod travel;
pub mod wall;
pub mod web;

pub use app::App;
