//! The fuzz harness of the trace checker, shared by the `cargo fuzz` target `trace` and the
//! bounded smoke test `tests/fuzz_smoke.rs`: the fuzzer's bytes edit a valid recorded trace
//! (delete, duplicate or swap lines, overwrite or insert bytes, cut a line short), and the
//! checker must give a verdict without panicking. A verdict is an exit code: 0, 1, 2 or 3.
//!
//! The file reader (`trace::Lines`) is held to the same: raw bytes are read as a file, a text
//! read as UTF-16 must be refused at line 1, and a text read as a file, as it is and as saved on
//! Windows (a byte order mark, CRLF), must get the verdict of its lines.

use mapi_spooler::trace::{MAX_LINE_BYTES, Verdict, check_lines, check_reader};

/// Applies the edits that `data` encodes to `trace`, two bytes per edit: the first picks the
/// kind of edit and the second where. The result is bytes: an edit may leave a byte that is not
/// UTF-8, a CR or a 0.
pub fn mutate(trace: &str, data: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = trace.lines().map(|l| l.as_bytes().to_vec()).collect();
    for pair in data.chunks(2) {
        let (kind, at) = (pair[0], usize::from(*pair.get(1).unwrap_or(&0)));
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        let i = at % n;
        match kind % 8 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => lines.swap(i, (i + 1) % n),
            3 => {
                let line = &mut lines[i];
                if !line.is_empty() {
                    let j = (at * 7) % line.len();
                    line[j] = kind;
                }
            }
            4 => {
                let line = &mut lines[i];
                let j = if line.is_empty() { 0 } else { (at * 13) % line.len() };
                line.insert(j, kind);
            }
            5 => {
                let line = &mut lines[i];
                let keep = line.len() / 2;
                line.truncate(keep);
            }
            6 => {
                // A digit changes: IDs, references, delays and recipient rows.
                let line = &mut lines[i];
                if let Some(j) = line.iter().skip((at * 3) % line.len().max(1)).position(u8::is_ascii_digit) {
                    let j = j + (at * 3) % line.len().max(1);
                    line[j] = b'0' + (kind % 10);
                }
            }
            _ => lines.truncate(i.max(1)),
        }
    }
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out
}

/// Checks a text as a trace and returns the exit code of its verdict; panics if the checker
/// panics or its verdict disagrees with itself, or if the text read as a UTF-16 file is not
/// refused at line 1.
pub fn run(text: &str) -> u8 {
    let verdict = check_lines(text.lines());
    consistent(&verdict, text.lines().count());
    // The reader knows UTF-16 by the first bytes and reads no further: the text's start will do.
    let mut utf16 = Vec::new();
    for unit in [0xFEFF].into_iter().chain(text.encode_utf16().take(64)) {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    match check_reader(utf16.as_slice()) {
        Verdict::Invalid(e) => assert!((e.line, e.column) == (1, 1) && e.message.contains("UTF-16"), "{e}"),
        other => panic!("UTF-16 read as {other}"),
    }
    verdict.exit_code()
}

/// Checks a text as a trace file, as it is and as saved on Windows (a byte order mark, CRLF line
/// ends); panics unless both give the verdict of its lines. Texts whose lines the two readers
/// see differently are passed over: with a CR (`str::lines` keeps a lone one), a byte order
/// mark, a 0 among the first two bytes (UTF-16) or a line past the bound.
pub fn run_file(text: &str) {
    let plain = !text.contains('\r')
        && !text.starts_with('\u{feff}')
        && !text.as_bytes().iter().take(2).any(|b| *b == 0)
        && text.lines().all(|l| l.len() <= MAX_LINE_BYTES);
    if plain {
        let verdict = check_lines(text.lines());
        assert_eq!(check_reader(text.as_bytes()), verdict, "read as a file:\n{text}");
        let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        assert_eq!(check_reader(windows.as_bytes()), verdict, "saved on Windows:\n{text}");
    }
}

/// Checks raw bytes as a trace file and returns the exit code of its verdict; panics if the
/// reader or the checker panics or the verdict disagrees with the file.
pub fn run_bytes(bytes: &[u8]) -> u8 {
    let verdict = check_reader(bytes);
    let lines = bytes.split(|b| *b == b'\n').count();
    consistent(&verdict, lines);
    if let Verdict::Invalid(e) = &verdict {
        assert!(e.column <= MAX_LINE_BYTES + 1, "{e}");
    }
    verdict.exit_code()
}

/// Panics unless the verdict's line is one of the `lines` of the trace (or the one after the
/// last, for the end of the trace).
fn consistent(verdict: &Verdict, lines: usize) {
    match verdict {
        Verdict::Conforms { events } => assert!(*events <= lines, "{verdict}"),
        Verdict::Diverges(d) => assert!(d.line >= 2 && d.line <= lines + 1, "{verdict}"),
        Verdict::Invalid(e) => assert!(e.line >= 1 && e.line <= lines.max(1) && e.column >= 1, "{verdict}"),
        Verdict::Exceeded(e) => assert!(e.line >= 2 && e.line <= lines && e.states > e.bound, "{verdict}"),
    }
}
