//! What on the map calls for attention: the nodes an unattended wall must
//! show, from the alert board. One rule for the map's flashing, its ack
//! marks, the wall's pan-to and the repeating sound.
//!
//! The rules:
//! - a node **calls** while a firing alert about it is neither acked nor
//!   silenced (it flashes; the wall pans to the newest; the sound repeats);
//! - a node is **acked** while every firing alert about it that is not
//!   silenced is acked, and there is at least one (it shows an ack mark);
//! - pending and resolved alerts, and alerts about no node, mark nothing;
//!   a silenced alert marks nothing either (silence means "not now"), nor
//!   does one in a maintenance window (the map marks maintenance its own
//!   way);
//! - the sound repeats while any firing alert, about a node or not, is
//!   neither acked nor silenced ([`unanswered`]).

use super::{Alert, AlertKey, AlertState, Severity};
use crate::layout::NodeId;
use crate::Timestamp;
use std::collections::BTreeMap;

/// See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attention {
    /// A firing alert about it is neither acked nor silenced; since when
    /// (the newest such alert's firing time: the wall pans to the newest).
    Calls(Timestamp),
    /// Its firing alerts are all acked.
    Acked,
}

/// Each node that calls for attention or is acked (see the module docs).
pub fn attention(board: &[Alert], silenced: impl Fn(&AlertKey) -> bool) -> BTreeMap<NodeId, Attention> {
    let mut out: BTreeMap<NodeId, Attention> = BTreeMap::new();
    for a in board.iter().filter(|a| a.state == AlertState::Firing && a.maintenance.is_none() && !silenced(&a.key)) {
        let Some(node) = &a.node else { continue };
        let mine = match &a.ack {
            Some(_) => Attention::Acked,
            None => Attention::Calls(a.fired_at.unwrap_or(a.since)),
        };
        let merged = match (out.get(node), mine) {
            (Some(Attention::Calls(t)), Attention::Calls(u)) => Attention::Calls((*t).max(u)),
            (Some(Attention::Calls(t)), Attention::Acked) => Attention::Calls(*t),
            (_, m) => m,
        };
        out.insert(node.clone(), merged);
    }
    out
}

/// The worst severity among the firing alerts that are neither acked nor
/// silenced, node or not (what the repeating sound asks: is anything
/// still unanswered?).
pub fn unanswered(board: &[Alert], silenced: impl Fn(&AlertKey) -> bool) -> Option<Severity> {
    board
        .iter()
        .filter(|a| a.state == AlertState::Firing && a.ack.is_none() && a.maintenance.is_none() && !silenced(&a.key))
        .map(|a| a.severity)
        .min()
}

/// The node that called for attention last, if any (where the wall pans).
pub fn newest_call(marks: &BTreeMap<NodeId, Attention>) -> Option<(&NodeId, Timestamp)> {
    marks
        .iter()
        .filter_map(|(n, a)| match a {
            Attention::Calls(t) => Some((n, *t)),
            Attention::Acked => None,
        })
        .max_by_key(|(n, t)| (*t, std::cmp::Reverse(*n)))
}

#[cfg(test)]
mod tests {
    use super::super::{Ack, Rule};
    use super::*;

    fn alert(rule: Rule, node: &str, state: AlertState, fired: i64, acked: bool) -> Alert {
        let mut a = Alert::firing(rule, node, Timestamp(fired));
        a.state = state;
        a.severity = Severity::Critical;
        a.ack = acked.then(|| Ack { by: "ana".into(), at: Timestamp(fired + 1), comment: String::new() });
        a
    }

    #[test]
    fn a_node_calls_until_every_firing_alert_about_it_is_acked() {
        let r = |id: &str| NodeId::Router(id.into());
        let board = vec![
            alert(Rule::RouterDown, "a", AlertState::Firing, 10, false),
            alert(Rule::MassDisconnect, "a", AlertState::Firing, 20, true),
            alert(Rule::RouterDown, "b", AlertState::Firing, 30, true),
            alert(Rule::RouterDown, "c", AlertState::Pending, 40, false),
            alert(Rule::RouterDown, "d", AlertState::Resolved, 50, false),
            alert(Rule::RouterDown, "e", AlertState::Firing, 60, false),
        ];
        let none = |_: &AlertKey| false;
        let marks = attention(&board, none);
        assert_eq!(marks.get(&r("a")), Some(&Attention::Calls(Timestamp(10))), "one unacked alert is enough");
        assert_eq!(marks.get(&r("b")), Some(&Attention::Acked));
        assert_eq!((marks.get(&r("c")), marks.get(&r("d"))), (None, None), "pending and resolved mark nothing");
        assert_eq!(newest_call(&marks), Some((&r("e"), Timestamp(60))));
        // Silenced: e marks nothing, and a's call is gone with its silenced alert.
        let silenced = |k: &AlertKey| k.subject == "e" || (k.subject == "a" && k.rule == Rule::RouterDown);
        let marks = attention(&board, silenced);
        assert_eq!(marks.get(&r("e")), None);
        assert_eq!(marks.get(&r("a")), Some(&Attention::Acked));
        assert_eq!(newest_call(&marks), None);
        assert_eq!(unanswered(&board, none), Some(Severity::Critical));
        assert_eq!(unanswered(&board, |_| true), None, "all silenced");
        assert_eq!(unanswered(&board[1..3], none), None, "all acked");
        // In maintenance: e marks nothing and calls nobody.
        let mut board = board;
        board[5].maintenance = Some("firmware".into());
        assert_eq!(attention(&board, none).get(&r("e")), None);
        assert_eq!(unanswered(&board[3..], none), None, "in maintenance: answered");
    }
}
