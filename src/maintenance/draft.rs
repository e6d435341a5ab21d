//! The form's fields as a window, pure (natively tested): [`Draft`] is
//! what was typed (the two moments already read in the browser's local
//! time), [`Draft::window`] the core's `Window` it makes or what is wrong,
//! and [`body`] the JSON `POST /maintenance` takes.
//!
//! What can be checked here is: the name, the targets, the filter (the
//! core's parser, as the feed reads it) and a once window's whole check
//! (`Window::check`). A weekly window's zone needs the zone database,
//! which the app does not carry (the core's `tz` feature), so the feed
//! checks that, and its reason is shown as it gives it.

use zitiscope_core::filter::{Filter, NODE_SCHEMA};
use zitiscope_core::report::windows::{Day, Scope, When, Window, MAX_WEEKLY_MINUTES};
use zitiscope_core::Timestamp;

/// What a window covers, as the form's radio says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Nodes,
    Filter,
    Links,
}

/// When a window holds, as the form's radio says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenKind {
    Once,
    Weekly,
}

/// The form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: String,
    pub scope: ScopeKind,
    /// Node names or ids, or link ids (comma-separated), or an expression.
    pub targets: String,
    pub when: WhenKind,
    /// A once window's start and end (ns), read in local time; `None`
    /// when the input holds no time.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub days: Vec<Day>,
    /// `HH:MM`, the zone's wall clock.
    pub start: String,
    pub minutes: String,
    pub zone: String,
}

/// A comma-separated list, each item trimmed, the empty and the repeated
/// left out.
pub fn list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// Why a filter-scope expression does not parse (`None`: it does).
pub fn filter_error(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("scope: write an expression (e.g. attr=eu)".into());
    }
    Filter::parse(text, &NODE_SCHEMA).err().map(|e| format!("scope: {e}"))
}

impl Draft {
    /// The window it makes, or what is wrong with it.
    pub fn window(&self) -> Result<Window, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("name: give the window a name".into());
        }
        let scope = match self.scope {
            ScopeKind::Nodes => Scope::Nodes(list(&self.targets)),
            ScopeKind::Links => Scope::Links(list(&self.targets)),
            ScopeKind::Filter => match filter_error(&self.targets) {
                Some(e) => return Err(e),
                None => Scope::Filter(self.targets.trim().to_owned()),
            },
        };
        if let Scope::Nodes(v) | Scope::Links(v) = &scope {
            if v.is_empty() {
                let what = if self.scope == ScopeKind::Nodes { "node" } else { "link" };
                return Err(format!("scope: name at least one {what}, commas between them"));
            }
        }
        let when = match self.when {
            WhenKind::Once => {
                let from = self.from.ok_or("from: not a time")?;
                let to = self.to.ok_or("to: not a time")?;
                When::Once { from, to }
            }
            WhenKind::Weekly => {
                if self.days.is_empty() {
                    return Err("days: pick at least one".into());
                }
                let minutes = match self.minutes.trim().parse::<u32>() {
                    Ok(m) if (1..=MAX_WEEKLY_MINUTES).contains(&m) => m,
                    _ => return Err(format!("minutes: a whole number from 1 to {MAX_WEEKLY_MINUTES}")),
                };
                let zone = self.zone.trim();
                if zone.is_empty() {
                    return Err("zone: an IANA time zone, e.g. Europe/Berlin".into());
                }
                When::Weekly {
                    days: self.days.clone(),
                    start: self.start.trim().to_owned(),
                    minutes,
                    zone: zone.into(),
                }
            }
        };
        let window = Window { name: name.to_owned(), when, scope };
        // Without the zone database only a once window checks out here.
        if matches!(window.when, When::Once { .. }) {
            window.check()?;
        }
        Ok(window)
    }
}

/// The window as `POST /maintenance` takes it: JSON, a once window's
/// moments as RFC 3339 UTC text (the feed takes ns too; text reads plainly
/// in its logs and in the browser's tools).
pub fn body(w: &Window) -> String {
    let mut json = serde_json::to_value(w).expect("windows serialise");
    if let When::Once { from, to } = w.when {
        json["when"]["from"] = Timestamp(from).to_rfc3339().into();
        json["when"]["to"] = Timestamp(to).to_rfc3339().into();
    }
    json.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000_000;

    fn draft() -> Draft {
        Draft {
            name: " night work ".into(),
            scope: ScopeKind::Nodes,
            targets: "edge-eu-1, edge-eu-2,,edge-eu-1 ".into(),
            when: WhenKind::Once,
            from: Some(1_800_000_000 * 1_000_000_000),
            to: Some(1_800_000_000 * 1_000_000_000 + H),
            days: Vec::new(),
            start: "01:00".into(),
            minutes: "180".into(),
            zone: "Europe/Berlin".into(),
        }
    }

    #[test]
    fn a_once_window_for_named_nodes() {
        let w = draft().window().unwrap();
        assert_eq!(w.name, "night work");
        assert_eq!(w.scope, Scope::Nodes(vec!["edge-eu-1".into(), "edge-eu-2".into()]), "trimmed, once each");
        assert_eq!(w.when, When::Once { from: 1_800_000_000 * 1_000_000_000, to: 1_800_000_000 * 1_000_000_000 + H });
    }

    #[test]
    fn what_is_wrong_is_said_before_the_feed_is_asked() {
        assert!(Draft { name: "  ".into(), ..draft() }.window().unwrap_err().starts_with("name:"));
        assert!(Draft { targets: " , ".into(), ..draft() }.window().unwrap_err().starts_with("scope:"));
        assert_eq!(Draft { from: None, ..draft() }.window().unwrap_err(), "from: not a time");
        let reversed = Draft { from: draft().to, to: draft().from, ..draft() };
        assert_eq!(reversed.window().unwrap_err(), "from: must be before to", "the core's own check");
        let bad_filter = Draft { scope: ScopeKind::Filter, targets: "stat=down".into(), ..draft() };
        assert!(bad_filter.window().unwrap_err().starts_with("scope: col 1:"));
        let good_filter = Draft { scope: ScopeKind::Filter, targets: " attr=eu ".into(), ..draft() };
        assert_eq!(good_filter.window().unwrap().scope, Scope::Filter("attr=eu".into()));
    }

    #[test]
    fn a_weekly_window_leaves_its_zone_to_the_feed() {
        let weekly = Draft { when: WhenKind::Weekly, days: vec![Day::Sun], ..draft() };
        let w = weekly.window().unwrap();
        assert_eq!(
            w.when,
            When::Weekly { days: vec![Day::Sun], start: "01:00".into(), minutes: 180, zone: "Europe/Berlin".into() }
        );
        assert!(Draft { days: vec![], ..weekly.clone() }.window().unwrap_err().starts_with("days:"));
        assert!(Draft { minutes: "0".into(), ..weekly.clone() }.window().unwrap_err().starts_with("minutes:"));
        assert!(Draft { minutes: "lots".into(), ..weekly.clone() }.window().unwrap_err().starts_with("minutes:"));
        assert!(Draft { zone: " ".into(), ..weekly }.window().unwrap_err().starts_with("zone:"));
    }

    #[test]
    fn the_body_sends_moments_as_rfc_3339_and_reads_back_as_the_same_window() {
        let w = draft().window().unwrap();
        let text = body(&w);
        assert!(text.contains(r#""from":"2027-01-15T08:00:00Z""#), "{text}");
        let back: Window = serde_json::from_str(&text).unwrap();
        assert_eq!(back, w);
        let weekly = Draft { when: WhenKind::Weekly, days: vec![Day::Mon], ..draft() }.window().unwrap();
        assert_eq!(serde_json::from_str::<Window>(&body(&weekly)).unwrap(), weekly);
    }
}
