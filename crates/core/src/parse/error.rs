//! The parser's one error type: which field, and why.

use std::fmt;

/// Why an input could not be turned into an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The field at fault, when one is (`None` for broken JSON).
    pub field: Option<&'static str>,
    /// What is wrong with it, in words an operator can act on.
    pub reason: String,
}

impl ParseError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        ParseError { field: Some(field), reason: reason.into() }
    }

    pub(crate) fn missing(field: &'static str) -> Self {
        ParseError::new(field, "is missing")
    }

    pub(crate) fn from_json(e: serde_json::Error) -> Self {
        ParseError { field: None, reason: format!("invalid JSON: {e}") }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "field `{field}` {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for ParseError {}
