//! [`Parts`]: the view's parts that cross whole when they change (small
//! values, or lists the store already caps). One macro lists them once, so
//! the diff, the apply and the wire cannot disagree about them. The
//! invariant test sets every part of the view from something that moves,
//! so a part missing from this list fails it (tried, part by part).

use super::{ClockAnchor, FeedStatus, View};
use crate::alerts::{Alert, AlertCounts};
use crate::client::Beats;
use crate::layout::NodeId;
use crate::ops::Ops;
use crate::store::{IdentityRow, NodeDetails, Summary};
use crate::{Change, ClientStats};
use serde::{Deserialize, Serialize};

macro_rules! parts {
    ($($(#[$doc:meta])* $field:ident: $ty:ty,)*) => {
        /// The whole parts of [`View`] that changed (`None`: unchanged).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct Parts {
            $($(#[$doc])* #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
            pub $field: Option<$ty>,)*
        }

        impl Parts {
            /// The parts of `new` that differ from `old`.
            pub fn between(old: &View, new: &View) -> Parts {
                Parts { $($field: (old.$field != new.$field).then(|| new.$field.clone()),)* }
            }

            /// Sets them on `view`.
            pub fn apply(self, view: &mut View) {
                $(if let Some(v) = self.$field { view.$field = v; })*
            }

            /// Whether none changed.
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())*
            }
        }
    };
}

/// A part that is on the wire is `Some`, even when its value is `null`: serde
/// alone reads `null` as an absent `Option<Option<_>>`, which would lose a
/// deselection (`details: Some(None)`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

parts! {
    status: FeedStatus,
    beats: Beats,
    stats: ClientStats,
    seq: Option<u64>,
    last_update: Option<f64>,
    clock: Option<ClockAnchor>,
    summary: Summary,
    recent: Vec<Change>,
    board: Vec<Alert>,
    counts: AlertCounts,
    ops: Ops,
    maintenance: Vec<NodeId>,
    selected: Option<NodeId>,
    details: Option<NodeDetails>,
    identities: Vec<IdentityRow>,
    moment: Option<i64>,
    travel_error: Option<String>,
    past_summary: Option<Summary>,
    past_alerts: Option<Vec<Alert>>,
}
