//! Layouts that stay where you put them: nodes pinned by hand, and groups
//! moved by hand, as one value that a browser keeps and a person exports
//! and imports (so a wall and a desk share one picture).
//!
//! The invariant: a pinned node is where its pin says, whatever else comes
//! and goes (the layout places new nodes in slots and never reads a pin to
//! do so, so no churn moves a pin). The rules:
//! - nodes are keyed by their URL form (`router:<id>`, `controller:<id>`),
//!   ids and not names, since names change and ids do not;
//! - a pin for a node that is not on the map now is kept (it may come back);
//! - an import is all or nothing: a file with one bad entry changes nothing
//!   and says which entry is bad.

use super::{NodeId, Point};
use std::collections::BTreeMap;

/// The most entries a layout file may hold (a network's nodes and groups,
/// with room to spare; a bigger file is not a layout).
pub const MAX_PINS: usize = 200_000;
/// The farthest a pin may be from the origin, in map units.
const MAX_COORD: f64 = 1e7;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pins {
    /// Pinned nodes: where each is, in map units.
    #[serde(default)]
    pub nodes: BTreeMap<String, [f64; 2]>,
    /// Moved groups: how far each group's boxes were moved, in map units.
    #[serde(default)]
    pub groups: BTreeMap<String, [f64; 2]>,
}

impl Pins {
    /// Whether nothing is pinned or moved.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.groups.is_empty()
    }

    /// Reads a layout file, checking every entry (see the module docs).
    pub fn from_json(text: &str) -> Result<Pins, String> {
        let pins: Pins = serde_json::from_str(text).map_err(|e| format!("not a layout file: {e}"))?;
        if pins.nodes.len() + pins.groups.len() > MAX_PINS {
            return Err(format!("too many entries (at most {MAX_PINS})"));
        }
        let sane = |[x, y]: [f64; 2]| x.is_finite() && y.is_finite() && x.abs() <= MAX_COORD && y.abs() <= MAX_COORD;
        for (key, at) in &pins.nodes {
            if NodeId::from_param(key).is_none() {
                return Err(format!("node {key:?}: not router:<id> or controller:<id>"));
            }
            if !sane(*at) {
                return Err(format!("node {key:?}: a position out of range"));
            }
        }
        if let Some((key, _)) = pins.groups.iter().find(|(_, by)| !sane(**by)) {
            return Err(format!("group {key:?}: a move out of range"));
        }
        Ok(pins)
    }

    /// The layout file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The pins as the layout looks them up.
#[derive(Clone, Debug, Default)]
pub(super) struct Pinned {
    pub nodes: std::collections::HashMap<NodeId, Point>,
    pub groups: std::collections::HashMap<String, Point>,
}

impl Pinned {
    pub fn of(p: &Pins) -> Pinned {
        let at = |[x, y]: [f64; 2]| Point { x, y };
        Pinned {
            nodes: p.nodes.iter().filter_map(|(k, v)| Some((NodeId::from_param(k)?, at(*v)))).collect(),
            groups: p.groups.iter().map(|(k, v)| (k.clone(), at(*v))).collect(),
        }
    }

    pub fn to_pins(&self) -> Pins {
        Pins {
            nodes: self.nodes.iter().map(|(n, p)| (n.to_param(), [p.x, p.y])).collect(),
            groups: self.groups.iter().map(|(g, p)| (g.clone(), [p.x, p.y])).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_file_round_trips_and_bad_ones_change_nothing() {
        let mut p = Pins::default();
        p.nodes.insert("router:Kx7pWq2mRa".into(), [10.5, -20.0]);
        p.groups.insert("eu".into(), [300.0, 0.0]);
        assert_eq!(Pins::from_json(&p.to_json()), Ok(p));
        assert_eq!(Pins::from_json("{}"), Ok(Pins::default()), "an empty layout");
        for (bad, says) in [
            ("[1,2]", "not a layout file"),
            (r#"{"nodes":{"switch:x":[1,2]}}"#, "switch:x"),
            (r#"{"nodes":{"router:a":[1e99,2]}}"#, "out of range"),
            (r#"{"groups":{"eu":[1]}}"#, "not a layout file"),
            (r#"{"groups":{"eu":[0, -1e12]}}"#, "eu"),
        ] {
            let e = Pins::from_json(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
