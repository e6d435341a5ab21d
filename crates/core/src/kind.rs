//! The four connection kinds and the three entity types at their ends.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a connection joins. Names follow the OpenZiti design note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnKind {
    /// A router's control channel to a controller.
    RouterToCtrl,
    /// A controller cluster peer connection (raft mesh).
    CtrlToCtrl,
    /// An identity (SDK) talking to a controller's REST API.
    EdgeToCtrl,
    /// An identity (SDK) connected to an edge router.
    EdgeToRouter,
}

/// What sits at one end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityType {
    Controller,
    Router,
    Identity,
}

impl ConnKind {
    /// All kinds, in display order.
    pub const ALL: [ConnKind; 4] =
        [ConnKind::RouterToCtrl, ConnKind::CtrlToCtrl, ConnKind::EdgeToCtrl, ConnKind::EdgeToRouter];

    /// The canonical name, as on the wire: `router-to-ctrl` and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnKind::RouterToCtrl => "router-to-ctrl",
            ConnKind::CtrlToCtrl => "ctrl-to-ctrl",
            ConnKind::EdgeToCtrl => "edge-to-ctrl",
            ConnKind::EdgeToRouter => "edge-to-router",
        }
    }

    /// Reads a kind written in any of the spellings producers use:
    /// `router-to-ctrl`, `router_to_ctrl`, `RouterToCtrl`, `ROUTER_TO_CTRL`,
    /// `RouterToController`. Case, `-`, `_` and spaces do not matter.
    pub fn from_loose(text: &str) -> Option<Self> {
        let mut norm = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                norm.push(c.to_ascii_lowercase());
            } else if !matches!(c, '-' | '_' | ' ' | '.') {
                return None;
            }
        }
        let norm = norm.replace("controller", "ctrl");
        match norm.as_str() {
            "routertoctrl" => Some(ConnKind::RouterToCtrl),
            "ctrltoctrl" => Some(ConnKind::CtrlToCtrl),
            "edgetoctrl" | "identitytoctrl" => Some(ConnKind::EdgeToCtrl),
            "edgetorouter" | "identitytorouter" => Some(ConnKind::EdgeToRouter),
            _ => None,
        }
    }

    /// The entity types at the source and destination ends.
    pub fn ends(self) -> (EntityType, EntityType) {
        match self {
            ConnKind::RouterToCtrl => (EntityType::Router, EntityType::Controller),
            ConnKind::CtrlToCtrl => (EntityType::Controller, EntityType::Controller),
            ConnKind::EdgeToCtrl => (EntityType::Identity, EntityType::Controller),
            ConnKind::EdgeToRouter => (EntityType::Identity, EntityType::Router),
        }
    }
}

impl fmt::Display for ConnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EntityType {
    /// All entity types, in display order.
    pub const ALL: [EntityType; 3] = [EntityType::Controller, EntityType::Router, EntityType::Identity];

    /// Lower-case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Controller => "controller",
            EntityType::Router => "router",
            EntityType::Identity => "identity",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_spellings() {
        for k in ConnKind::ALL {
            assert_eq!(ConnKind::from_loose(k.as_str()), Some(k));
            assert_eq!(ConnKind::from_loose(&k.as_str().replace('-', "_").to_uppercase()), Some(k));
        }
        assert_eq!(ConnKind::from_loose("RouterToCtrl"), Some(ConnKind::RouterToCtrl));
        assert_eq!(ConnKind::from_loose("RouterToController"), Some(ConnKind::RouterToCtrl));
        assert_eq!(ConnKind::from_loose("EdgeToRouter"), Some(ConnKind::EdgeToRouter));
        assert_eq!(ConnKind::from_loose("router-to-moon"), None);
        assert_eq!(ConnKind::from_loose("router<to>ctrl"), None);
    }

    #[test]
    fn wire_names_round_trip() {
        for k in ConnKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<ConnKind>(&json).unwrap(), k);
        }
    }
}
