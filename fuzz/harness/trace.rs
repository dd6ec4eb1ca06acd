//! The fuzz harness of the trace checker, shared by the `cargo fuzz` target `trace` and the
//! bounded smoke test `tests/fuzz_smoke.rs`: the fuzzer's bytes edit a valid recorded trace
//! (delete, duplicate or swap lines, overwrite or insert bytes, cut a line short), and the
//! checker must give a verdict without panicking. A verdict is an exit code: 0, 1, 2 or 3.

use mapi_spooler::trace::{Verdict, check_lines};

/// Applies the edits that `data` encodes to `trace`, two bytes per edit: the first picks the
/// kind of edit and the second where.
pub fn mutate(trace: &str, data: &[u8]) -> String {
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
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks a text as a trace and returns the exit code of its verdict; panics if the checker
/// panics or its verdict disagrees with itself.
pub fn run(text: &str) -> u8 {
    let verdict = check_lines(text.lines());
    let code = verdict.exit_code();
    match &verdict {
        Verdict::Conforms { events } => assert!(*events <= text.lines().count(), "{verdict}"),
        Verdict::Diverges(d) => assert!(d.line >= 2 && d.line <= text.lines().count() + 1, "{verdict}"),
        Verdict::Invalid(e) => assert!(e.line >= 1 && e.line <= text.lines().count().max(1) && e.column >= 1, "{verdict}"),
        Verdict::Exceeded(e) => assert!(e.line >= 2 && e.line <= text.lines().count() && e.states > e.bound, "{verdict}"),
    }
    code
}
