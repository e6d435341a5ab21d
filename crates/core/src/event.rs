//! The normalised event: one connection of one kind went up, went down, or
//! showed activity, at a time, as seen by a reporter.

use crate::{ConnKind, Timestamp};
use serde::{Deserialize, Serialize};

/// One normalised connection event. Every source shape becomes this.
///
/// On the wire (the feed's `batch` payloads) it is
/// `{"at":<ns>,"kind":"edge-to-router","src":"…","dst":"…","up":true,"addr":"…","via":"ctrl1"}`;
/// `addr` and `via` are left out when unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// When it happened, by the reporter's clock.
    pub at: Timestamp,
    /// What kind of connection it is.
    pub kind: ConnKind,
    /// The dialling end: the router, the peer controller or the identity.
    pub src: String,
    /// The accepting end: the controller or the router. Empty when the
    /// source shape does not say (the design note's shape names only one end).
    #[serde(default)]
    pub dst: String,
    /// `true`: the connection is (or was just made) up; `false`: it was lost.
    pub up: bool,
    /// The source address as the accepting end saw it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    /// The controller that reported it (OpenZiti's `event_src_id`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}
