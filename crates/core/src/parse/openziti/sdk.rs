//! `sdk`: an identity's SDK status as the reporting controller tracks it.
//! `sdk-status-unknown` is re-emitted at every scan (a controller quirk);
//! the store treats repeats as no-ops.

use super::{event_type, some};
use crate::event::{Body, SdkChange, SdkStatus};
use crate::parse::raw::RawEvent;
use crate::parse::{required, ParseError};

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let status = match event_type("event_type", raw)? {
        "sdk-online" => SdkStatus::Online,
        "sdk-offline" => SdkStatus::Offline,
        "sdk-status-unknown" => SdkStatus::Unknown,
        _ => return Ok(None),
    };
    some(Body::Sdk(SdkChange { identity: required("identity_id", &raw.identity_id)?.to_owned(), status }))
}
