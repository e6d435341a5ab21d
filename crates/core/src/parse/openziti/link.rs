//! `link` (pre-1.4: `fabric.links`): router↔router links. Events for links
//! the controller does not know carry only `link_id`.

use super::{event_type, optional, some};
use crate::event::{Body, LinkChange, LinkEventType as T};
use crate::parse::raw::RawEvent;
use crate::parse::{required, ParseError};

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let event = match event_type("event_type", raw)? {
        "routerLinkNew" => T::New,
        "routerLinkKnown" => T::Known,
        "routerLinkDisconnectedDest" => T::DisconnectedDest,
        "fault" => T::Fault,
        "duplicate" => T::Duplicate,
        "connectionsChanged" => T::ConnectionsChanged,
        "dialed" => T::Dialed,
        "connected" => T::Connected,
        _ => return Ok(None),
    };
    let cost = match raw.cost {
        None => None,
        Some(c) => Some(i32::try_from(c).map_err(|_| ParseError::new("cost", format!("{c} is out of range")))?),
    };
    some(Body::Link(LinkChange {
        link: required("link_id", &raw.link_id)?.to_owned(),
        event,
        src: optional("src_router_id", &raw.src_router_id)?,
        dst: optional("dst_router_id", &raw.dst_router_id)?,
        protocol: optional("protocol", &raw.protocol)?,
        cost,
        connections: raw.connections.as_ref().map(|c| c.len().min(u32::MAX as usize) as u32),
    }))
}
