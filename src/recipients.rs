//! Recipient rows as the spooler reads them, and the sets the spooler keeps of recipients and of
//! transports.

use std::fmt;

use crate::ids::{AddrType, MapiUid, RecipientIdx, TransportId};

/// One row of a submitted message's recipient table, as far as routing needs it: the address
/// type (`PR_ADDRTYPE`, which submitted messages must expose, SUB-9), the `MAPIUID` of the
/// recipient's entry identifier if it has one (ORD-3), and `PR_RESPONSIBILITY` as the store holds
/// it (SUB-9: FALSE on submission; TRUE once some transport took the recipient, SUB-28, or when
/// the store marked it as already sent, DEF-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecipientRow {
    /// `PR_ADDRTYPE`.
    pub addr_type: AddrType,
    /// The provider UID in the recipient's `PR_ENTRYID`, if any.
    pub uid: Option<MapiUid>,
    /// `PR_RESPONSIBILITY`.
    pub responsibility: bool,
}

impl RecipientRow {
    /// A recipient of this address type, with no entry-identifier UID, that no transport has
    /// taken yet.
    #[must_use]
    pub const fn new(addr_type: AddrType) -> RecipientRow {
        RecipientRow { addr_type, uid: None, responsibility: false }
    }
}

/// A set of recipient rows of one message, as a bitset. Up to 128 rows it lives inline; larger
/// recipient tables spill to the heap. The representation is canonical, so equal sets compare and
/// hash equal whichever way they were built.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RecipientSet(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Every member is below 128.
    Small(u128),
    /// Some member is 128 or above; the last word is never zero.
    Large(Box<[u64]>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Small(0)
    }
}

impl RecipientSet {
    /// The empty set.
    #[must_use]
    pub const fn new() -> RecipientSet {
        RecipientSet(Repr::Small(0))
    }

    /// The rows `0..count`.
    #[must_use]
    pub fn first(count: usize) -> RecipientSet {
        (0..count).map(|i| RecipientIdx(i as u16)).collect()
    }

    fn words(&self) -> Vec<u64> {
        match &self.0 {
            Repr::Small(bits) => vec![*bits as u64, (*bits >> 64) as u64],
            Repr::Large(words) => words.to_vec(),
        }
    }

    fn from_words(mut words: Vec<u64>) -> RecipientSet {
        while words.last() == Some(&0) {
            words.pop();
        }
        if words.len() <= 2 {
            let low = words.first().copied().unwrap_or(0) as u128;
            let high = words.get(1).copied().unwrap_or(0) as u128;
            RecipientSet(Repr::Small(low | (high << 64)))
        } else {
            RecipientSet(Repr::Large(words.into_boxed_slice()))
        }
    }

    /// Adds a row.
    pub fn insert(&mut self, r: RecipientIdx) {
        let i = r.index();
        match &mut self.0 {
            Repr::Small(bits) if i < 128 => *bits |= 1 << i,
            _ => {
                let mut words = self.words();
                if words.len() <= i / 64 {
                    words.resize(i / 64 + 1, 0);
                }
                words[i / 64] |= 1 << (i % 64);
                *self = RecipientSet::from_words(words);
            }
        }
    }

    /// Removes a row.
    pub fn remove(&mut self, r: RecipientIdx) {
        let i = r.index();
        match &mut self.0 {
            Repr::Small(bits) => {
                if i < 128 {
                    *bits &= !(1 << i);
                }
            }
            Repr::Large(_) => {
                let mut words = self.words();
                if let Some(word) = words.get_mut(i / 64) {
                    *word &= !(1 << (i % 64));
                }
                *self = RecipientSet::from_words(words);
            }
        }
    }

    /// True when the row is in the set.
    #[must_use]
    pub fn contains(&self, r: RecipientIdx) -> bool {
        let i = r.index();
        match &self.0 {
            Repr::Small(bits) => i < 128 && bits & (1 << i) != 0,
            Repr::Large(words) => words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0),
        }
    }

    /// The number of rows in the set.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small(bits) => bits.count_ones() as usize,
            Repr::Large(words) => words.iter().map(|w| w.count_ones() as usize).sum(),
        }
    }

    /// True when the set has no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Small(0))
    }

    /// The largest row in the set.
    #[must_use]
    pub fn max(&self) -> Option<RecipientIdx> {
        self.iter().last()
    }

    /// True when every row of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &RecipientSet) -> bool {
        match (&self.0, &other.0) {
            (Repr::Small(a), Repr::Small(b)) => a & !b == 0,
            _ => self.iter().all(|r| other.contains(r)),
        }
    }

    /// The rows in both sets.
    #[must_use]
    pub fn intersection(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small(a), Repr::Small(b)) => RecipientSet(Repr::Small(a & b)),
            _ => {
                let (a, b) = (self.words(), other.words());
                RecipientSet::from_words(a.iter().zip(b.iter()).map(|(x, y)| x & y).collect())
            }
        }
    }

    /// The rows of `self` that are not in `other`.
    #[must_use]
    pub fn difference(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small(a), Repr::Small(b)) => RecipientSet(Repr::Small(a & !b)),
            _ => {
                let b = other.words();
                let words = self.words().iter().enumerate().map(|(i, x)| x & !b.get(i).copied().unwrap_or(0)).collect();
                RecipientSet::from_words(words)
            }
        }
    }

    /// The rows in either set.
    #[must_use]
    pub fn union(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small(a), Repr::Small(b)) => RecipientSet(Repr::Small(a | b)),
            _ => {
                let (mut a, b) = (self.words(), other.words());
                if a.len() < b.len() {
                    a.resize(b.len(), 0);
                }
                for (x, y) in a.iter_mut().zip(b.iter()) {
                    *x |= y;
                }
                RecipientSet::from_words(a)
            }
        }
    }

    /// The rows in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = RecipientIdx> + '_ {
        let words: Vec<u64> = match &self.0 {
            Repr::Small(_) => Vec::new(),
            Repr::Large(words) => words.to_vec(),
        };
        let small = match &self.0 {
            Repr::Small(bits) => *bits,
            Repr::Large(_) => 0,
        };
        let small_iter = BitIter { word: small, base: 0 };
        let large_iter = words.into_iter().enumerate().flat_map(|(i, w)| BitIter { word: w as u128, base: i * 64 });
        small_iter.chain(large_iter)
    }
}

struct BitIter {
    word: u128,
    base: usize,
}

impl Iterator for BitIter {
    type Item = RecipientIdx;

    fn next(&mut self) -> Option<RecipientIdx> {
        if self.word == 0 {
            return None;
        }
        let bit = self.word.trailing_zeros() as usize;
        self.word &= self.word - 1;
        Some(RecipientIdx((self.base + bit) as u16))
    }
}

impl FromIterator<RecipientIdx> for RecipientSet {
    fn from_iter<I: IntoIterator<Item = RecipientIdx>>(iter: I) -> Self {
        let mut set = RecipientSet::new();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

impl fmt::Display for RecipientSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (n, r) in self.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", r.0)?;
        }
        f.write_str("}")
    }
}

impl fmt::Debug for RecipientSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A set of transports, as a 64-bit mask: a profile holds at most
/// [`TransportSet::CAPACITY`] transports.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TransportSet(u64);

impl TransportSet {
    /// The most transports a profile may hold.
    pub const CAPACITY: usize = 64;

    /// The empty set.
    pub const EMPTY: TransportSet = TransportSet(0);

    /// Adds a transport.
    pub fn insert(&mut self, t: TransportId) {
        self.0 |= 1 << t.index();
    }

    /// Removes a transport.
    pub fn remove(&mut self, t: TransportId) {
        self.0 &= !(1 << t.index());
    }

    /// True when the transport is in the set.
    #[must_use]
    pub const fn contains(self, t: TransportId) -> bool {
        self.0 & (1 << t.0) != 0
    }

    /// True when the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when the sets share a transport.
    #[must_use]
    pub const fn intersects(self, other: TransportSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The transports in either set.
    #[must_use]
    pub const fn union(self, other: TransportSet) -> TransportSet {
        TransportSet(self.0 | other.0)
    }

    /// The transports in ascending order of their identifiers.
    pub fn iter(self) -> impl Iterator<Item = TransportId> {
        BitIter { word: self.0 as u128, base: 0 }.map(|r| TransportId(r.0 as u8))
    }
}

impl FromIterator<TransportId> for TransportSet {
    fn from_iter<I: IntoIterator<Item = TransportId>>(iter: I) -> Self {
        let mut set = TransportSet::EMPTY;
        for t in iter {
            set.insert(t);
        }
        set
    }
}

impl fmt::Debug for TransportSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}
