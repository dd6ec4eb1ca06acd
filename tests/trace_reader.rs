//! Reading real trace files (issue 16 item 6, `spec/trace-format.md`, "Files" and "NULL arrays"):
//! a file saved on Windows (a UTF-8 byte order mark, CRLF line ends) reads as the same trace;
//! UTF-16 and bytes that are not UTF-8 are refused with what to do; blank lines are skipped
//! anywhere while errors keep the file's line numbers; a line past the bound is refused without
//! being held whole; the documented NULL arrays and a preprocessor-only transport's `[""]` read as
//! the pages mean them.

mod common;

use std::io::{BufReader, Cursor, Read};
use std::time::{Duration, Instant};

use common::*;
use mapi_spooler::sim::TransportScript;
use mapi_spooler::trace::{
    ByteOrder, Codec, Divergence, Event, LineError, Lines, MAX_LINE_BYTES, TraceError, TraceLine, Unreadable, Verdict, check_lines,
    check_reader,
};
use mapi_spooler::{AddressTypes, EndFlags, Input, Party, PreprocessorFilter, QueueFlags, Registrations, Return, TransportId, XpInitFlags};

/// A session with two transports and one message to both: a trace that conforms.
fn session() -> String {
    let mut sim = started(vec![smtp(), fax()]);
    send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    assert_clean(&sim);
    sim.recorded_trace()
}

fn conforms(verdict: &Verdict) -> usize {
    match verdict {
        Verdict::Conforms { events } => *events,
        other => panic!("expected the trace to conform, got {other}"),
    }
}

fn invalid(verdict: Verdict) -> TraceError {
    match verdict {
        Verdict::Invalid(error) => error,
        other => panic!("expected an invalid trace, got {other}"),
    }
}

/// The lines `Lines` reads from these bytes, or its error.
fn read(bytes: &[u8]) -> Result<Vec<TraceLine>, LineError> {
    Lines::new(bytes).collect()
}

/// The trace as UTF-16, with or without a byte order mark.
fn utf16(text: &str, order: ByteOrder, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| match order {
            ByteOrder::LittleEndian => u.to_le_bytes(),
            ByteOrder::BigEndian => u.to_be_bytes(),
        })
        .collect()
}

#[test]
fn a_file_saved_on_windows_with_a_byte_order_mark_and_crlf_reads_as_the_same_trace() {
    let text = session();
    let events = conforms(&check_reader(text.as_bytes()));
    assert_eq!(events, text.lines().count() - 1);
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    assert_eq!(&windows.as_bytes()[..3], [0xEF, 0xBB, 0xBF]);
    assert_eq!(conforms(&check_reader(windows.as_bytes())), events);
    // Line by line: the same texts with the same numbers, no byte order mark and no CR.
    assert_eq!(read(windows.as_bytes()), read(text.as_bytes()));
    let first = read(windows.as_bytes()).expect("reads")[0].clone();
    assert!(first.text.starts_with(r#"{"mapi_spooler_trace":1"#), "{first:?}");
    // The last line may have no line end, or a CR alone before the end of the file.
    let last = text.trim_end().lines().last().expect("a last line").to_owned();
    for ending in ["", "\r"] {
        let cut = format!("{}{ending}", windows.trim_end());
        let lines = read(cut.as_bytes()).expect("reads");
        assert_eq!(lines.last().map(|l| l.text.as_str()), Some(last.as_str()));
        assert_eq!(conforms(&check_reader(cut.as_bytes())), events);
    }
    // A byte order mark is a file's start, not a line's: later on it is not white space.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[3] = format!("\u{feff}{}", lines[3]);
    let error = invalid(check_reader(lines.join("\n").as_bytes()));
    assert_eq!((error.line, error.column), (4, 1), "{error}");
}

#[test]
fn utf16_in_either_byte_order_with_or_without_a_byte_order_mark_is_refused_with_what_to_do() {
    let text = session();
    for order in [ByteOrder::LittleEndian, ByteOrder::BigEndian] {
        for bom in [true, false] {
            let bytes = utf16(&text, order, bom);
            assert_eq!(read(&bytes), Err(LineError { line: 1, column: 1, what: Unreadable::Utf16 { order, bom } }));
            let error = invalid(check_reader(bytes.as_slice()));
            assert_eq!((error.line, error.column), (1, 1));
            assert!(error.message.contains("the file is UTF-16"), "{error}");
            assert!(error.message.contains(&order.to_string()), "{error}");
            assert!(error.message.contains("save the file again as UTF-8"), "{error}");
            // Also when the file starts with a blank line, or with CRLF.
            let blank_first = utf16(&format!("\r\n{text}"), order, bom);
            assert_eq!(read(&blank_first).map_err(|e| e.what), Err(Unreadable::Utf16 { order, bom }));
        }
    }
    // The first bytes arriving one at a time are recognised alike.
    let slow = BufReader::with_capacity(1, Cursor::new(utf16(&text, ByteOrder::LittleEndian, false)));
    assert_eq!(
        Lines::new(slow).next().map(|l| l.map_err(|e| e.what)),
        Some(Err(Unreadable::Utf16 { order: ByteOrder::LittleEndian, bom: false }))
    );
}

#[test]
fn bytes_that_are_not_utf8_are_refused_at_their_line_and_column() {
    let text = session();
    let mut bytes = text.as_bytes().to_vec();
    // Line 3, the tenth byte: a Latin-1 e acute where UTF-8 needs two bytes.
    let start = text.match_indices('\n').nth(1).map(|(i, _)| i + 1).expect("three lines");
    bytes[start + 9] = 0xE9;
    assert_eq!(read(&bytes).map_err(|e| (e.line, e.column, e.what)), Err((3, 10, Unreadable::NotUtf8 { byte: 0xE9 })));
    let error = invalid(check_reader(bytes.as_slice()));
    assert_eq!((error.line, error.column), (3, 10));
    assert!(error.message.contains("byte 0xE9 is not UTF-8"), "{error}");
    assert!(error.message.contains("save the file again as UTF-8"), "{error}");
}

#[test]
fn blank_lines_are_skipped_anywhere_and_errors_keep_the_files_line_numbers() {
    let text = session();
    let events = conforms(&check_reader(text.as_bytes()));
    let lines: Vec<&str> = text.lines().collect();
    // Two blank lines first (one of white space), one after the header, one of a tab between
    // two events, and two at the end.
    let mut spaced = vec!["", "   ", lines[0], ""];
    spaced.extend(&lines[1..4]);
    spaced.push("\t");
    spaced.extend(&lines[4..]);
    spaced.extend(["", " "]);
    let spaced_text = spaced.join("\r\n");
    assert_eq!(conforms(&check_reader(spaced_text.as_bytes())), events);
    assert_eq!(conforms(&check_lines(&spaced)), events);
    let numbers: Vec<usize> = read(spaced_text.as_bytes()).expect("reads").iter().map(|l| l.number).collect();
    assert_eq!(numbers[..5], [3, 5, 6, 7, 9]);
    // A divergence after blank lines names the line an editor shows: drop line 2 of the
    // original (the session's start), which is file line 5 here.
    let mut broken = spaced.clone();
    broken.remove(4);
    let broken_text = broken.join("\n");
    let expected_line = 5;
    for verdict in [check_reader(broken_text.as_bytes()), check_lines(&broken)] {
        match verdict {
            Verdict::Diverges(d) => assert_eq!(d.line, expected_line, "{d}"),
            other => panic!("expected a divergence, got {other}"),
        }
    }
    // An invalid header after blank lines is refused at its own line.
    let bad_header = format!("\n\n{}\n", lines[0].replace(r#""recorded":"all""#, r#""recorded":"some""#));
    let error = invalid(check_reader(bad_header.as_bytes()));
    assert_eq!(error.line, 3, "{error}");
    assert!(error.message.contains("recorded must be"), "{error}");
    // An invalid event line too.
    let bad_event = format!("\n{}\n\n{{\"event\":\"Tuesday\"}}\n", lines[0]);
    let error = invalid(check_reader(bad_event.as_bytes()));
    assert_eq!((error.line, error.column), (4, 2), "{error}");
    // Nothing but blank lines is an empty trace.
    for empty in ["", "\n", " \r\n\t\n\n"] {
        let error = invalid(check_reader(empty.as_bytes()));
        assert_eq!((error.line, error.column), (1, 1));
        assert!(error.message.contains("the trace is empty"), "{error}");
    }
}

/// A reader that makes a trace with one enormous line as it is read, without ever holding it:
/// the header, then `{"call":"Idle","to":"T0","x":"` and `len` bytes of `x`, then the rest of the
/// line. It counts the bytes it was asked for.
struct LongLine {
    prefix: Vec<u8>,
    len: usize,
    produced: usize,
}

impl LongLine {
    fn new(header: &str, len: usize) -> LongLine {
        LongLine { prefix: format!("{header}\n{{\"call\":\"Idle\",\"to\":\"T0\",\"x\":\"").into_bytes(), len, produced: 0 }
    }

    fn total(&self) -> usize {
        self.prefix.len() + self.len + 3
    }
}

impl Read for LongLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.produced < self.total() {
            let at = self.produced;
            buf[n] = if at < self.prefix.len() {
                self.prefix[at]
            } else if at < self.prefix.len() + self.len {
                b'x'
            } else {
                b"\"}\n"[at - self.prefix.len() - self.len]
            };
            n += 1;
            self.produced += 1;
        }
        Ok(n)
    }
}

#[test]
fn a_100_mb_line_is_refused_at_its_line_without_being_held_whole() {
    let text = session();
    let header = text.lines().next().expect("a header");
    let mut source = LongLine::new(header, 100 << 20);
    let started = Instant::now();
    let verdict = check_reader(BufReader::with_capacity(64 << 10, &mut source));
    let elapsed = started.elapsed();
    let error = invalid(verdict);
    assert_eq!((error.line, error.column), (2, MAX_LINE_BYTES + 1), "{error}");
    assert!(error.message.contains("longer than 1048576 bytes"), "{error}");
    // It stopped reading just past the bound: the line was never held whole.
    assert!(source.produced <= header.len() + 1 + MAX_LINE_BYTES + (64 << 10) + 1, "read {} bytes", source.produced);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    // The same through the typed error of the line reader.
    let mut lines = Lines::new(BufReader::new(LongLine::new(header, 100 << 20)));
    assert!(matches!(lines.next(), Some(Ok(TraceLine { number: 1, .. }))));
    assert_eq!(lines.next(), Some(Err(LineError { line: 2, column: MAX_LINE_BYTES + 1, what: Unreadable::TooLong })));
    assert_eq!(lines.next(), None, "nothing after an error");
}

#[test]
fn a_line_of_exactly_the_bound_is_read_and_one_byte_more_is_refused() {
    for (crlf, len, refused) in
        [(false, MAX_LINE_BYTES, false), (true, MAX_LINE_BYTES, false), (false, MAX_LINE_BYTES + 1, true), (true, MAX_LINE_BYTES + 1, true)]
    {
        let mut bytes = b"{}\n".to_vec();
        bytes.extend(std::iter::repeat_n(b' ', len - 2));
        bytes.extend(b"{}");
        if crlf {
            bytes.push(b'\r');
        }
        bytes.extend(b"\n{}\n");
        let read = read(&bytes);
        if refused {
            assert_eq!(read.map_err(|e| (e.line, e.column, e.what)), Err((2, MAX_LINE_BYTES + 1, Unreadable::TooLong)), "crlf {crlf}");
        } else {
            let lines = read.unwrap_or_else(|e| panic!("crlf {crlf}: {e}"));
            assert_eq!(lines.iter().map(|l| (l.number, l.text.len())).collect::<Vec<_>>(), [(1, 2), (2, MAX_LINE_BYTES), (3, 2)]);
        }
    }
}

#[test]
fn a_failing_read_is_refused_at_its_line() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let text = b"{}\n\n{\"a\"";
            if self.0 >= text.len() {
                return Err(std::io::Error::other("the disk is on fire"));
            }
            let n = buf.len().min(text.len() - self.0);
            buf[..n].copy_from_slice(&text[self.0..self.0 + n]);
            self.0 += n;
            Ok(n)
        }
    }
    let lines: Vec<_> = Lines::new(BufReader::new(Failing(0))).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], Ok(TraceLine { number: 1, text: "{}".to_owned() }));
    let Err(error) = &lines[1] else { panic!("{lines:?}") };
    assert_eq!((error.line, error.column), (3, 5));
    assert!(matches!(&error.what, Unreadable::Io { kind: std::io::ErrorKind::Other, message } if message == "the disk is on fire"));
}

/// The `AddressTypes` return of `T0` in a trace, read with the trace's header.
fn registrations(header: &str, line: &str) -> Registrations {
    let (_, mut codec) = Codec::read_header(header).expect("a header");
    match codec.read_event(line, 2).unwrap_or_else(|e| panic!("{line}: {e}")) {
        Event::Input(Input::Return(Return::AddressTypes { result: Ok(registrations), .. })) => registrations,
        other => panic!("{line} reads as {other:?}"),
    }
}

#[test]
fn null_arrays_and_a_single_empty_address_type_read_as_the_pages_mean_them() {
    // Spec: ORD-5, ORD-6
    let header = r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"all","address_types":["SMTP"]}"#;
    let line = |types: &str, uids: Option<&str>| {
        let uids = uids.map_or(String::new(), |u| format!(r#","lpppUIDArray":{u}"#));
        format!(r#"{{"return":"AddressTypes","from":"T0","result":"S_OK","lpppAdrTypeArray":{types}{uids}}}"#)
    };
    // A preprocessor-only transport: no address type, no UID, in each spelling the pages allow.
    let none = registrations(header, &line("[]", Some("[]")));
    assert_eq!(none, Registrations::none());
    for types in ["[]", r#"[""]"#] {
        for uids in [Some("[]"), Some("null"), None] {
            assert_eq!(registrations(header, &line(types, uids)), none, "{}", line(types, uids));
        }
    }
    // An empty name among others names no address type.
    assert_eq!(registrations(header, &line(r#"["SMTP",""]"#, Some("null"))), registrations(header, &line(r#"["SMTP"]"#, Some("[]"))));
    // A NULL address-type array is every type (ORD-5), which is not the same as none.
    let any = registrations(header, &line("null", Some("null")));
    assert_eq!(any.address_types, AddressTypes::Any);
    assert_ne!(any, none);
    // UIDs are kept whatever the address types.
    let uid = registrations(header, &line(r#"[""]"#, Some(r#"["uid0"]"#)));
    assert_eq!((uid.address_types, uid.uids.len()), (AddressTypes::Listed(vec![]), 1));
    // Other values are still refused.
    let (_, mut codec) = Codec::read_header(header).expect("a header");
    for (types, uids) in [("[7]", "null"), ("{}", "null"), ("[]", r#""uid0""#), ("[]", "[null]")] {
        assert!(codec.read_event(&line(types, Some(uids)), 2).is_err(), "{}", line(types, Some(uids)));
    }
}

#[test]
fn a_preprocessor_only_transport_recorded_with_null_arrays_conforms_like_the_references_spelling() {
    // Spec: ORD-6, ORD-11, HOOK-2, DEC-21
    let filter = PreprocessorFilter { uid: None, addr_type: Some(SMTP) };
    let preprocessor_only = TransportScript::new("fax renderer", Registrations::none()).with_preprocessor(filter);
    let mut sim = started(vec![preprocessor_only, smtp()]);
    send(&mut sim, mapi_spooler::store::Draft { preprocess: true, ..draft(&[SMTP]) });
    sim.shutdown();
    assert_clean(&sim);
    let text = sim.recorded_trace();
    let events = conforms(&check_lines(text.lines()));
    let reference = r#""from":"T0","result":"S_OK","lpppAdrTypeArray":[],"lpppUIDArray":[]"#;
    assert!(text.contains(reference), "{text}");
    let undeliverable = r#""undeliverable":[]"#;
    assert!(text.contains(undeliverable), "{text}");
    // A recorder writes what the transport passed back: a single empty string and a NULL UID
    // array; and a preprocessor's NULL lppRecipList as null, or not at all.
    for (types, list) in [(r#""lpppAdrTypeArray":[""],"lpppUIDArray":null"#, r#""undeliverable":null"#), (r#""lpppAdrTypeArray":[""]"#, "")]
    {
        let recorded = text.replace(reference, &format!(r#""from":"T0","result":"S_OK",{types}"#));
        let recorded =
            if list.is_empty() { recorded.replace(&format!(",{undeliverable}"), "") } else { recorded.replace(undeliverable, list) };
        assert_ne!(recorded, text);
        assert_eq!(conforms(&check_reader(recorded.as_bytes())), events, "{recorded}");
    }
}

/// The session's lines, with the first line containing every one of `parts` edited.
fn edited(text: &str, parts: &[&str], edit: impl Fn(&str) -> String) -> (Vec<String>, usize) {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = lines.iter().position(|l| parts.iter().all(|p| l.contains(p))).unwrap_or_else(|| panic!("no line with {parts:?}"));
    let line = edit(&lines[at]);
    assert_ne!(line, lines[at], "the edit changes the line");
    lines[at] = line;
    (lines, at + 1)
}

fn diverges(lines: &[String]) -> Divergence {
    match check_lines(lines) {
        Verdict::Diverges(d) => d,
        other => panic!("expected a divergence, got {other}"),
    }
}

/// A bit no flag of the parameter defines.
fn undefined_bit(documented: u32) -> u32 {
    1 << (!documented).trailing_zeros()
}

#[test]
fn a_flag_word_with_undefined_bits_is_a_valid_line_at_whose_producer_the_trace_diverges() {
    // Spec: SUB-34, LIFE-2, SUB-12, SUB-20
    let text = session();
    // A transport's return: the transport is at fault, by the rule that lists EndMessage's flags.
    let bit = undefined_bit(EndFlags::ALL.bits());
    let word = format!("0x{:08X}", bit | EndFlags::END_RESEND_LATER.bits());
    let (lines, at) =
        edited(&text, &[r#""return":"EndMessage""#], |l| l.replace(r#""lpulFlags":"0""#, &format!(r#""lpulFlags":"{word}""#)));
    let d = diverges(&lines);
    assert_eq!((d.line, d.event.as_str(), d.requirements.as_slice()), (at, lines[at - 1].as_str(), &["SUB-34".to_owned()][..]));
    assert_eq!(
        d.expected,
        format!(
            "refuses this input: transport T0 broke the contract: lpulFlags of EndMessage is {word}, with bits 0x{bit:08X} that the \
             documentation does not define for it (it defines END_RESEND_NOW, END_RESEND_LATER and END_DONT_RESEND)"
        )
    );
    // The reader keeps the line as it is, with who produced it; it writes back unchanged.
    let (_, mut codec) = Codec::read_header(&lines[0]).expect("a header");
    let Event::UndefinedFlags(undefined) = codec.read_event(&lines[at - 1], at).expect("a valid line") else { panic!("{}", lines[at - 1]) };
    assert_eq!((undefined.producer, undefined.key, undefined.undefined), (Party::Transport(TransportId(0)), "lpulFlags", bit));
    assert_eq!(codec.event_line(&Event::UndefinedFlags(undefined)), lines[at - 1]);
    // The spooler's call: the spooler is at fault.
    let bit = undefined_bit(XpInitFlags::ALL.bits());
    let (lines, at) =
        edited(&text, &[r#""call":"XPProviderInit""#], |l| l.replace(r#""ulFlags":"0""#, &format!(r#""ulFlags":"0x{bit:08X}""#)));
    let d = diverges(&lines);
    assert_eq!((d.line, d.requirements.as_slice()), (at, &["LIFE-2".to_owned()][..]));
    assert!(d.expected.starts_with("never passes such a word: ulFlags of XPProviderInit is "), "{}", d.expected);
    assert!(d.expected.ends_with("(it defines MAPI_NT_SERVICE); the spooler broke the contract"), "{}", d.expected);
    // A store's queue row, also inside GetOutgoingQueue's rows: the store is at fault.
    let mut sim = world(vec![smtp()]);
    sim.submit(S0, draft(&[SMTP])).expect("queued");
    sim.start();
    sim.run();
    assert_clean(&sim);
    let queued = sim.recorded_trace();
    let bit = undefined_bit(QueueFlags::ALL.bits());
    for parts in [&[r#""return":"GetOutgoingQueue""#, "PR_SUBMIT_FLAGS"][..], &[r#""queue":"RowAdded""#]] {
        let text = if parts.len() == 1 { text.clone() } else { queued.clone() };
        let (lines, at) =
            edited(&text, parts, |l| l.replacen(r#""PR_SUBMIT_FLAGS":"0""#, &format!(r#""PR_SUBMIT_FLAGS":"0x{bit:08X}""#), 1));
        let d = diverges(&lines);
        assert_eq!((d.line, d.requirements.as_slice()), (at, &["SUB-12".to_owned(), "SUB-20".to_owned()][..]));
        assert!(d.expected.starts_with("refuses this input: store S0 broke the contract: PR_SUBMIT_FLAGS of "), "{}", d.expected);
    }
    // Names mixed with undefined bits, and undefined bits in the header's settings, are not
    // flag words: the trace is not valid.
    let (lines, at) = edited(&text, &[r#""return":"EndMessage""#], |l| {
        l.replace(r#""lpulFlags":"0""#, &format!(r#""lpulFlags":"END_RESEND_LATER|0x{:08X}""#, undefined_bit(EndFlags::ALL.bits())))
    });
    assert!(matches!(check_lines(&lines), Verdict::Invalid(e) if e.line == at && e.message.contains("EndFlags has no flag named")));
    let settings = format!(
        r#","settings":{{"ulMAPIVer":"0x00010010","oldest_provider_version":"0x00010010","XPProviderInit_ulFlags":"0x{:08X}","TransportLogon_ulFlags":"0","enable":"inbound+outbound","busy_retry_secs":60,"resend_later_secs":60,"failure_retry_secs":60}}}}"#,
        undefined_bit(XpInitFlags::ALL.bits())
    );
    let header = text.lines().next().expect("a header").trim_end_matches('}').to_owned() + &settings;
    let error = invalid(check_lines([header.as_str()]));
    assert!(error.line == 1 && error.message.contains("XpInitFlags has no flag named"), "{error}");
}
