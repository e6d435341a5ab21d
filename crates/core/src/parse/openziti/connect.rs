//! `connect`: only ever "connection made". The kind follows from
//! `src_type` → `dst_type`; identity→ctrl is REST activity, which the store
//! treats as a liveness signal, not a new connection.

use super::{optional, some};
use crate::event::{Body, ConnChange};
use crate::parse::raw::RawEvent;
use crate::parse::{preview, required, ParseError};
use crate::ConnKind;

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let src_type = required("src_type", &raw.src_type)?;
    let dst_type = required("dst_type", &raw.dst_type)?;
    let kind = match (src_type, dst_type) {
        ("router", "ctrl") => ConnKind::RouterToCtrl,
        ("peer", "ctrl") => ConnKind::CtrlToCtrl,
        ("identity", "ctrl") => ConnKind::EdgeToCtrl,
        ("identity", "router") => ConnKind::EdgeToRouter,
        (s, d) => {
            return Err(ParseError::new(
                "src_type",
                format!("{:?} → {:?} is not a known connection", preview(s), preview(d)),
            ))
        }
    };
    some(Body::Conn(ConnChange {
        kind,
        src: required("src_id", &raw.src_id)?.to_owned(),
        dst: required("dst_id", &raw.dst_id)?.to_owned(),
        up: true,
        addr: optional("src_addr", &raw.src_addr)?,
    }))
}
