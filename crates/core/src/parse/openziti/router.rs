//! `router` (pre-1.4: `fabric.routers`): a router's control channel to the
//! reporting controller came up or went down. The reporter is the other
//! end. Before v1.3 the event has no `event_src_id` (`controller/event/
//! routers.go` at v1.2.0), so the controller is unknown: `dst` is then
//! empty, as in the design note's shape, and the store takes such a
//! `router-offline` as the loss of every controller (`store/apply.rs`).

use super::{optional, some};
use crate::event::{Body, ConnChange};
use crate::parse::raw::RawEvent;
use crate::parse::{required, ParseError};
use crate::ConnKind;

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let up = match raw.event_type.as_deref() {
        Some("router-online") => true,
        Some("router-offline") => false,
        Some(_) => return Ok(None),
        None => raw.router_online.ok_or_else(|| ParseError::missing("event_type"))?,
    };
    some(Body::Conn(ConnChange {
        kind: ConnKind::RouterToCtrl,
        src: required("router_id", &raw.router_id)?.to_owned(),
        dst: optional("event_src_id", &raw.event_src_id)?.unwrap_or_default(),
        up,
        addr: None,
    }))
}
