//! The superset of keys that any shape we read may carry, borrowed from the
//! input where it has no escapes. Unknown keys are ignored.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
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

    // --- OpenZiti entityChange (camelCase keys) ---
    #[serde(borrow, rename = "eventId")]
    pub event_id: Text<'a>,
    #[serde(borrow, rename = "entityType")]
    pub entity_type: Text<'a>,
    #[serde(rename = "isParentEvent")]
    pub is_parent_event: Option<bool>,
    /// Kept as raw JSON and read only for the entity types we track, so
    /// the shape of any other type's state can never fail the line.
    #[serde(borrow, rename = "initialState")]
    pub initial_state: Option<&'a RawValue>,
    #[serde(borrow, rename = "finalState")]
    pub final_state: Option<&'a RawValue>,
}

/// The fields of a stored router or identity that an entity change needs
/// (`controller/db` `Router`, `EdgeRouter`, `Identity`; the common ones from
/// `boltz.BaseExtEntity`). Unknown keys are ignored.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawState<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow, rename = "identityTypeId")]
    pub identity_type: Text<'a>,
    /// `Some(None)` for `null`: Go writes an empty list as `null`, which is
    /// not the same as a state without the key (a plain router's).
    #[serde(rename = "roleAttributes", deserialize_with = "present")]
    pub role_attributes: Option<Option<Vec<String>>>,
}

/// A key that is present (even as `null`) is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
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

/// The histogram keys of a `metrics` event that latency needs. A
/// `metricFilter` may have dropped any of them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawHistogram {
    pub mean: Option<RawNumber>,
    pub p50: Option<RawNumber>,
    pub p99: Option<RawNumber>,
    pub std_dev: Option<RawNumber>,
}

/// A statistic: a number, or anything else (which the parser refuses by
/// the field's name, rather than failing the whole line as broken JSON).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum RawNumber {
    Number(f64),
    Other,
}

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.as_f64().map_or(RawNumber::Other, RawNumber::Number),
            _ => RawNumber::Other,
        })
    }
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
