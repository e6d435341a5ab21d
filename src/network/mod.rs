//! The network's nodes: the list view that mirrors the topology map (every
//! controller and router with its status and counts, sortable and
//! filterable, usable with a keyboard and a screen reader).

mod list;

pub use list::{health_icon, NetworkList};
