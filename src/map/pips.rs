//! A router's control channels as pips above it, in place of a line to
//! every controller.

use super::draw::{on_screen, radius, Frame};
use zitiscope_core::store::ControlMarks;

/// Where a state's pips sit in a router's row: the first and how many.
type Run = fn(ControlMarks) -> (u32, u32);

/// Above each router, one pip per controller of the cluster: up, down (a
/// channel it had), and never seen, so "3/3" reads at a glance without a
/// line to each controller (`RouterNode::control_marks`). Left out when
/// nodes are too small to carry them (the node's colour still says it).
pub(super) fn control_pips(f: &Frame) {
    const PIP: f64 = 4.0;
    const GAP: f64 = 2.0;
    let r = radius(f.view.scale);
    if r < 5.0 {
        return;
    }
    let ctx = f.ctx;
    let controllers = f.topology.controllers.len();
    // One path a state: thousands of pips cost three fills.
    let runs: [(&str, Run); 3] = [
        (f.palette.up, |m| (0, m.up)),
        (f.palette.down, |m| (m.up, m.down)),
        (f.palette.muted, |m| (m.up + m.down, m.unseen)),
    ];
    for (colour, run) in runs {
        ctx.begin_path();
        for node in f.topology.routers.iter().filter(|n| f.shows_router(&n.id)) {
            let Some(p) = f.routers.get(&node.id).map(|p| f.view.to_screen(*p)) else { continue };
            if !on_screen(f, p, 20.0) {
                continue;
            }
            let m = node.control_marks(controllers);
            let all = m.up + m.down + m.unseen;
            let (from, count) = run(m);
            let left = p.x - (f64::from(all) * (PIP + GAP) - GAP) / 2.0;
            for i in from..from + count {
                ctx.rect(left + f64::from(i) * (PIP + GAP), p.y - r - 3.0 - PIP, PIP, PIP);
            }
        }
        ctx.set_fill_style_str(colour);
        ctx.fill();
    }
}
