//! The superset of keys that any shape we read may carry, borrowed from the
//! input where it has no escapes. Unknown keys are ignored.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// An optional string field. serde's `#[serde(borrow)]` cannot borrow
/// through `Option<Cow<str>>` (it would allocate every field, which was
/// ~17% of parse time), hence [`Str`].
pub(super) type Text<'a> = Option<Str<'a>>;

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Debug)]
pub(super) struct Str<'a>(Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

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

    // --- OpenZiti sdk ---
    #[serde(borrow)]
    pub identity_id: Text<'a>,

    // --- OpenZiti cluster (camelCase keys) ---
    #[serde(borrow)]
    pub peers: Option<Vec<RawPeer<'a>>>,
    #[serde(borrow, rename = "leaderId")]
    pub leader_id: Text<'a>,
    pub index: Option<u64>,

    // --- OpenZiti link ---
    #[serde(borrow)]
    pub link_id: Text<'a>,
    #[serde(borrow)]
    pub src_router_id: Text<'a>,
    #[serde(borrow)]
    pub dst_router_id: Text<'a>,
    #[serde(borrow)]
    pub protocol: Text<'a>,
    pub cost: Option<i64>,
    pub connections: Option<Vec<de::IgnoredAny>>,

    // --- OpenZiti metrics ---
    #[serde(borrow)]
    pub metric: Text<'a>,
    #[serde(borrow)]
    pub source_id: Text<'a>,
    #[serde(borrow)]
    pub source_entity_id: Text<'a>,
    pub metrics: Option<RawHistogram>,
}

/// A cluster peer; `apiAddresses` and `isPreferredLeader` are not needed.
#[derive(Deserialize)]
pub(super) struct RawPeer<'a> {
    #[serde(borrow, default)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub addr: Text<'a>,
    #[serde(borrow, default)]
    pub version: Text<'a>,
}

/// The histogram keys of a `metrics` event that latency needs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawHistogram {
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub std_dev: Option<f64>,
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
