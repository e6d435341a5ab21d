//! zitiscope-core: everything zitiscope *means*, with no web or async dependency.
//!
//! - [`parse`] turns the event shapes that reach us (the design note's
//!   `ConnectionEvent`, and OpenZiti's `connect`, `router`, `sdk`,
//!   `cluster`, `link`, `metrics` and `entityChange` namespaces) into one
//!   normalised [`Event`];
//! - [`Store`] keeps the state of every connection and of the entities at
//!   their ends, and reports only real changes;
//! - [`layout`] places the topology map's nodes, stably under churn, and
//!   finds the node under a pointer;
//! - [`alerts`] raises, groups and resolves alerts from the store's state;
//! - [`aggregate`] sums a time window up: per router, top flappers, events
//!   per minute, link latency;
//! - [`export`] writes events as CSV (safe against spreadsheet formulas);
//! - [`replay`] moves a past moment's network forward through the
//!   history's events (time travel's playback);
//! - [`report`] is availability over a range (outages, MTTR, MTBF, with
//!   maintenance left out), from the store's own rule of when a node is down;
//! - [`filter`] is the filter language (map find/hide, event log, alerts,
//!   history);
//! - [`mgmt`] is the edge management API's list and error shapes (the
//!   subset the simulator serves and a controller client reads);
//! - [`wire`] is the feed protocol's payloads, shared by the feed (which
//!   writes them) and the app (which reads them).
//!
//! The app and the feed both link this crate, so the browser and the server
//! cannot disagree about what an event means.

pub mod aggregate;
pub mod alerts;
pub mod backoff;
pub mod client;
pub mod dispatch;
pub mod event;
pub mod export;
pub mod filter;
pub mod kind;
pub mod layout;
pub mod mgmt;
pub mod ops;
pub mod parse;
pub mod playlist;
pub mod replay;
pub mod report;
pub mod store;
pub mod sync;
pub mod timestamp;
pub mod wire;

pub use backoff::Backoff;
pub use client::{ClientStats, FeedClient, RecentChanges};
pub use event::Event;
pub use kind::{ConnKind, EntityType};
pub use parse::{parse_line, ParseError, Parsed};
pub use store::{Change, ConnKey, Connection, Store, StoreConfig, Summary};
pub use timestamp::Timestamp;
