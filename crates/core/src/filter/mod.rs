//! The filter language: one small expression grammar shared by the map's
//! find and hide, the event log, the alert board and the feed's history
//! API (`docs/filter.md` is the user's reference).
//!
//! ```text
//! expr    := or
//! or      := and (("OR" | "||") and)*
//! and     := unary (("AND" | "&&")? unary)*      two terms side by side mean AND
//! unary   := ("NOT" | "!") unary | "(" expr ")" | term
//! term    := field [op value]                     a field alone must be a yes/no field
//!          | word | "quoted"                      not a field: a search (see below)
//! op      := "=" | "!=" | "^=" | "$=" | "*=" | ">" | ">=" | "<" | "<="
//! value   := word | "quoted \"text\"" | number [unit]
//! unit    := "ns" | "us" | "µs" | "ms" | "s" | "m" | "h"
//! ```
//!
//! `type=router AND state=down`, `name^=edge-eu`, `kind=edge-to-router
//! AND flaps>3`, `latency>100ms`, `!healthy`. Keywords and text comparisons
//! ignore case. A bare text value after `=` or `!=` may hold the wildcards
//! `*` and `?` (`id=edge-*`); quoted, it is text as written. A word that is not a field, with no operator after it, is a
//! search: `edge-eu down` is every subject that mentions both (for a node:
//! its id or type contains the word, or its state is it), so a plain search
//! box stays a plain search box. A [`Schema`] names the fields a subject has and their kinds;
//! [`Filter::parse`] checks every field, operator and value against it, so
//! a mistake is reported once, at its column ([`FilterError`]), not as a
//! filter that silently matches nothing.
//!
//! Input is untrusted (it comes from the URL): it is capped at
//! [`MAX_LEN`] characters and [`MAX_DEPTH`] nested groups, and neither the
//! parser nor the evaluator can recurse deeper than that.

mod complete;
mod eval;
mod lex;
mod parse;
mod subjects;

pub use complete::{complete, Completion};
pub use subjects::{Named, NamedEvent, ALERT_SCHEMA, CHANGE_SCHEMA, EVENT_SCHEMA, NODE_SCHEMA};

use std::fmt;

/// The longest expression accepted, in characters.
pub const MAX_LEN: usize = 1024;
/// The deepest nesting of groups and negations accepted.
pub const MAX_DEPTH: usize = 32;

/// What a field holds, which decides the operators and values it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text: `=`, `!=` (whole, ignoring case), `^=` (starts with),
    /// `$=` (ends with), `*=` (contains).
    Text,
    /// One of a fixed set of words: `=` and `!=`, and the value must be
    /// one of them.
    Enum(&'static [&'static str]),
    /// A count or measure: `=`, `!=`, `>`, `>=`, `<`, `<=`.
    Number,
    /// A duration, written with a unit (`100ms`, `2s`; a bare number is
    /// milliseconds): compared like a number, in nanoseconds.
    Duration,
    /// Yes or no: named alone (`healthy`, `!healthy`) or `=true`/`=false`.
    Bool,
}

/// One field of a [`Schema`].
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// Its name in expressions (lowercase).
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// One line for completion menus and the reference.
    pub doc: &'static str,
}

/// The fields of one kind of subject (map nodes, events, alerts…).
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// Its fields, in the order completion offers them.
    pub fields: &'static [FieldSpec],
}

impl Schema {
    /// The field called `name` (ignoring case).
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// A field's value on one subject.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Text and enum fields.
    Text(&'a str),
    /// Text the subject makes on demand (compared like `Text`).
    Owned(String),
    /// A text field with several values (a node's role attributes): a
    /// comparison passes when any value passes it, and `!=` when none equals.
    Many(&'a [String]),
    /// Several values the subject makes on demand (an entity's id and its
    /// name), compared like `Many`.
    ManyOwned(Vec<String>),
    /// Number fields.
    Number(f64),
    /// Duration fields, in nanoseconds.
    Duration(i64),
    /// Yes/no fields.
    Bool(bool),
}

/// Something a filter can be applied to.
pub trait Subject {
    /// The value of `field` (one of its schema's names, lowercase), or
    /// `None` when this subject has none (then only `!=` matches).
    fn get(&self, field: &str) -> Option<Value<'_>>;

    /// Whether this subject mentions `word` (lowercase): the meaning of a
    /// bare word that is not a field. Nothing does, unless a subject says.
    fn mentions(&self, word: &str) -> bool {
        let _ = word;
        false
    }
}

/// Where and why an expression is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// The first character at fault, counted from 1 (in characters, not bytes).
    pub col: usize,
    /// How many characters are at fault (at least 1), for underlining.
    pub len: usize,
    /// What is wrong, and where useful what would be right.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "col {}: {}", self.col, self.message)
    }
}

impl std::error::Error for FilterError {}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Prefix,
    Suffix,
    Contains,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// How it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Prefix => "^=",
            Op::Suffix => "$=",
            Op::Contains => "*=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// A checked value on the right of an operator.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// Lowercased, for comparisons that ignore case.
    Text(String),
    /// A lowercased bare value with wildcards (`edge-*`), for `=` and `!=`
    /// on a text field.
    Glob(String),
    Number(f64),
    Duration(i64),
    Bool(bool),
}

/// The expression tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    All,
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp {
        field: &'static str,
        op: Op,
        value: Operand,
    },
    /// A bare word (lowercase): [`Subject::mentions`].
    Search(String),
}

/// A parsed, checked filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    expr: Expr,
}

impl Default for Filter {
    /// The filter that matches everything (what an empty input parses to).
    fn default() -> Self {
        Filter { expr: Expr::All }
    }
}

impl Filter {
    /// Parses `input` against `schema`. An empty (or all-blank) input is the
    /// filter that matches everything.
    pub fn parse(input: &str, schema: &Schema) -> Result<Filter, FilterError> {
        parse::parse(input, schema).map(|expr| Filter { expr })
    }

    /// Whether `subject` passes.
    pub fn matches(&self, subject: &dyn Subject) -> bool {
        eval::eval(&self.expr, subject)
    }

    /// Whether this is the filter that matches everything.
    pub fn is_all(&self) -> bool {
        self.expr == Expr::All
    }
}

#[cfg(test)]
mod tests;
