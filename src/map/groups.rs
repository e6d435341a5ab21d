//! The map's groups: each group's boxes and roll-up (the core's
//! `Layout::regions` and `Rollup`), which groups are collapsed into one
//! tile, and drawing both. A collapsed group's routers are not drawn; their
//! edges end at the tile, which shows the group's worst state and counts.

use super::draw::{health_colour, Frame};
use std::collections::{BTreeSet, HashMap};
use zitiscope_core::layout::labels::short;
use zitiscope_core::layout::{Layout, Point, Rect, Region};
use zitiscope_core::store::{Health, Rollup, Topology};

/// At this many routers the map starts with every group collapsed: a
/// screen of tiles an operator reads at once (a thousand routers drawn
/// one by one are dots too small to name), opened where it matters.
pub const COLLAPSE_AT: usize = 1_000;

/// A group's box with its group's roll-up.
pub struct GroupView {
    pub region: Region,
    pub rollup: Rollup,
}

/// The groups as drawn now.
#[derive(Default)]
pub struct Groups {
    pub views: Vec<GroupView>,
    /// The collapsed groups, by key.
    pub collapsed: BTreeSet<String>,
    /// A collapsed group's routers → where their edges end (the group's
    /// first box's centre, in map units).
    tiles: HashMap<String, Point>,
    /// Each collapsed group's first router: the one the keyboard stops at
    /// for the tile (the others are skipped).
    stands_for: HashMap<String, String>,
    /// Whether the start-collapsed rule has been applied (once, at the
    /// first populated topology: the operator's choice wins after that).
    started: bool,
}

/// A group's name as read (the routers with no group are "ungrouped").
pub fn title(key: &str) -> &str {
    if key.is_empty() {
        "ungrouped"
    } else {
        key
    }
}

impl Groups {
    /// Takes in a topology: the boxes and their roll-ups anew (states
    /// change on most updates), and, the first time, collapses every
    /// group of a big network. `moved`: nodes or boxes moved or came and
    /// went since the last sync (the tiles' index is rebuilt only then).
    pub fn sync(&mut self, layout: &Layout, t: &Topology, moved: bool) {
        let regions = layout.regions();
        let mut rollups: HashMap<&str, Rollup> = HashMap::new();
        for r in &regions {
            rollups.entry(r.group.as_str()).or_insert_with(|| t.rollup(layout.members_any_order(&r.group)));
        }
        let views =
            regions.iter().map(|r| GroupView { region: r.clone(), rollup: rollups[r.group.as_str()] }).collect();
        let mut moved = moved;
        if !self.started && !t.routers.is_empty() {
            self.started = true;
            if t.routers.len() >= COLLAPSE_AT {
                self.collapsed = regions.iter().map(|r| r.group.clone()).collect();
                moved = true;
            }
        }
        self.views = views;
        if moved {
            self.index(layout);
        }
    }

    /// Collapses or expands `group`.
    pub fn toggle(&mut self, group: &str, layout: &Layout) {
        if !self.collapsed.remove(group) {
            self.collapsed.insert(group.to_owned());
        }
        self.index(layout);
    }

    /// Collapses every group (`true`) or expands them all.
    pub fn set_all(&mut self, collapsed: bool, layout: &Layout) {
        self.collapsed =
            if collapsed { self.views.iter().map(|v| v.region.group.clone()).collect() } else { BTreeSet::new() };
        self.index(layout);
    }

    fn index(&mut self, layout: &Layout) {
        self.tiles.clear();
        self.stands_for.clear();
        for v in self.views.iter().filter(|v| v.region.first && self.collapsed.contains(&v.region.group)) {
            let members = layout.members(&v.region.group);
            if let Some(first) = members.first() {
                self.stands_for.insert((*first).to_owned(), v.region.group.clone());
            }
            for r in members {
                self.tiles.insert(r.to_owned(), v.region.rect.centre());
            }
        }
    }

    /// The collapsed group whose tile `router` stands for, for the
    /// keyboard (its first router), if any.
    pub fn tile_for(&self, router: &str) -> Option<&str> {
        self.stands_for.get(router).map(String::as_str)
    }

    /// Where a collapsed group's router is drawn (its tile), if its group is collapsed.
    pub fn tile_of(&self, router: &str) -> Option<Point> {
        self.tiles.get(router).copied()
    }

    /// The group whose header (expanded) or tile (collapsed) is at map
    /// point `p`: what a click there toggles.
    pub fn toggle_at(&self, p: Point) -> Option<&str> {
        let v = self.views.iter().find(|v| {
            let area = if self.collapsed.contains(&v.region.group) { &v.region.rect } else { &v.region.header };
            area.contains(p)
        })?;
        Some(&v.region.group)
    }
}

/// Each group's box: expanded, a faint frame with its name and counts in
/// the header; collapsed, a tile in its worst state's colour, with its
/// name and counts in the middle.
pub(super) fn draw(f: &Frame) {
    let ctx = f.ctx;
    ctx.set_text_baseline("middle");
    for v in &f.groups.views {
        let rect = screen_rect(f, &v.region.rect);
        if rect.x > f.width || rect.y > f.height || rect.x + rect.w < 0.0 || rect.y + rect.h < 0.0 {
            continue;
        }
        let worst = v.rollup.worst().unwrap_or(Health::Unknown);
        let colour = health_colour(f.palette, worst);
        let collapsed = f.groups.collapsed.contains(&v.region.group);
        ctx.begin_path();
        ctx.rect(rect.x, rect.y, rect.w, rect.h);
        if collapsed {
            ctx.set_global_alpha(0.16);
            ctx.set_fill_style_str(colour);
            ctx.fill();
            ctx.set_global_alpha(1.0);
            ctx.set_stroke_style_str(colour);
            ctx.set_line_width(2.0);
        } else {
            ctx.set_stroke_style_str(if worst == Health::Ok { f.palette.muted } else { colour });
            ctx.set_global_alpha(0.35);
            ctx.set_line_width(1.0);
        }
        ctx.stroke();
        ctx.set_global_alpha(1.0);
        if !v.region.first {
            continue;
        }
        let name = title(&v.region.group);
        let counts = v.rollup.text();
        if collapsed {
            let c = rect.centre();
            ctx.set_text_align("center");
            let big = tile_font(rect) * f.ui;
            let small = 12.0 * f.ui;
            text(f, &format!("bold {big:.0}px sans-serif"), f.palette.text, name, c.x, c.y - big * 0.6, rect.w);
            text(f, &format!("{small:.0}px sans-serif"), colour, &counts, c.x, c.y + small * 0.8, rect.w);
        } else {
            ctx.set_text_align("start");
            // Mid-header (a far-out header thinner than the text: its top).
            let y = rect.y + screen_rect(f, &v.region.header).h.max(8.0) / 2.0;
            let line = format!("{}  {counts}", short(name));
            let tone = if worst == Health::Ok { f.palette.muted } else { colour };
            text(f, &format!("bold {:.0}px sans-serif", 12.0 * f.ui), tone, &line, rect.x + 6.0, y, rect.w - 12.0);
        }
    }
    ctx.set_text_baseline("alphabetic");
    ctx.set_text_align("start");
}

/// A tile's name: larger on a larger tile, within reason.
fn tile_font(r: Rect) -> f64 {
    (r.h / 8.0).clamp(12.0, 22.0)
}

fn screen_rect(f: &Frame, r: &Rect) -> Rect {
    let a = f.view.to_screen(Point { x: r.x, y: r.y });
    Rect { x: a.x, y: a.y, w: r.w * f.view.scale, h: r.h * f.view.scale }
}

/// Text cut to `max_w` pixels (none when there is no room for a few
/// characters): a group name never spills over its neighbours.
fn text(f: &Frame, font: &str, colour: &str, s: &str, x: f64, y: f64, max_w: f64) {
    if max_w < 40.0 {
        return;
    }
    f.ctx.set_font(font);
    f.ctx.set_fill_style_str(colour);
    let _ = f.ctx.fill_text_with_max_width(s, x, y, max_w);
}
