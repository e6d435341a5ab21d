//! The filter language's tokens, each with its character span (for errors
//! that point at a column, and for completion at the cursor).

use super::{FilterError, Op};

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: a field, a keyword or an unquoted value.
    Word(String),
    /// A `"quoted"` value, unescaped.
    Quoted(String),
    Op(Op),
    Not,
    And,
    Or,
    Open,
    Close,
}

/// A token and its span, in characters from 0, end exclusive.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// Whether `c` may be part of a bare word. Values such as `edge-eu-1`,
/// `10.0.0.2:3022`, `100ms` and `D4vX.q9LmP` need no quotes, and neither
/// does a wildcard value (`edge-*`, `r?`); see [`glob_char`].
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@' | '+' | 'µ' | '#' | '%') || glob_char(c)
}

/// The wildcards of a bare value: `*` (any run) and `?` (one character).
pub(crate) fn glob_char(c: char) -> bool {
    matches!(c, '*' | '?')
}

/// Splits `input` into tokens. Keywords (`AND`, `OR`, `NOT`) are words the
/// parser recognises; the lexer only splits.
pub(crate) fn lex(input: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |col: usize, len: usize, message: String| FilterError { col: col + 1, len, message };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = chars.get(i + 1).copied();
        let (tok, end) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Tok::Open, i + 1),
            ')' => (Tok::Close, i + 1),
            '!' if two == Some('=') => (Tok::Op(Op::Ne), i + 2),
            '!' => (Tok::Not, i + 1),
            '=' if two == Some('=') => (Tok::Op(Op::Eq), i + 2),
            '=' => (Tok::Op(Op::Eq), i + 1),
            '^' | '$' | '*' if two == Some('=') => {
                let op = match c {
                    '^' => Op::Prefix,
                    '$' => Op::Suffix,
                    _ => Op::Contains,
                };
                (Tok::Op(op), i + 2)
            }
            '>' if two == Some('=') => (Tok::Op(Op::Ge), i + 2),
            '>' => (Tok::Op(Op::Gt), i + 1),
            '<' if two == Some('=') => (Tok::Op(Op::Le), i + 2),
            '<' => (Tok::Op(Op::Lt), i + 1),
            '&' if two == Some('&') => (Tok::And, i + 2),
            '|' if two == Some('|') => (Tok::Or, i + 2),
            '"' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(err(start, chars.len() - start, "this quote is never closed".into())),
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(j + 1), Some('"' | '\\')) => {
                            s.push(chars[j + 1]);
                            j += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                (Tok::Quoted(s), j + 1)
            }
            c if word_char(c) => {
                let mut j = i;
                // `*=` is an operator even right after a word (`name*=us`).
                while j < chars.len() && word_char(chars[j]) && !(chars[j] == '*' && chars.get(j + 1) == Some(&'=')) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                let tok = match word.to_ascii_uppercase().as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(word),
                };
                (tok, j)
            }
            other => {
                let shown = if other.is_control() { format!("U+{:04X}", other as u32) } else { format!("`{other}`") };
                return Err(err(start, 1, format!("{shown} has no meaning here; quote values that contain it")));
            }
        };
        out.push(Token { tok, start, end });
        i = end;
    }
    Ok(out)
}
