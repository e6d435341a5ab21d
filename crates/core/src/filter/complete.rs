//! Tab completion: what may come at the cursor, from the tokens before it
//! and the schema (field names, the operators a field takes, enum and
//! yes/no values, keywords).

use super::lex::{lex, Tok, Token};
use super::parse::allowed;
use super::{FieldKind, Schema};

/// One suggestion: replace the characters `start..end` (the word being
/// typed, in characters from 0) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// What it is (a field's doc, or "operator", "value", "keyword").
    pub doc: String,
}

/// The suggestions for `input` with the cursor at character `cursor`.
/// Nothing when the text before the cursor does not lex (an open quote).
pub fn complete(input: &str, cursor: usize, schema: &Schema) -> Vec<Completion> {
    let before: String = input.chars().take(cursor).collect();
    let cursor = before.chars().count();
    let Ok(tokens) = lex(&before) else { return Vec::new() };
    // The word under the cursor, if the cursor touches one.
    let (partial, start, context) = match tokens.split_last() {
        Some((Token { tok: Tok::Word(w), start, end }, rest)) if *end == cursor => (w.to_lowercase(), *start, rest),
        _ => (String::new(), cursor, &tokens[..]),
    };
    let offer = |text: &str, doc: &str| Completion { start, end: cursor, text: text.to_string(), doc: doc.to_string() };
    let fields = || {
        schema.fields.iter().filter(|f| f.name.starts_with(&partial)).map(|f| offer(f.name, f.doc)).collect::<Vec<_>>()
    };
    let keywords = |after: &[&str]| {
        after
            .iter()
            .filter(|k| k.to_ascii_lowercase().starts_with(&partial))
            .map(|k| offer(k, "keyword"))
            .collect::<Vec<_>>()
    };
    match context {
        [] | [.., Token { tok: Tok::And | Tok::Or | Tok::Not | Tok::Open, .. }] => fields(),
        // After `field op`: the field's values, when it has a fixed set.
        [.., Token { tok: Tok::Word(field), .. }, Token { tok: Tok::Op(_), .. }] => {
            let values: &[&str] = match schema.field(field).map(|f| f.kind) {
                Some(FieldKind::Enum(values)) => values,
                Some(FieldKind::Bool) => &["true", "false"],
                _ => &[],
            };
            values.iter().filter(|v| v.starts_with(&partial)).map(|v| offer(v, "value")).collect()
        }
        // After a field with no operator yet: its operators (a yes/no field
        // may also stand alone, so AND/OR too).
        [.., Token { tok: Tok::Word(field), .. }] if partial.is_empty() && !ends_term(context) => {
            match schema.field(field) {
                Some(spec) => {
                    // At the cursor: an operator is inserted, never replaces.
                    let mut out: Vec<Completion> =
                        allowed(spec.kind).iter().map(|op| offer(op.as_str(), "operator")).collect();
                    if spec.kind == FieldKind::Bool {
                        out.extend(keywords(&["AND", "OR"]));
                    }
                    out
                }
                None => Vec::new(),
            }
        }
        // After a whole term: AND, OR, or another term (side by side is AND).
        _ => {
            let mut out = keywords(&["AND", "OR", "NOT"]);
            if !partial.is_empty() {
                out.extend(fields());
            }
            out
        }
    }
}

/// Whether the tokens end with a whole `field op value` term (or `)`).
fn ends_term(tokens: &[Token]) -> bool {
    matches!(
        tokens,
        [.., Token { tok: Tok::Op(_), .. }, Token { tok: Tok::Word(_) | Tok::Quoted(_), .. }]
            | [.., Token { tok: Tok::Close, .. }]
    )
}
