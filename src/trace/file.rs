//! A trace file as it comes from a real system (issue 16): its bytes turned into numbered lines,
//! and the check of a whole file.
//!
//! A recorder on Windows may save its file with a UTF-8 byte order mark and CRLF line ends; an
//! editor may save it as UTF-16; a hand-edited file may have blank lines anywhere, the first line
//! included. [`Lines`] reads a trace from any [`BufRead`]: it takes the byte order mark and the
//! CRLF ends, skips blank lines while keeping each line's number in the file, and refuses UTF-16
//! (recognised from the first bytes), bytes that are not UTF-8, and a line longer than
//! [`MAX_LINE_BYTES`], each with a [`LineError`] naming the line and the column. It reads with a
//! bounded buffer: however long a line is, it never holds more than [`MAX_LINE_BYTES`] of it
//! (`spec/trace-format.md`, "Files").

use std::io::{BufRead, Chain, Cursor, ErrorKind, Read};

use super::{Checker, Scope, SilentFigures, TraceError, Verdict};

/// The longest line a trace may have, in bytes, not counting its line end: 1 MiB. The longest
/// line the reference writes is a few hundred bytes (a queue row with its recipients); a line of
/// a megabyte is not an event but a file that has lost its line ends.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The UTF-8 encoding of U+FEFF, the byte order mark an editor may put at the start of a file.
const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One line of a trace file that is not blank, with its number in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    /// The line number in the file, from 1, blank lines counted.
    pub number: usize,
    /// The line without its line end (and, on line 1, without a byte order mark).
    pub text: String,
}

/// The byte order of a UTF-16 file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (what Windows writes as "Unicode").
    LittleEndian,
    /// Most significant byte first.
    BigEndian,
}

impl std::fmt::Display for ByteOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ByteOrder::LittleEndian => "little-endian",
            ByteOrder::BigEndian => "big-endian",
        })
    }
}

/// Why the bytes of a trace file are not lines of a trace.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// The file is UTF-16: it starts with a UTF-16 byte order mark, or one of its first two bytes
    /// is 0, which no UTF-8 trace has there.
    #[error("the file is UTF-16 ({order}, {}); a trace is UTF-8: save the file again as UTF-8", if *bom { "with a byte order mark" } else { "without a byte order mark" })]
    Utf16 {
        /// Its byte order.
        order: ByteOrder,
        /// Whether it starts with a byte order mark.
        bom: bool,
    },
    /// A byte that is not part of a UTF-8 character.
    #[error("byte 0x{byte:02X} is not UTF-8; a trace is UTF-8 text: save the file again as UTF-8")]
    NotUtf8 {
        /// The first byte that is not.
        byte: u8,
    },
    /// The line goes on past [`MAX_LINE_BYTES`].
    #[error("the line is longer than {MAX_LINE_BYTES} bytes, the longest a trace line may be (one event per line)")]
    TooLong,
    /// Reading failed.
    #[error("cannot read the file: {message}")]
    Io {
        /// What kind of failure.
        kind: ErrorKind,
        /// The system's message.
        message: String,
    },
}

/// Bytes of a trace file that are not lines of a trace: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {what}")]
pub struct LineError {
    /// The line number, from 1.
    pub line: usize,
    /// The column, in bytes from 1.
    pub column: usize,
    /// What is wrong, and what was expected.
    pub what: Unreadable,
}

impl From<LineError> for TraceError {
    fn from(error: LineError) -> TraceError {
        TraceError { line: error.line, column: error.column, message: error.what.to_string() }
    }
}

/// The lines of a trace file that are not blank, read from any [`BufRead`] with a bounded
/// buffer. After an error it yields nothing more.
#[derive(Debug)]
pub struct Lines<R> {
    /// The first bytes (read to recognise the encoding) followed by the rest of the file.
    source: Chain<Cursor<Vec<u8>>, R>,
    /// The bytes of the line being read.
    line: Vec<u8>,
    /// The number of the last line read.
    number: usize,
    state: State,
}

/// Where a [`Lines`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing read yet: the encoding is recognised first.
    Fresh,
    /// Reading lines.
    Reading,
    /// At the end of the file, or after an error.
    Ended,
}

impl<R: BufRead> Lines<R> {
    /// The lines of `reader`.
    pub fn new(reader: R) -> Lines<R> {
        Lines { source: Cursor::new(Vec::new()).chain(reader), line: Vec::new(), number: 0, state: State::Fresh }
    }

    /// Reads the first bytes, refuses UTF-16 and drops a UTF-8 byte order mark.
    fn start(&mut self) -> Result<(), LineError> {
        let (first, rest) = self.source.get_mut();
        let mut head = Vec::with_capacity(UTF8_BOM.len());
        while head.len() < UTF8_BOM.len() {
            let available = match rest.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(LineError { line: 1, column: 1, what: Unreadable::Io { kind: e.kind(), message: e.to_string() } }),
            };
            if available.is_empty() {
                break;
            }
            let n = (UTF8_BOM.len() - head.len()).min(available.len());
            head.extend_from_slice(&available[..n]);
            rest.consume(n);
        }
        if let Some((order, bom)) = utf16(&head) {
            return Err(LineError { line: 1, column: 1, what: Unreadable::Utf16 { order, bom } });
        }
        if head.starts_with(&UTF8_BOM) {
            head.clear();
        }
        *first = Cursor::new(head);
        Ok(())
    }

    /// Reads the next line's bytes, without its line end, into `self.line`; false at the end of
    /// the file. It reads at most the bound, a CR and an LF: no more of a longer line.
    fn read_line(&mut self) -> Result<bool, LineError> {
        self.line.clear();
        let line = self.number + 1;
        let limit = MAX_LINE_BYTES + 2;
        if let Err(e) = (&mut self.source).take(limit as u64).read_until(b'\n', &mut self.line) {
            let what = Unreadable::Io { kind: e.kind(), message: e.to_string() };
            return Err(LineError { line, column: self.line.len() + 1, what });
        }
        if self.line.is_empty() {
            return Ok(false);
        }
        self.number = line;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        } else if self.line.len() == limit {
            return Err(LineError { line, column: MAX_LINE_BYTES + 1, what: Unreadable::TooLong });
        } else if self.line.last() == Some(&b'\r') {
            // The last line, ended by a CR alone.
            self.line.pop();
        }
        if self.line.len() > MAX_LINE_BYTES {
            return Err(LineError { line, column: MAX_LINE_BYTES + 1, what: Unreadable::TooLong });
        }
        Ok(true)
    }

    /// The next line that is not blank, or `None` at the end of the file.
    fn next_line(&mut self) -> Result<Option<TraceLine>, LineError> {
        if self.state == State::Fresh {
            self.start()?;
            self.state = State::Reading;
        }
        while self.read_line()? {
            let text = std::str::from_utf8(&self.line).map_err(|e| LineError {
                line: self.number,
                column: e.valid_up_to() + 1,
                what: Unreadable::NotUtf8 { byte: self.line[e.valid_up_to()] },
            })?;
            if !text.trim().is_empty() {
                return Ok(Some(TraceLine { number: self.number, text: text.to_owned() }));
            }
        }
        Ok(None)
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<TraceLine, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Ended {
            return None;
        }
        let next = self.next_line().transpose();
        if !matches!(next, Some(Ok(_))) {
            self.state = State::Ended;
        }
        next
    }
}

/// The byte order of a file whose first bytes are UTF-16, and whether they are its byte order
/// mark. Without a mark, a 0 among the first two bytes gives it away: a UTF-8 trace starts with
/// `{`, white space or a byte order mark, and UTF-16 writes those characters with a 0 byte.
fn utf16(head: &[u8]) -> Option<(ByteOrder, bool)> {
    match head {
        [0xFF, 0xFE, ..] => Some((ByteOrder::LittleEndian, true)),
        [0xFE, 0xFF, ..] => Some((ByteOrder::BigEndian, true)),
        [a, 0, ..] if *a != 0 => Some((ByteOrder::LittleEndian, false)),
        [0, b, ..] if *b != 0 => Some((ByteOrder::BigEndian, false)),
        _ => None,
    }
}

/// Checks a trace file read from `reader` (a file, standard input, bytes in memory), line by
/// line with a bounded buffer. Stops at the first problem.
pub fn check_reader(reader: impl BufRead) -> Verdict {
    check_reader_bounded(reader, Checker::DEFAULT_BOUND).verdict
}

/// What `trace check` reports of one trace: the verdict, the scope it was checked under and the
/// checker's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The component a partial recording observed (issue 16); `None` for a whole session, or
    /// when the header could not be read.
    pub scope: Option<Scope>,
    /// The most states the frontier held after any line.
    pub largest: usize,
    /// How far the unobserved world's silent moves went (partial recordings; zero otherwise).
    pub silent: SilentFigures,
}

/// As [`check_reader`], with a frontier of at most `bound` states; also reports the scope and
/// the most states the frontier held (what `trace check` prints).
pub fn check_reader_bounded(reader: impl BufRead, bound: usize) -> Report {
    check_numbered(Lines::new(reader).map(|line| line.map_err(TraceError::from)), bound)
}

/// Checks a whole trace given as lines (the header first); blank lines are skipped wherever
/// they are, and numbered like the others. Stops at the first problem.
pub fn check_lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Verdict {
    let numbered = lines.into_iter().enumerate().filter(|(_, text)| !text.as_ref().trim().is_empty());
    check_numbered(numbered.map(|(i, text)| Ok(TraceLine { number: i + 1, text: text.as_ref().to_owned() })), Checker::DEFAULT_BOUND)
        .verdict
}

/// Checks the lines that are not blank, each with its number in the file (the header first),
/// keeping at most `bound` states.
fn check_numbered(lines: impl IntoIterator<Item = Result<TraceLine, TraceError>>, bound: usize) -> Report {
    let mut lines = lines.into_iter();
    let header = match lines.next() {
        None => {
            let message = "the trace is empty (or has only blank lines); it must start with a header line".to_owned();
            return unread(Verdict::Invalid(TraceError { line: 1, column: 1, message }));
        }
        Some(Err(error)) => return unread(Verdict::Invalid(error)),
        Some(Ok(header)) => header,
    };
    // Issue 15: a divergence names the readings of the header it was judged under.
    let readings = super::Codec::read_header(&header.text).map(|(h, _)| h.profile.settings.readings).unwrap_or_default();
    let report = check_after_header(&header, lines, bound);
    match report.verdict {
        Verdict::Diverges(mut d) if !readings.is_default() => {
            d.expected = format!("{} (the reference under the readings {readings})", d.expected);
            Report { verdict: Verdict::Diverges(d), ..report }
        }
        _ => report,
    }
}

/// A report of a trace whose checking did not begin: no scope, no frontier.
fn unread(verdict: Verdict) -> Report {
    Report { verdict, scope: None, largest: 0, silent: SilentFigures::default() }
}

/// [`check_numbered`] once the header line is read.
fn check_after_header(header: &TraceLine, lines: impl Iterator<Item = Result<TraceLine, TraceError>>, bound: usize) -> Report {
    // The checker numbers the header 1; after blank lines it is further down the file.
    let mut checker = match Checker::new(&header.text) {
        Ok(checker) => checker.with_bound(bound),
        Err(error) => return unread(Verdict::Invalid(TraceError { line: header.number, ..error })),
    };
    let report = |checker: &Checker, verdict| Report {
        verdict,
        scope: checker.scope(),
        largest: checker.largest_frontier(),
        silent: checker.silent_figures(),
    };
    for line in lines {
        let line = match line {
            Ok(line) => line,
            Err(error) => return report(&checker, Verdict::Invalid(error)),
        };
        if let Err(problem) = checker.feed_line(line.number, &line.text) {
            return report(&checker, problem.into());
        }
    }
    let done = report(&checker, Verdict::Conforms { events: 0 });
    Report { verdict: checker.finish(), ..done }
}
