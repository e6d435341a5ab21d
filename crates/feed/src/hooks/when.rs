//! A hook's rule: which changes it hears about. Written as a change
//! expression of the filter language (`docs/filter.md`, the change fields),
//! the same language as the app's change log:
//!
//! ```toml
//! when = "kind=router-to-ctrl AND !up AND id=edge-*"
//! ```
//!
//! or in the older table form, the dispatcher's own [`Interest`]
//! (`when = { kinds = ["router-to-ctrl"], up = false, pattern = "edge-*" }`),
//! which keeps working. An expression is parsed when the config is loaded,
//! so a mistake is refused then, with its column, never at the first change.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use zitiscope_core::dispatch::Interest;
use zitiscope_core::filter::{Filter, FilterError, Named, CHANGE_SCHEMA};
use zitiscope_core::store::ChangeLabel;
use zitiscope_core::Change;

/// See the module docs.
#[derive(Clone, Debug, PartialEq)]
pub enum When {
    /// A change expression; `text` as written, for messages.
    Expr { text: String, filter: Filter },
    /// The older table form.
    Table(Interest),
}

impl Default for When {
    /// Every change (what an absent `when` means).
    fn default() -> Self {
        When::Expr { text: String::new(), filter: Filter::default() }
    }
}

impl When {
    /// Parses a change expression.
    pub fn parse(text: &str) -> Result<When, FilterError> {
        Ok(When::Expr { text: text.to_owned(), filter: Filter::parse(text, &CHANGE_SCHEMA)? })
    }

    /// What to subscribe to at the dispatcher. An expression subscribes to
    /// every change and is tested by [`When::passes`], which is cheap next
    /// to a delivery and runs outside the hub's lock.
    pub fn interest(&self) -> Interest {
        match self {
            When::Table(interest) => interest.clone(),
            When::Expr { .. } => Interest::default(),
        }
    }

    /// Whether a change the [`When::interest`] let through is one for the hook.
    /// `label` names the change's routers and identities (the store's
    /// names): `name`, `state` and bare words read them.
    pub fn passes(&self, change: &Change, label: &dyn Fn(&Change) -> ChangeLabel) -> bool {
        match self {
            When::Table(_) => true,
            When::Expr { filter, .. } => filter.matches(&Named { change, label }),
        }
    }
}

impl std::str::FromStr for When {
    type Err = FilterError;

    fn from_str(text: &str) -> Result<When, FilterError> {
        When::parse(text)
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<When, D::Error> {
        d.deserialize_any(WhenVisitor)
    }
}

struct WhenVisitor;

impl<'de> Visitor<'de> for WhenVisitor {
    type Value = When;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a change expression such as \"kind=router-to-ctrl AND !up\" (or the older table form)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<When, E> {
        When::parse(text).map_err(|e| E::custom(format!("{e} (in \"{text}\")")))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<When, A::Error> {
        // Through the interest's own derive, so its unknown-key errors stay.
        Interest::deserialize(de::value::MapAccessDeserializer::new(map)).map(When::Table)
    }
}
