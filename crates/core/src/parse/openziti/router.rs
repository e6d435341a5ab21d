//! `router` (pre-1.4: `fabric.routers`): a router's control channel to the
//! reporting controller came up or went down. The reporter is the other
//! end, so `event_src_id` is required.

use super::some;
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
        dst: required("event_src_id", &raw.event_src_id)?.to_owned(),
        up,
        addr: None,
    }))
}
