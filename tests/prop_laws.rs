//! Laws of the pure helpers, checked with quickcheck (and exhaustively where the domain is small):
//! flag words, `HRESULT`s, lock states, status-code bit operations, recipient and transport sets,
//! SPI versions, the assignment scan (ORD-4), preprocessor filters (ORD-11) and the receive-folder
//! choice (RCV-12).
//!
//! Every property compares the helper with an obviously correct model: plain `u32` arithmetic
//! for flag words, a `BTreeSet` for the sets, tuple comparison for versions, a two-pass loop
//! written from ORD-4 for the scan, and a filter over the registered classes for the receive
//! folder.
//!
//! Case counts: quickcheck's default is 100 cases per property; `QUICKCHECK_TESTS=100000 cargo test
//! --test prop_laws` runs longer.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashSet};
use std::fmt::{Debug, Display};
use std::hash::{Hash, Hasher};

use mapi_spooler::{
    AddrType, AddressTypes, EndFlags, Hresult, LockState, LogonCaps, LogonFlags, MapiUid, Negotiation, NotifyFlags, PreprocessorFilter,
    QueueFlags, RecipientIdx, RecipientRow, RecipientSet, Registrations, SpiVersion, SpoolerNotifyFlags, StatusCode, StatusRowFlags,
    SubmitFlags, TransportId, TransportSet, VersionRange, XpInitFlags, first_choice, scan,
};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

/// The number of cases per quickcheck property: quickcheck's own default, or `QUICKCHECK_TESTS`.
fn qc() -> QuickCheck {
    QuickCheck::new()
}

// ---------------------------------------------------------------------------------------------
// Flag words
// ---------------------------------------------------------------------------------------------

/// What every documented flag type offers, so that one set of laws covers them all.
trait FlagWord: Copy + Eq + Debug + Display + Sized {
    const TYPE: &'static str;
    fn all() -> u32;
    fn names() -> Vec<(u32, &'static str)>;
    fn bits_of(self) -> u32;
    fn decode(bits: u32) -> Result<Self, mapi_spooler::UnknownFlags>;
    fn parse_text(text: &str) -> Result<Self, mapi_spooler::UnknownFlagName>;
}

macro_rules! flag_word {
    ($($t:ident),* $(,)?) => {$(
        impl FlagWord for $t {
            const TYPE: &'static str = stringify!($t);
            fn all() -> u32 {
                $t::ALL.bits()
            }
            fn names() -> Vec<(u32, &'static str)> {
                $t::NAMES.iter().map(|(f, n)| (f.bits(), *n)).collect()
            }
            fn bits_of(self) -> u32 {
                self.bits()
            }
            fn decode(bits: u32) -> Result<Self, mapi_spooler::UnknownFlags> {
                $t::from_bits(bits)
            }
            fn parse_text(text: &str) -> Result<Self, mapi_spooler::UnknownFlagName> {
                $t::parse(text)
            }
        }
    )*};
}

flag_word!(
    XpInitFlags,
    LogonFlags,
    LogonCaps,
    NotifyFlags,
    SpoolerNotifyFlags,
    SubmitFlags,
    EndFlags,
    QueueFlags,
    StatusRowFlags,
    StatusCode
);

/// Every subset of the documented bits of `F`, in ascending order of value.
fn documented_values<F: FlagWord>() -> Vec<u32> {
    let flags: Vec<u32> = F::names().iter().map(|(bits, _)| *bits).collect();
    (0u32..1 << flags.len())
        .map(|mask| flags.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).fold(0, |acc, (_, f)| acc | f))
        .collect()
}

/// The exhaustive laws of one flag type: every documented value decodes to itself, prints as its
/// names joined by `|` in documentation order, parses back from that text and from its hex form.
fn documented_round_trips<F: FlagWord>() {
    let names = F::names();
    assert_eq!(names.iter().fold(0, |acc, (b, _)| acc | b), F::all(), "{}: ALL is the union of the named flags", F::TYPE);
    for (i, (bits, name)) in names.iter().enumerate() {
        assert_eq!(bits.count_ones(), 1, "{}::{name} is one bit", F::TYPE);
        assert!(names[..i].iter().all(|(b, n)| b != bits && n != name), "{}::{name} is named once", F::TYPE);
    }
    for value in documented_values::<F>() {
        let flags = F::decode(value).unwrap_or_else(|e| panic!("{}: documented value 0x{value:08X} refused: {e}", F::TYPE));
        assert_eq!(flags.bits_of(), value, "{}: bits(from_bits(x)) == x", F::TYPE);
        let text = flags.to_string();
        let expected: Vec<&str> = names.iter().filter(|(b, _)| value & b != 0).map(|(_, n)| *n).collect();
        let expected = if expected.is_empty() { "0".to_owned() } else { expected.join("|") };
        assert_eq!(text, expected, "{}: 0x{value:08X} prints as its names", F::TYPE);
        assert_eq!(format!("{flags:?}"), text, "{}: Debug is Display", F::TYPE);
        assert_eq!(F::parse_text(&text), Ok(flags), "{}: parse(to_string(x)) == x for {text}", F::TYPE);
        assert_eq!(F::parse_text(&format!("0x{value:X}")), Ok(flags), "{}: parse of the hex form", F::TYPE);
        let spaced = text.replace('|', " | ");
        assert_eq!(F::parse_text(&spaced), Ok(flags), "{}: parse ignores spaces around |", F::TYPE);
    }
    assert_eq!(F::parse_text("").ok(), F::decode(0).ok(), "{}: the empty text is no flag", F::TYPE);
}

/// `from_bits` accepts exactly the words without undefined bits, and names exactly the
/// undefined bits when it refuses; a name or hex value outside the type does not parse.
fn arbitrary_bits_law<F: FlagWord>(bits: u32) -> bool {
    let undefined = bits & !F::all();
    let decoded = F::decode(bits);
    let decode_ok = match decoded {
        Ok(flags) => undefined == 0 && flags.bits_of() == bits,
        Err(e) => undefined != 0 && e.bits == undefined && e.parameter == F::TYPE,
    };
    let hex = F::parse_text(&format!("0x{bits:X}"));
    let hex_ok = if undefined == 0 { hex.ok() == decoded.ok() } else { hex.is_err() };
    let bogus = F::parse_text("NOT_A_FLAG").is_err() && F::parse_text(&format!("{}|NOT_A_FLAG", F::names()[0].1)).is_err();
    decode_ok && hex_ok && bogus
}

/// Every documented value of every flag type round-trips through its bits, its printed names and
/// its hex text.
#[test]
fn every_documented_flag_value_round_trips_through_bits_and_names() {
    // Spec: LIFE-2, LIFE-4, LIFE-5, LIFE-10, LIFE-13, DEF-2, ORD-9, LIFE-17, SUB-23, SUB-34, SUB-12, SUB-20, STAT-3, STAT-4
    documented_round_trips::<XpInitFlags>();
    documented_round_trips::<LogonFlags>();
    documented_round_trips::<LogonCaps>();
    documented_round_trips::<NotifyFlags>();
    documented_round_trips::<SpoolerNotifyFlags>();
    documented_round_trips::<SubmitFlags>();
    documented_round_trips::<EndFlags>();
    documented_round_trips::<QueueFlags>();
    documented_round_trips::<StatusRowFlags>();
    documented_round_trips::<StatusCode>();
}

/// For arbitrary 32-bit words, every flag type's `from_bits` refuses exactly the undefined bits
/// (and names them), and `parse` refuses undefined hex values and unknown names.
#[test]
fn from_bits_refuses_exactly_the_undefined_bits() {
    // Spec: LIFE-4, LIFE-5, LIFE-13, SUB-34
    fn prop(bits: u32, shift: u8) -> bool {
        // Both arbitrary words and single bits anywhere, which arbitrary words rarely are.
        let one = 1u32 << (shift % 32);
        [bits, one, bits | one].into_iter().all(|b| {
            arbitrary_bits_law::<XpInitFlags>(b)
                && arbitrary_bits_law::<LogonFlags>(b)
                && arbitrary_bits_law::<LogonCaps>(b)
                && arbitrary_bits_law::<NotifyFlags>(b)
                && arbitrary_bits_law::<SpoolerNotifyFlags>(b)
                && arbitrary_bits_law::<SubmitFlags>(b)
                && arbitrary_bits_law::<EndFlags>(b)
                && arbitrary_bits_law::<QueueFlags>(b)
                && arbitrary_bits_law::<StatusRowFlags>(b)
                && arbitrary_bits_law::<StatusCode>(b)
        })
    }
    qc().quickcheck(prop as fn(u32, u8) -> bool);
    // Every single undefined bit of every type is refused (the exhaustive edge of the law).
    for shift in 0..32 {
        assert!(prop(0, shift));
    }
}

/// `NotifyFlags::is_contradictory` is true exactly when a word carries the BEGIN and the END of
/// one direction, over every documented notify word.
#[test]
fn notify_words_are_contradictory_exactly_when_begin_and_end_meet() {
    // Spec: LIFE-10, INV-13
    let pairs = [(0x0000_0001, 0x0001_0000), (0x0000_0002, 0x0002_0000), (0x0000_0004, 0x0004_0000), (0x0000_0008, 0x0008_0000)];
    for value in documented_values::<NotifyFlags>() {
        let flags = NotifyFlags::from_bits(value).unwrap();
        let expected = pairs.iter().any(|(b, e)| value & b != 0 && value & e != 0);
        assert_eq!(flags.is_contradictory(), expected, "{flags}");
    }
}

// ---------------------------------------------------------------------------------------------
// HRESULTs and lock states
// ---------------------------------------------------------------------------------------------

/// Every known code round-trips through its name, names are unique, and the failure test is the
/// severity bit, for known codes and arbitrary words alike.
#[test]
fn hresult_names_round_trip_and_failure_is_the_severity_bit() {
    let known = Hresult::KNOWN;
    for (i, (code, name)) in known.iter().enumerate() {
        assert_eq!(Hresult::from_name(name), Some(*code), "from_name({name})");
        assert_eq!(code.name(), Some(*name), "name of 0x{:08X}", code.0);
        assert_eq!(code.to_string(), *name);
        assert!(known[..i].iter().all(|(c, n)| c != code && n != name), "{name} is listed once");
        let prefix = if code.is_failure() { "MAPI_E_" } else { "MAPI_W_" };
        assert!(name.starts_with(prefix) || matches!(*name, "S_OK" | "S_FALSE"), "{name}: the name says the severity");
    }
    assert_eq!(Hresult::from_name("MAPI_E_NO_SUCH_CODE"), None);
    fn prop(x: u32) -> bool {
        let h = Hresult(x);
        let known = Hresult::KNOWN.iter().any(|(c, _)| *c == h);
        h.is_failure() == (x & 0x8000_0000 != 0)
            && h.is_success() != h.is_failure()
            && h.name().is_some() == known
            && (known || h.to_string() == format!("0x{x:08X}"))
            && h.name().and_then(Hresult::from_name) == h.name().map(|_| h)
    }
    qc().quickcheck(prop as fn(u32) -> bool);
    for (code, _) in known {
        assert!(prop(code.0));
    }
}

/// `LockState` round-trips through its documented value and refuses every other value.
#[test]
fn lock_state_values_round_trip() {
    // Spec: SUB-20
    for state in [LockState::Unlocked, LockState::Locked] {
        assert_eq!(LockState::from_value(state.value()), Ok(state));
    }
    assert_eq!(LockState::Unlocked.value(), 0);
    assert_eq!(LockState::Locked.value(), 1);
    fn prop(x: u32) -> bool {
        match LockState::from_value(x) {
            Ok(state) => x <= 1 && state.value() == x,
            Err(e) => x > 1 && e.bits == x,
        }
    }
    qc().quickcheck(prop as fn(u32) -> bool);
}

// ---------------------------------------------------------------------------------------------
// Status-code bit operations
// ---------------------------------------------------------------------------------------------

/// `StatusCode`'s `|`, `&`, `without`, `contains` and `intersects` are the set operations on the
/// bits, and obey the laws of a Boolean algebra, for documented and provider-defined bits alike.
#[test]
fn status_code_bit_operations_obey_the_set_laws() {
    // Spec: STAT-4
    fn prop(a: u32, b: u32, c: u32) -> bool {
        let (x, y, z) = (StatusCode::from_bits_retain(a), StatusCode::from_bits_retain(b), StatusCode::from_bits_retain(c));
        let e = StatusCode::EMPTY;
        // Agreement with the u32 model.
        (x | y).bits() == a | b
            && (x & y).bits() == a & b
            && x.without(y).bits() == a & !b
            && x.contains(y) == (a & b == b)
            && x.intersects(y) == (a & b != 0)
            && x.is_empty() == (a == 0)
            // Commutativity, associativity, idempotence, identities.
            && x | y == y | x
            && x & y == y & x
            && (x | y) | z == x | (y | z)
            && (x & y) & z == x & (y & z)
            && x | x == x
            && x & x == x
            && x | e == x
            && (x & e).is_empty()
            // Distributivity and absorption.
            && x & (y | z) == (x & y) | (x & z)
            && x | (y & z) == (x | y) & (x | z)
            && x | (x & y) == x
            && x & (x | y) == x
            // Difference, containment, intersection.
            && !x.without(y).intersects(y)
            && x.without(y) | (x & y) == x
            && x.without(x).is_empty()
            && (x | y).contains(x)
            && x.contains(x & y)
            && x.contains(e)
            && (x.contains(y) && y.contains(x)) == (x == y)
            && x.intersects(y) != (x & y).is_empty()
            && x.intersects(y) == y.intersects(x)
    }
    qc().quickcheck(prop as fn(u32, u32, u32) -> bool);
    // The documented values exhaustively, pairwise.
    let values = documented_values::<StatusCode>();
    for a in values.iter().step_by(7) {
        for b in values.iter().step_by(11) {
            assert!(prop(*a, *b, a ^ b));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Recipient and transport sets
// ---------------------------------------------------------------------------------------------

/// A recipient row index, biased towards the word boundaries (63, 64, 127, 128, ...) and past
/// the inline capacity of 128 rows.
#[derive(Clone, Copy, Debug)]
struct Row(u16);

impl Arbitrary for Row {
    fn arbitrary(g: &mut Gen) -> Row {
        let edges = [0u16, 1, 62, 63, 64, 65, 126, 127, 128, 129, 191, 192, 255, 256, 300, 511, 1000];
        Row(match u8::arbitrary(g) % 4 {
            0 => *g.choose(&edges).unwrap(),
            1 => u16::arbitrary(g) % 1100,
            _ => u16::arbitrary(g) % 140,
        })
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Row>> {
        Box::new(self.0.shrink().map(Row))
    }
}

/// One operation on a recipient set.
#[derive(Clone, Debug)]
enum SetOp {
    Insert(Row),
    Remove(Row),
    Union(Vec<Row>),
    Intersect(Vec<Row>),
    Subtract(Vec<Row>),
}

impl Arbitrary for SetOp {
    fn arbitrary(g: &mut Gen) -> SetOp {
        match u8::arbitrary(g) % 8 {
            0..=2 => SetOp::Insert(Row::arbitrary(g)),
            3 | 4 => SetOp::Remove(Row::arbitrary(g)),
            5 => SetOp::Union(Vec::arbitrary(g)),
            6 => SetOp::Intersect(Vec::arbitrary(g)),
            _ => SetOp::Subtract(Vec::arbitrary(g)),
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = SetOp>> {
        match self {
            SetOp::Insert(r) => Box::new(r.shrink().map(SetOp::Insert)),
            SetOp::Remove(r) => Box::new(r.shrink().map(SetOp::Remove)),
            SetOp::Union(v) => Box::new(v.shrink().map(SetOp::Union)),
            SetOp::Intersect(v) => Box::new(v.shrink().map(SetOp::Intersect)),
            SetOp::Subtract(v) => Box::new(v.shrink().map(SetOp::Subtract)),
        }
    }
}

fn rset(rows: &[Row]) -> RecipientSet {
    rows.iter().map(|r| RecipientIdx(r.0)).collect()
}

fn model(rows: &[Row]) -> BTreeSet<u16> {
    rows.iter().map(|r| r.0).collect()
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Everything observable of a recipient set agrees with the model set.
fn agrees(set: &RecipientSet, model: &BTreeSet<u16>, probes: &[u16]) -> Result<(), String> {
    let members: Vec<u16> = set.iter().map(|r| r.0).collect();
    let expected: Vec<u16> = model.iter().copied().collect();
    if members != expected {
        return Err(format!("iter {members:?}, model {expected:?}"));
    }
    if set.len() != model.len() || set.is_empty() != model.is_empty() {
        return Err(format!("len {} / is_empty {}, model {}", set.len(), set.is_empty(), model.len()));
    }
    if set.max().map(|r| r.0) != model.last().copied() {
        return Err(format!("max {:?}, model {:?}", set.max(), model.last()));
    }
    for p in probes.iter().chain(&expected) {
        if set.contains(RecipientIdx(*p)) != model.contains(p) {
            return Err(format!("contains({p})"));
        }
    }
    // Canonical form: the same members inserted in descending order build an equal set with an
    // equal hash, and so does a copy that went past a larger row and came back.
    let rebuilt: RecipientSet = expected.iter().rev().map(|r| RecipientIdx(*r)).collect();
    let mut detour = rebuilt.clone();
    detour.insert(RecipientIdx(1500));
    detour.remove(RecipientIdx(1500));
    for other in [&rebuilt, &detour] {
        if other != set || hash_of(other) != hash_of(set) {
            return Err(format!("{other} built another way is not equal (or hashes differently) to {set}"));
        }
    }
    let text = format!("{{{}}}", expected.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    if set.to_string() != text {
        return Err(format!("Display {set}, expected {text}"));
    }
    Ok(())
}

/// `RecipientSet` agrees with a `BTreeSet<u16>` under arbitrary sequences of insertions, removals,
/// unions, intersections and differences, including rows far above 128; `is_subset`, equality and
/// hashing agree too, whichever order a set was built in.
#[test]
fn recipient_set_agrees_with_a_btreeset() {
    fn prop(ops: Vec<SetOp>, probes: Vec<Row>) -> TestResult {
        let probes: Vec<u16> = probes.iter().map(|r| r.0).chain([0, 63, 64, 127, 128, 129, 1099]).collect();
        let mut set = RecipientSet::new();
        let mut m = BTreeSet::new();
        for (i, op) in ops.iter().enumerate() {
            let before = set.clone();
            let before_model = m.clone();
            match op {
                SetOp::Insert(r) => {
                    set.insert(RecipientIdx(r.0));
                    m.insert(r.0);
                }
                SetOp::Remove(r) => {
                    set.remove(RecipientIdx(r.0));
                    m.remove(&r.0);
                }
                SetOp::Union(rows) => {
                    let other = rset(rows);
                    let om = model(rows);
                    if before.is_subset(&other) != before_model.is_subset(&om) || other.is_subset(&before) != om.is_subset(&before_model) {
                        return TestResult::error(format!("op {i}: is_subset disagrees for {before} and {other}"));
                    }
                    if other.union(&before) != before.union(&other) {
                        return TestResult::error(format!("op {i}: union is not commutative"));
                    }
                    set = set.union(&other);
                    m = m.union(&om).copied().collect();
                }
                SetOp::Intersect(rows) => {
                    let other = rset(rows);
                    let om = model(rows);
                    if other.intersection(&before) != before.intersection(&other) {
                        return TestResult::error(format!("op {i}: intersection is not commutative"));
                    }
                    set = set.intersection(&other);
                    m = m.intersection(&om).copied().collect();
                }
                SetOp::Subtract(rows) => {
                    let other = rset(rows);
                    let om = model(rows);
                    set = set.difference(&other);
                    m = m.difference(&om).copied().collect();
                    if !set.is_subset(&before) || set.intersection(&other) != RecipientSet::new() {
                        return TestResult::error(format!("op {i}: the difference is not inside the set and outside the other"));
                    }
                }
            }
            if let Err(e) = agrees(&set, &m, &probes) {
                return TestResult::error(format!("after op {i} ({op:?}): {e}"));
            }
        }
        TestResult::passed()
    }
    qc().quickcheck(prop as fn(Vec<SetOp>, Vec<Row>) -> TestResult);
}

/// `RecipientSet::first(n)` is the rows `0..n`, for every size up to three words and beyond.
#[test]
fn recipient_set_first_is_the_leading_rows() {
    for n in (0..=200).chain([255, 256, 257, 1000]) {
        let set = RecipientSet::first(n);
        let expected: BTreeSet<u16> = (0..n as u16).collect();
        agrees(&set, &expected, &[n as u16, n as u16 + 1]).unwrap_or_else(|e| panic!("first({n}): {e}"));
    }
}

/// A transport number below the capacity of 64.
#[derive(Clone, Copy, Debug)]
struct Tid(u8);

impl Arbitrary for Tid {
    fn arbitrary(g: &mut Gen) -> Tid {
        Tid(if bool::arbitrary(g) { u8::arbitrary(g) % 64 } else { *g.choose(&[0, 1, 31, 32, 62, 63]).unwrap() })
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Tid>> {
        Box::new(self.0.shrink().map(Tid))
    }
}

/// `TransportSet` agrees with a `BTreeSet<u8>`: insert, remove, contains, is_empty, union,
/// intersects and iter, with canonical equality and hashing.
#[test]
fn transport_set_agrees_with_a_btreeset() {
    fn prop(ops: Vec<(bool, Tid)>, other: Vec<Tid>) -> TestResult {
        let mut set = TransportSet::EMPTY;
        let mut m = BTreeSet::new();
        let other_set: TransportSet = other.iter().map(|t| TransportId(t.0)).collect();
        let other_model: BTreeSet<u8> = other.iter().map(|t| t.0).collect();
        for (insert, t) in &ops {
            if *insert {
                set.insert(TransportId(t.0));
                m.insert(t.0);
            } else {
                set.remove(TransportId(t.0));
                m.remove(&t.0);
            }
            let members: Vec<u8> = set.iter().map(|t| t.0).collect();
            if members != m.iter().copied().collect::<Vec<_>>() {
                return TestResult::error(format!("iter {members:?}, model {m:?}"));
            }
            if (0..64).any(|i| set.contains(TransportId(i)) != m.contains(&i)) || set.is_empty() != m.is_empty() {
                return TestResult::error(format!("contains or is_empty disagree for {set:?}"));
            }
            let union: Vec<u8> = set.union(other_set).iter().map(|t| t.0).collect();
            if union != m.union(&other_model).copied().collect::<Vec<_>>() || set.union(other_set) != other_set.union(set) {
                return TestResult::error(format!("union of {set:?} and {other_set:?}"));
            }
            if set.intersects(other_set) == m.is_disjoint(&other_model) {
                return TestResult::error(format!("intersects of {set:?} and {other_set:?}"));
            }
            let rebuilt: TransportSet = m.iter().rev().map(|t| TransportId(*t)).collect();
            if rebuilt != set || hash_of(&rebuilt) != hash_of(&set) {
                return TestResult::error(format!("{rebuilt:?} built in reverse differs from {set:?}"));
            }
        }
        TestResult::passed()
    }
    qc().quickcheck(prop as fn(Vec<(bool, Tid)>, Vec<Tid>) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// SPI versions
// ---------------------------------------------------------------------------------------------

/// `SpiVersion::new` and its three accessors are inverse, the packing is the documented one,
/// versions order like (major, minor, update), and `VersionRange::negotiate` is the obvious
/// comparison.
#[test]
fn spi_versions_round_trip_and_negotiate_by_comparison() {
    // Spec: VER-1, VER-2, VER-3, VER-4, VER-5
    fn prop(major: u8, minor: u8, update: u16, raw: u32, a: u32, b: u32) -> bool {
        let v = SpiVersion::new(major, minor, update);
        let w = SpiVersion(raw);
        let (lo, hi) = (SpiVersion(a.min(b)), SpiVersion(a.max(b)));
        let range = VersionRange { oldest: lo, mapi: hi };
        let expected = |p: SpiVersion| {
            if p.0 > hi.0 {
                Negotiation::ProviderTooNew
            } else if p.0 < lo.0 {
                Negotiation::ProviderTooOld
            } else {
                Negotiation::Agreed(p)
            }
        };
        (v.major(), v.minor(), v.update()) == (major, minor, update)
            && v.0 == (u32::from(major) << 24) | (u32::from(minor) << 16) | u32::from(update)
            && SpiVersion::new(w.major(), w.minor(), w.update()) == w
            && (v.cmp(&w) == (v.major(), v.minor(), v.update()).cmp(&(w.major(), w.minor(), w.update())))
            && range.negotiate(v) == expected(v)
            && range.negotiate(w) == expected(w)
            && range.negotiate(lo) == Negotiation::Agreed(lo)
            && range.negotiate(hi) == Negotiation::Agreed(hi)
            && VersionRange::default().negotiate(w) == expected_default(w)
    }
    fn expected_default(p: SpiVersion) -> Negotiation {
        if p > SpiVersion::CURRENT {
            Negotiation::ProviderTooNew
        } else if p < SpiVersion::PDK1 {
            Negotiation::ProviderTooOld
        } else {
            Negotiation::Agreed(p)
        }
    }
    qc().quickcheck(prop as fn(u8, u8, u16, u32, u32, u32) -> bool);
    assert_eq!(SpiVersion::CURRENT, SpiVersion::new(0, 1, 16));
    assert_eq!(SpiVersion::PDK1, SpiVersion::new(0, 1, 0));
    assert_eq!(SpiVersion::PDK2, SpiVersion::new(0, 1, 8));
    assert!(SpiVersion::PDK1 < SpiVersion::PDK2 && SpiVersion::PDK2 < SpiVersion::PDK3);
}

// ---------------------------------------------------------------------------------------------
// The assignment scan (ORD-4) and preprocessor filters (ORD-11)
// ---------------------------------------------------------------------------------------------

/// A world for the scan: up to 8 transports, each registered or not, with address types from a
/// pool of 4 (or any), UIDs from a pool of 4; a transport order; recipients; declined sets.
#[derive(Clone, Debug)]
struct ScanWorld {
    registrations: Vec<Option<Registrations>>,
    order: Vec<TransportId>,
    recipients: Vec<RecipientRow>,
    declined: Vec<TransportSet>,
}

fn arbitrary_row(g: &mut Gen) -> RecipientRow {
    RecipientRow {
        addr_type: AddrType(u16::arbitrary(g) % 5),
        uid: if u8::arbitrary(g) % 3 == 0 { Some(MapiUid(u16::arbitrary(g) % 5)) } else { None },
        responsibility: false,
    }
}

impl Arbitrary for ScanWorld {
    fn arbitrary(g: &mut Gen) -> ScanWorld {
        let n = 1 + usize::from(u8::arbitrary(g) % 8);
        let registrations = (0..n)
            .map(|_| match u8::arbitrary(g) % 8 {
                0 => None,
                1 => Some(Registrations { address_types: AddressTypes::Any, uids: Vec::new() }),
                _ => {
                    let types = (0..u8::arbitrary(g) % 3).map(|_| AddrType(u16::arbitrary(g) % 4)).collect();
                    let mut uids = Vec::new();
                    for _ in 0..u8::arbitrary(g) % 3 {
                        if bool::arbitrary(g) {
                            uids.push(MapiUid(u16::arbitrary(g) % 4));
                        }
                    }
                    Some(Registrations { address_types: AddressTypes::Listed(types), uids })
                }
            })
            .collect();
        // A random priority order: a shuffled permutation of the transports.
        let mut order: Vec<TransportId> = (0..n as u8).map(TransportId).collect();
        for i in (1..order.len()).rev() {
            let j = usize::from(u8::arbitrary(g)) % (i + 1);
            order.swap(i, j);
        }
        let count = 1 + usize::from(u8::arbitrary(g) % 10);
        let recipients: Vec<RecipientRow> = (0..count).map(|_| arbitrary_row(g)).collect();
        let declined = recipients.iter().map(|_| (0..n as u8).filter(|_| u8::arbitrary(g) % 3 == 0).map(TransportId).collect()).collect();
        ScanWorld { registrations, order, recipients, declined }
    }
}

/// The scan written directly from ORD-4: the UID registrations in priority order, then the
/// address-type registrations in priority order; exact type match (ORD-2), NULL takes any
/// (ORD-5), an empty list takes none (ORD-6).
fn model_scan(w: &ScanWorld, r: &RecipientRow) -> Vec<TransportId> {
    let mut out = Vec::new();
    for t in &w.order {
        if let Some(Some(g)) = w.registrations.get(t.index())
            && r.uid.is_some_and(|u| g.uids.contains(&u))
        {
            out.push(*t);
        }
    }
    for t in &w.order {
        if let Some(Some(g)) = w.registrations.get(t.index()) {
            let types_match = match &g.address_types {
                AddressTypes::Any => true,
                AddressTypes::Listed(types) => types.contains(&r.addr_type),
            };
            if types_match {
                out.push(*t);
            }
        }
    }
    out
}

/// The first choice of a recipient row that is not one of the world's own rows.
fn choice_of(w: &ScanWorld, r: &RecipientRow, declined: TransportSet) -> Option<TransportId> {
    first_choice(&w.order, |t| w.registrations.get(t.index()).and_then(Option::as_ref), r, declined)
}

/// The ORD-4 scan agrees with a model written from the rule, is deterministic, never picks a
/// declined transport, puts UID registrations before address-type ones, and `first_choice` is the
/// first element of `scan` not declined; a recipient's first choice depends only on that
/// recipient, the registrations, the order and its declined set, not on the other recipients or
/// the order in which they are listed.
#[test]
fn the_assignment_scan_is_deterministic_order_independent_and_skips_declines() {
    // Spec: ORD-2, ORD-3, ORD-4, ORD-5, ORD-6
    fn prop(w: ScanWorld, rotate: u8) -> TestResult {
        let regs = |t: TransportId| w.registrations.get(t.index()).and_then(Option::as_ref);
        let choices: Vec<Option<TransportId>> =
            w.recipients.iter().zip(&w.declined).map(|(r, d)| first_choice(&w.order, regs, r, *d)).collect();
        for (i, (r, d)) in w.recipients.iter().zip(&w.declined).enumerate() {
            let scanned: Vec<TransportId> = scan(&w.order, regs, r).collect();
            let again: Vec<TransportId> = scan(&w.order, regs, r).collect();
            if scanned != again || first_choice(&w.order, regs, r, *d) != choices[i] {
                return TestResult::error(format!("recipient {i}: the scan is not deterministic"));
            }
            let expected = model_scan(&w, r);
            if scanned != expected {
                return TestResult::error(format!("recipient {i}: scan {scanned:?}, model {expected:?}"));
            }
            // UID matches first: once an address-type-only match appears, no UID-only match follows.
            let uid_count = w.order.iter().filter(|t| regs(**t).is_some_and(|g| g.matches_uid(r))).count();
            if !scanned[..uid_count].iter().all(|t| regs(*t).is_some_and(|g| g.matches_uid(r)))
                || !scanned[uid_count..].iter().all(|t| regs(*t).is_some_and(|g| g.matches_type(r)))
            {
                return TestResult::error(format!("recipient {i}: UID registrations do not all come first in {scanned:?}"));
            }
            let first_not_declined = scanned.iter().copied().find(|t| !d.contains(*t));
            if choices[i] != first_not_declined {
                return TestResult::error(format!("recipient {i}: first_choice {:?}, first undeclined {first_not_declined:?}", choices[i]));
            }
            if choices[i].is_some_and(|t| d.contains(t)) {
                return TestResult::error(format!("recipient {i}: first_choice returned a declined transport"));
            }
            // A transport that is not registered is never chosen.
            if choices[i].is_some_and(|t| regs(t).is_none()) {
                return TestResult::error(format!("recipient {i}: an unregistered transport was chosen"));
            }
        }
        // Listing the recipients in another order (a rotation, and the reverse) gives every
        // recipient the same first choice.
        let n = w.recipients.len();
        let k = usize::from(rotate) % n;
        let rotated: Vec<usize> = (0..n).map(|i| (i + k) % n).collect();
        let reversed: Vec<usize> = (0..n).rev().collect();
        for permutation in [rotated, reversed] {
            let listed: Vec<(RecipientRow, TransportSet)> = permutation.iter().map(|i| (w.recipients[*i], w.declined[*i])).collect();
            for (pos, (r, d)) in listed.iter().enumerate() {
                if choice_of(&w, r, *d) != choices[permutation[pos]] {
                    return TestResult::error(format!("recipient {} changes its first choice when listed at {pos}", permutation[pos]));
                }
            }
        }
        // Declining the first choice moves the recipient to the next transport of the scan.
        for (i, (r, d)) in w.recipients.iter().zip(&w.declined).enumerate() {
            if let Some(t) = choices[i] {
                let mut more = *d;
                more.insert(t);
                let next = scan(&w.order, regs, r).find(|u| !more.contains(*u));
                if first_choice(&w.order, regs, r, more) != next || next == Some(t) {
                    return TestResult::error(format!("recipient {i}: declining {t} does not move on to {next:?}"));
                }
            }
        }
        TestResult::passed()
    }
    qc().quickcheck(prop as fn(ScanWorld, u8) -> TestResult);
}

/// `PreprocessorFilter::matches` is ORD-11: a UID alone matches recipients with that UID, an
/// address type alone matches that type, both match either, neither matches everyone; and the
/// registration matchers follow ORD-2, ORD-3 and ORD-5.
#[test]
fn preprocessor_filters_and_registrations_match_per_ord_11() {
    // Spec: ORD-11, HOOK-1, ORD-2, ORD-3, ORD-5
    fn prop(uid: Option<u8>, addr: Option<u8>, r_uid: Option<u8>, r_addr: u8, types: Vec<u8>, any: bool) -> bool {
        let filter =
            PreprocessorFilter { uid: uid.map(|u| MapiUid(u16::from(u % 4))), addr_type: addr.map(|a| AddrType(u16::from(a % 4))) };
        let row = RecipientRow {
            addr_type: AddrType(u16::from(r_addr % 4)),
            uid: r_uid.map(|u| MapiUid(u16::from(u % 4))),
            responsibility: false,
        };
        let uid_match = filter.uid.is_some_and(|u| row.uid == Some(u));
        let addr_match = filter.addr_type.is_some_and(|a| row.addr_type == a);
        let expected = match (filter.uid, filter.addr_type) {
            (None, None) => true,
            (Some(_), None) => uid_match,
            (None, Some(_)) => addr_match,
            (Some(_), Some(_)) => uid_match || addr_match,
        };
        let listed: Vec<AddrType> = types.iter().map(|t| AddrType(u16::from(t % 4))).collect();
        let regs = if any { Registrations::any() } else { Registrations::address_types(listed.clone()) };
        let type_expected = any || listed.contains(&row.addr_type);
        let uids: HashSet<u16> = types.iter().map(|t| u16::from(t % 4)).collect();
        let with_uids = Registrations { address_types: AddressTypes::Listed(Vec::new()), uids: uids.iter().map(|u| MapiUid(*u)).collect() };
        filter.matches(&row) == expected
            && regs.matches_type(&row) == type_expected
            && !regs.matches_uid(&row)
            && with_uids.matches_uid(&row) == row.uid.is_some_and(|u| uids.contains(&u.0))
            && !with_uids.matches_type(&row)
            && !Registrations::none().matches_type(&row)
    }
    qc().quickcheck(prop as fn(Option<u8>, Option<u8>, Option<u8>, u8, Vec<u8>, bool) -> bool);
}

/// RCV-12: the receive folder of a class is the folder of the longest registered class that is
/// a prefix of it by whole parts, whatever the order of the table and the case of the names;
/// with none, the default (root for IPC, Inbox otherwise). Classes are built from a small
/// alphabet of parts so that prefixes are common.
#[test]
fn receive_folder_choice_is_the_longest_registered_prefix() {
    // Spec: RCV-12, INV-38
    use mapi_spooler::FolderId;
    use mapi_spooler::store::{INBOX, ROOT, receive_folder};
    const PARTS: [&str; 4] = ["IPM", "Note", "IPC", "Fax"];
    fn class(parts: &[u8]) -> Vec<&'static str> {
        parts.iter().take(4).map(|p| PARTS[usize::from(p % 4)]).collect()
    }
    fn prop(table: Vec<(Vec<u8>, u8)>, wanted: Vec<u8>, upper: bool) -> TestResult {
        let mut seen = HashSet::new();
        let table: Vec<(String, FolderId)> = table
            .iter()
            .map(|(parts, folder)| (class(parts).join("."), FolderId(10 + u16::from(*folder % 8))))
            .filter(|(c, _)| seen.insert(c.to_ascii_lowercase()))
            .collect();
        let wanted_parts = class(&wanted);
        let wanted = wanted_parts.join(".");
        let asked = if upper { wanted.to_ascii_uppercase() } else { wanted.clone() };
        let got = receive_folder(&table, &asked);
        // The oracle: every registered class whose parts begin the wanted parts, longest first.
        let best = table
            .iter()
            .filter(|(c, _)| {
                let parts: Vec<&str> = c.split('.').filter(|p| !p.is_empty()).collect();
                parts.len() <= wanted_parts.len() && parts.iter().zip(&wanted_parts).all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .max_by_key(|(c, _)| c.split('.').filter(|p| !p.is_empty()).count());
        let expected = match best {
            Some((_, folder)) => *folder,
            None if wanted_parts.first() == Some(&"IPC") => ROOT,
            None => INBOX,
        };
        let mut reversed = table.clone();
        reversed.reverse();
        TestResult::from_bool(got == expected && receive_folder(&reversed, &wanted) == got)
    }
    qc().quickcheck(prop as fn(Vec<(Vec<u8>, u8)>, Vec<u8>, bool) -> TestResult);
}
