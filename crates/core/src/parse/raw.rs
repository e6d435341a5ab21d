//! The superset of keys that any shape we read may carry, borrowed from the
//! input where it has no escapes. Unknown keys are ignored.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

type Text<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawEvent<'a> {
    // --- shared ---
    #[serde(borrow)]
    pub namespace: Text<'a>,
    #[serde(borrow, alias = "Timestamp")]
    pub timestamp: Option<RawTime<'a>>,
    /// The note's `EventType`, or OpenZiti's `event_type` (router, sdk, link).
    #[serde(borrow, alias = "EventType", alias = "eventType")]
    pub event_type: Text<'a>,

    // --- the design note's ConnectionEvent ---
    #[serde(borrow, alias = "Identity")]
    pub identity: Text<'a>,
    #[serde(borrow, alias = "SourceIP", alias = "SourceIp", alias = "sourceIp", alias = "sourceIP")]
    pub source_ip: Text<'a>,
    #[serde(alias = "IsConnected", alias = "isConnected")]
    pub is_connected: Option<bool>,

    // --- OpenZiti envelope ---
    #[serde(borrow)]
    pub event_src_id: Text<'a>,

    // --- OpenZiti connect ---
    #[serde(borrow)]
    pub src_type: Text<'a>,
    #[serde(borrow)]
    pub dst_type: Text<'a>,
    #[serde(borrow)]
    pub src_id: Text<'a>,
    #[serde(borrow)]
    pub src_addr: Text<'a>,
    #[serde(borrow)]
    pub dst_id: Text<'a>,

    // --- OpenZiti router ---
    #[serde(borrow)]
    pub router_id: Text<'a>,
    pub router_online: Option<bool>,
}

/// A timestamp as written: RFC 3339 text, or a number since the epoch.
pub(super) enum RawTime<'a> {
    Text(Cow<'a, str>),
    Number(f64),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawTime<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTime<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 string or a number since the epoch")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawTime::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawTime::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(RawTime::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawTime::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawTime::Number(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}
