//! Applying a checked expression to one subject.

use super::{Expr, Op, Operand, Subject, Value};
use crate::dispatch::glob;
use std::borrow::Cow;
use std::cmp::Ordering;

pub(crate) fn eval(expr: &Expr, subject: &dyn Subject) -> bool {
    match expr {
        Expr::All => true,
        Expr::Not(e) => !eval(e, subject),
        Expr::And(es) => es.iter().all(|e| eval(e, subject)),
        Expr::Or(es) => es.iter().any(|e| eval(e, subject)),
        Expr::Cmp { field, op, value } => compare(subject.get(field), *op, value),
        Expr::Search(word) => subject.mentions(word),
    }
}

/// `field op value` on one subject. A field the subject lacks (or holds in
/// another kind) equals nothing, so only `!=` matches it.
fn compare(have: Option<Value<'_>>, op: Op, want: &Operand) -> bool {
    let values = match &have {
        Some(Value::Many(values)) => Some(*values),
        Some(Value::ManyOwned(values)) => Some(values.as_slice()),
        _ => None,
    };
    if let Some(values) = values {
        let any = |op| values.iter().any(|v| compare(Some(Value::Text(v)), op, want));
        return if op == Op::Ne { !any(Op::Eq) } else { any(op) };
    }
    let ordering = match (have, want) {
        (Some(Value::Text(s)), Operand::Text(w)) => return text(&fold(s), op, w),
        (Some(Value::Owned(s)), Operand::Text(w)) => return text(&fold(&s), op, w),
        // The parser allows only `=` and `!=` with a wildcard value.
        (Some(Value::Text(s)), Operand::Glob(p)) => return glob(p, &fold(s)) == (op == Op::Eq),
        (Some(Value::Owned(s)), Operand::Glob(p)) => return glob(p, &fold(&s)) == (op == Op::Eq),
        (Some(Value::Number(n)), Operand::Number(w)) => n.partial_cmp(w),
        (Some(Value::Duration(n)), Operand::Duration(w)) => Some(n.cmp(w)),
        (Some(Value::Bool(b)), Operand::Bool(w)) => Some(if b == *w { Ordering::Equal } else { Ordering::Less }),
        _ => None,
    };
    match (ordering, op) {
        (None, Op::Ne) => true,
        (None, _) => false,
        (Some(o), Op::Eq) => o == Ordering::Equal,
        (Some(o), Op::Ne) => o != Ordering::Equal,
        (Some(o), Op::Gt) => o == Ordering::Greater,
        (Some(o), Op::Ge) => o != Ordering::Less,
        (Some(o), Op::Lt) => o == Ordering::Less,
        (Some(o), Op::Le) => o != Ordering::Greater,
        // Text operators on a non-text field never pass the parser.
        (Some(_), Op::Prefix | Op::Suffix | Op::Contains) => false,
    }
}

fn text(have: &str, op: Op, want: &str) -> bool {
    match op {
        Op::Eq => have == want,
        Op::Ne => have != want,
        Op::Prefix => have.starts_with(want),
        Op::Suffix => have.ends_with(want),
        Op::Contains => have.contains(want),
        // Ordering operators on a text field never pass the parser.
        Op::Gt | Op::Ge | Op::Lt | Op::Le => false,
    }
}

/// `s` lowercased, without allocating when it already is (most ids are).
fn fold(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}
