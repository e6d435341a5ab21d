//! Splits a byte stream into numbered lines, in bounded memory. A line that
//! is still being written stays buffered until its newline arrives; a line
//! longer than the limit is dropped as it streams past and reported once.

/// Why a line could not be handed over whole.
#[derive(Debug, PartialEq, Eq)]
pub struct Overlong {
    /// Its length in bytes.
    pub len: usize,
    /// The limit it broke.
    pub max: usize,
}

/// See the module docs.
pub struct Lines {
    buf: Vec<u8>,
    max: usize,
    /// Bytes of the current line dropped because it outgrew `max`.
    dropped: usize,
    /// The number of the line being assembled (1-based).
    line: u64,
}

impl Lines {
    /// Lines of at most `max` bytes (without the newline), numbered from `first`.
    pub fn new(max: usize, first: u64) -> Self {
        Lines { buf: Vec::new(), max, dropped: 0, line: first }
    }

    /// Feeds bytes; calls `out` with each complete line (its trailing `\r`
    /// removed) and its number.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut impl FnMut(u64, Result<&[u8], Overlong>)) {
        while let Some(nl) = chunk.iter().position(|&b| b == b'\n') {
            self.take(&chunk[..nl]);
            self.emit(out);
            chunk = &chunk[nl + 1..];
        }
        self.take(chunk);
    }

    /// Hands over a last line that has no newline (end of input, or a
    /// rotated file that will not grow any more).
    pub fn finish(&mut self, out: &mut impl FnMut(u64, Result<&[u8], Overlong>)) {
        if !self.buf.is_empty() || self.dropped > 0 {
            self.emit(out);
        }
    }

    /// Starts over at line `first` (a truncated or new file), dropping any
    /// partial line.
    pub fn restart(&mut self, first: u64) {
        self.buf.clear();
        self.dropped = 0;
        self.line = first;
    }

    /// Whether a partial line is buffered.
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.dropped > 0
    }

    fn take(&mut self, bytes: &[u8]) {
        if self.dropped > 0 || self.buf.len() + bytes.len() > self.max {
            self.dropped += self.buf.len() + bytes.len();
            self.buf.clear();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn emit(&mut self, out: &mut impl FnMut(u64, Result<&[u8], Overlong>)) {
        let line = self.line;
        self.line += 1;
        if self.dropped > 0 {
            out(line, Err(Overlong { len: self.dropped, max: self.max }));
            self.dropped = 0;
        } else {
            let text = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
            out(line, Ok(text));
        }
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &mut Lines, chunks: &[&[u8]], finish: bool) -> Vec<(u64, Result<String, usize>)> {
        let mut got = Vec::new();
        let mut out = |n: u64, r: Result<&[u8], Overlong>| {
            got.push((n, r.map(|b| String::from_utf8_lossy(b).into_owned()).map_err(|o| o.len)))
        };
        for c in chunks {
            lines.push(c, &mut out);
        }
        if finish {
            lines.finish(&mut out);
        }
        got
    }

    #[test]
    fn partial_lines_wait_for_their_newline() {
        let mut l = Lines::new(100, 1);
        let got = run(&mut l, &[b"{\"a\":", b"1}\r\n{\"b\"", b":2}\n"], false);
        assert_eq!(got, vec![(1, Ok("{\"a\":1}".into())), (2, Ok("{\"b\":2}".into()))]);
        assert!(!l.has_partial());
        let got = run(&mut l, &[b"{\"c\":3"], false);
        assert!(got.is_empty() && l.has_partial(), "no newline yet");
        assert_eq!(run(&mut l, &[], true), vec![(3, Ok("{\"c\":3".into()))], "handed over at the end");
    }

    #[test]
    fn overlong_lines_are_dropped_in_bounded_memory_and_reported_once() {
        let mut l = Lines::new(8, 1);
        let got = run(&mut l, &[b"0123", b"456789abc", b"def\nok\n"], false);
        assert_eq!(got, vec![(1, Err(16)), (2, Ok("ok".into()))]);
        assert!(l.buf.capacity() <= 16, "never held the long line");
    }

    #[test]
    fn restart_numbers_from_the_top_and_drops_the_partial() {
        let mut l = Lines::new(100, 1);
        run(&mut l, &[b"a\nb\npart"], false);
        l.restart(1);
        assert_eq!(run(&mut l, &[b"x\n"], false), vec![(1, Ok("x".into()))]);
    }
}
