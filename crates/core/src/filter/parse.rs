//! The recursive-descent parser: tokens to a checked [`Expr`], every field,
//! operator and value checked against the [`Schema`].

use super::lex::{glob_char, lex, Tok, Token};
use super::{Expr, FieldKind, FieldSpec, FilterError, Op, Operand, Schema, MAX_DEPTH, MAX_LEN};

pub(crate) fn parse(input: &str, schema: &Schema) -> Result<Expr, FilterError> {
    let len = input.chars().count();
    if len > MAX_LEN {
        return Err(FilterError {
            col: MAX_LEN + 1,
            len: len - MAX_LEN,
            message: format!("a filter is at most {MAX_LEN} characters"),
        });
    }
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser { tokens: &tokens, at: 0, schema, end: len };
    let expr = p.or(0)?;
    match p.peek() {
        None => Ok(expr),
        Some(t) if t.tok == Tok::Close => Err(p.error_at(t, "this `)` has no `(` to close")),
        Some(t) => Err(p.error_at(t, "expected AND, OR or the end here")),
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    schema: &'a Schema,
    /// The input's length in characters (where "at the end" errors point).
    end: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.at);
        self.at += 1;
        t
    }

    fn error_at(&self, t: &Token, message: impl Into<String>) -> FilterError {
        FilterError { col: t.start + 1, len: (t.end - t.start).max(1), message: message.into() }
    }

    fn error_end(&self, message: impl Into<String>) -> FilterError {
        FilterError { col: self.end + 1, len: 1, message: message.into() }
    }

    fn or(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut terms = vec![self.and(depth)?];
        while matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            self.next();
            terms.push(self.and(depth)?);
        }
        Ok(if terms.len() == 1 { terms.pop().expect("one term") } else { Expr::Or(terms) })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut terms = vec![self.unary(depth)?];
        loop {
            match self.peek().map(|t| &t.tok) {
                Some(Tok::And) => {
                    self.next();
                    terms.push(self.unary(depth)?);
                }
                // Side by side: `type=router state=down` reads as AND.
                Some(Tok::Word(_) | Tok::Not | Tok::Open) => terms.push(self.unary(depth)?),
                _ => break,
            }
        }
        Ok(if terms.len() == 1 { terms.pop().expect("one term") } else { Expr::And(terms) })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let Some(t) = self.next() else {
            return Err(self.error_end("expected a field, `(` or `!` at the end"));
        };
        if matches!(t.tok, Tok::Not | Tok::Open) && depth >= MAX_DEPTH {
            return Err(self.error_at(t, format!("nested more than {MAX_DEPTH} deep")));
        }
        match &t.tok {
            Tok::Not => Ok(Expr::Not(Box::new(self.unary(depth + 1)?))),
            Tok::Open => {
                if matches!(self.peek(), Some(Token { tok: Tok::Close, .. })) {
                    return Err(self.error_at(t, "an empty `()`"));
                }
                let inner = self.or(depth + 1)?;
                match self.next() {
                    Some(Token { tok: Tok::Close, .. }) => Ok(inner),
                    Some(other) => Err(self.error_at(other, "expected `)` or AND/OR here")),
                    None => Err(self.error_at(t, "this `(` is never closed")),
                }
            }
            Tok::Word(name) => self.term(t, name),
            Tok::Quoted(word) => match self.peek() {
                Some(Token { tok: Tok::Op(_), .. }) => Err(self.error_at(t, "a field name is not quoted")),
                _ => Ok(Expr::Search(word.to_lowercase())),
            },
            Tok::Op(op) => Err(self.error_at(t, format!("expected a field before `{}`", op.as_str()))),
            Tok::And | Tok::Or => Err(self.error_at(t, "expected a field, `(` or `!` before AND/OR")),
            Tok::Close => Err(self.error_at(t, "expected a field, `(` or `!` here")),
        }
    }

    /// `field [op value]`, with `name` the field's token text.
    fn term(&mut self, at: &Token, name: &str) -> Result<Expr, FilterError> {
        let followed_by_op = matches!(self.peek(), Some(Token { tok: Tok::Op(_), .. }));
        let Some(field) = self.schema.field(name) else {
            // Not a field: with an operator it is a mistake, alone a search.
            return if followed_by_op {
                Err(self.unknown_field(at, name))
            } else if name.chars().any(glob_char) {
                // A search is for text as written; a wildcard there would
                // quietly match nothing.
                Err(self.error_at(at, "`*` and `?` are wildcards only in a text field's value (name=edge-*); quote the word to search for them"))
            } else {
                Ok(Expr::Search(name.to_lowercase()))
            };
        };
        let op = match self.peek() {
            Some(Token { tok: Tok::Op(op), .. }) => {
                self.next();
                *op
            }
            _ if field.kind == FieldKind::Bool => return Ok(cmp(field, Op::Eq, Operand::Bool(true))),
            _ => return Err(self.error_at(at, format!("`{}` needs a comparison, e.g. {}", field.name, example(field)))),
        };
        let op_token = &self.tokens[self.at - 1];
        let value = match self.next() {
            Some(v @ Token { tok: Tok::Word(s) | Tok::Quoted(s), .. }) => (v, s.as_str()),
            Some(other) => return Err(self.error_at(other, format!("expected a value after `{}`", op.as_str()))),
            None => return Err(self.error_end(format!("expected a value after `{}`", op.as_str()))),
        };
        if !allowed(field.kind).contains(&op) {
            let ops: Vec<&str> = allowed(field.kind).iter().map(|o| o.as_str()).collect();
            return Err(self.error_at(
                op_token,
                format!("`{}` does not take `{}`: use {}", field.name, op.as_str(), ops.join(" ")),
            ));
        }
        let operand = self.operand(field, op, value.0, value.1)?;
        Ok(cmp(field, op, operand))
    }

    fn operand(&self, field: &FieldSpec, op: Op, at: &Token, raw: &str) -> Result<Operand, FilterError> {
        // Only a bare word holds wildcards: a quoted value is text as written.
        let glob = matches!(at.tok, Tok::Word(_)) && raw.chars().any(glob_char);
        match field.kind {
            FieldKind::Text if glob && matches!(op, Op::Eq | Op::Ne) => Ok(Operand::Glob(raw.to_lowercase())),
            FieldKind::Text if glob => Err(self.error_at(
                at,
                format!("`*` and `?` are wildcards only after = or != (e.g. {}=edge-*); quote the value to match them as text", field.name),
            )),
            FieldKind::Text => Ok(Operand::Text(raw.to_lowercase())),
            FieldKind::Enum(values) => values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(raw))
                .map(|v| Operand::Text(v.to_string()))
                .ok_or_else(|| self.error_at(at, format!("`{}` is one of: {}", field.name, values.join(", ")))),
            FieldKind::Number => raw
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Operand::Number)
                .ok_or_else(|| self.error_at(at, format!("`{}` is a number: `{raw}` is not one", field.name))),
            FieldKind::Duration => duration_ns(raw).map(Operand::Duration).ok_or_else(|| {
                self.error_at(at, format!("`{}` is a duration, e.g. 100ms, 2s or 5m: `{raw}` is not one", field.name))
            }),
            FieldKind::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" => Ok(Operand::Bool(true)),
                "false" | "no" => Ok(Operand::Bool(false)),
                _ => Err(self.error_at(at, format!("`{}` is true or false", field.name))),
            },
        }
    }

    fn unknown_field(&self, at: &Token, name: &str) -> FilterError {
        let near = self
            .schema
            .fields
            .iter()
            .map(|f| (distance(&name.to_ascii_lowercase(), f.name), f.name))
            .filter(|(d, _)| *d <= 2)
            .min();
        let message = match near {
            Some((_, f)) => format!("no field `{name}`; did you mean `{f}`?"),
            None => {
                let all: Vec<&str> = self.schema.fields.iter().map(|f| f.name).collect();
                format!("no field `{name}`; the fields are {}", all.join(", "))
            }
        };
        self.error_at(at, message)
    }
}

fn cmp(field: &FieldSpec, op: Op, value: Operand) -> Expr {
    Expr::Cmp { field: field.name, op, value }
}

/// The operators a kind of field takes.
pub(crate) fn allowed(kind: FieldKind) -> &'static [Op] {
    match kind {
        FieldKind::Text => &[Op::Eq, Op::Ne, Op::Prefix, Op::Suffix, Op::Contains],
        FieldKind::Enum(_) | FieldKind::Bool => &[Op::Eq, Op::Ne],
        FieldKind::Number | FieldKind::Duration => &[Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le],
    }
}

/// An example term for a field, for messages.
fn example(field: &FieldSpec) -> String {
    match field.kind {
        FieldKind::Text => format!("{0}=… or {0}^=…", field.name),
        FieldKind::Enum(values) => format!("{}={}", field.name, values.first().unwrap_or(&"…")),
        FieldKind::Number => format!("{}>3", field.name),
        FieldKind::Duration => format!("{}>100ms", field.name),
        FieldKind::Bool => field.name.to_string(),
    }
}

/// `100ms`, `2.5s`, `5m`, `1h`, `250us`, `10ns`; a bare number is ms.
pub(crate) fn duration_ns(raw: &str) -> Option<i64> {
    let split = raw.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(raw.len());
    let (num, unit) = raw.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "" | "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    };
    let ns = n * scale;
    (ns.is_finite() && ns < i64::MAX as f64).then_some(ns as i64)
}

/// Levenshtein distance, for "did you mean" (field names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
