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
    /// Every member is below 128: two words, low word first.
    Small([u64; 2]),
    /// Some member is 128 or above; there are more than two words and the last is never zero.
    Large(Box<[u64]>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Small([0; 2])
    }
}

/// The words of a set that holds only rows below 128.
const SMALL_WORDS: usize = 2;

impl RecipientSet {
    /// The empty set.
    #[must_use]
    #[inline]
    pub const fn new() -> RecipientSet {
        RecipientSet(Repr::Small([0; 2]))
    }

    /// The rows `0..count`.
    #[must_use]
    pub fn first(count: usize) -> RecipientSet {
        let mut words = vec![u64::MAX; count / 64];
        if !count.is_multiple_of(64) {
            words.push((1 << (count % 64)) - 1);
        }
        RecipientSet::from_words(words)
    }

    /// The set's words, low rows first; rows past the end are not members.
    #[inline]
    fn words(&self) -> &[u64] {
        match &self.0 {
            Repr::Small(words) => words,
            Repr::Large(words) => words,
        }
    }

    /// The canonical set of these words.
    fn from_words(mut words: Vec<u64>) -> RecipientSet {
        while words.last() == Some(&0) {
            words.pop();
        }
        if words.len() <= SMALL_WORDS {
            let mut small = [0; SMALL_WORDS];
            small[..words.len()].copy_from_slice(&words);
            RecipientSet(Repr::Small(small))
        } else {
            RecipientSet(Repr::Large(words.into_boxed_slice()))
        }
    }

    /// The set of `f(a, b)` word by word, where a missing word reads 0; `len` words are
    /// computed.
    #[inline(never)]
    fn combine(&self, other: &RecipientSet, len: usize, f: impl Fn(u64, u64) -> u64) -> RecipientSet {
        let (a, b) = (self.words(), other.words());
        let word = |w: &[u64], i: usize| w.get(i).copied().unwrap_or(0);
        RecipientSet::from_words((0..len).map(|i| f(word(a, i), word(b, i))).collect())
    }

    /// Adds a row.
    #[inline]
    pub fn insert(&mut self, r: RecipientIdx) {
        let i = r.index();
        match &mut self.0 {
            Repr::Small(words) if i < 64 * SMALL_WORDS => words[i / 64] |= 1 << (i % 64),
            Repr::Large(words) if i / 64 < words.len() => words[i / 64] |= 1 << (i % 64),
            _ => self.grow_insert(i),
        }
    }

    /// Adds row `i`, which lies past the set's last word.
    #[cold]
    #[inline(never)]
    fn grow_insert(&mut self, i: usize) {
        let mut words = self.words().to_vec();
        words.resize(i / 64 + 1, 0);
        words[i / 64] |= 1 << (i % 64);
        *self = RecipientSet::from_words(words);
    }

    /// Removes a row.
    pub fn remove(&mut self, r: RecipientIdx) {
        let i = r.index();
        match &mut self.0 {
            Repr::Small(words) => {
                if let Some(word) = words.get_mut(i / 64) {
                    *word &= !(1 << (i % 64));
                }
            }
            Repr::Large(words) => {
                if let Some(word) = words.get_mut(i / 64) {
                    *word &= !(1 << (i % 64));
                    if words.last() == Some(&0) {
                        *self = RecipientSet::from_words(self.words().to_vec());
                    }
                }
            }
        }
    }

    /// True when the row is in the set.
    #[must_use]
    #[inline]
    pub fn contains(&self, r: RecipientIdx) -> bool {
        let i = r.index();
        self.words().get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The number of rows in the set.
    #[must_use]
    #[inline]
    pub fn len(&self) -> usize {
        self.words().iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when the set has no row.
    #[must_use]
    #[inline]
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Small([0, 0]))
    }

    /// The largest row in the set.
    #[must_use]
    #[inline]
    pub fn max(&self) -> Option<RecipientIdx> {
        let words = self.words();
        let i = words.iter().rposition(|w| *w != 0)?;
        Some(RecipientIdx((i * 64 + 63 - words[i].leading_zeros() as usize) as u16))
    }

    /// True when every row of `self` is in `other`.
    #[must_use]
    #[inline]
    pub fn is_subset(&self, other: &RecipientSet) -> bool {
        let b = other.words();
        self.words().iter().enumerate().all(|(i, a)| a & !b.get(i).copied().unwrap_or(0) == 0)
    }

    /// The rows in both sets.
    #[must_use]
    #[inline]
    pub fn intersection(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small([a0, a1]), Repr::Small([b0, b1])) => RecipientSet(Repr::Small([a0 & b0, a1 & b1])),
            _ => self.combine(other, self.words().len().min(other.words().len()), |a, b| a & b),
        }
    }

    /// The rows of `self` that are not in `other`.
    #[must_use]
    #[inline]
    pub fn difference(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small([a0, a1]), Repr::Small([b0, b1])) => RecipientSet(Repr::Small([a0 & !b0, a1 & !b1])),
            _ => self.combine(other, self.words().len(), |a, b| a & !b),
        }
    }

    /// The rows in either set.
    #[must_use]
    #[inline]
    pub fn union(&self, other: &RecipientSet) -> RecipientSet {
        match (&self.0, &other.0) {
            (Repr::Small([a0, a1]), Repr::Small([b0, b1])) => RecipientSet(Repr::Small([a0 | b0, a1 | b1])),
            _ => self.combine(other, self.words().len().max(other.words().len()), |a, b| a | b),
        }
    }

    /// The rows in ascending order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = RecipientIdx> + '_ {
        let words = self.words();
        Bits { rest: words.get(1..).unwrap_or(&[]), word: words.first().copied().unwrap_or(0), base: 0 }.map(|i| RecipientIdx(i as u16))
    }
}

/// The members of a bitset of words, in ascending order.
struct Bits<'a> {
    /// The words not started yet.
    rest: &'a [u64],
    /// What is left of the current word.
    word: u64,
    /// The number of the current word's bit 0.
    base: usize,
}

impl Iterator for Bits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.word == 0 {
            let (&next, rest) = self.rest.split_first()?;
            self.word = next;
            self.rest = rest;
            self.base += 64;
        }
        let bit = self.word.trailing_zeros() as usize;
        self.word &= self.word - 1;
        Some(self.base + bit)
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

    /// The set as a mask: bit `i` stands for transport `i`.
    #[must_use]
    pub(crate) const fn bits(self) -> u64 {
        self.0
    }

    /// The transports in ascending order of their identifiers.
    pub fn iter(self) -> impl Iterator<Item = TransportId> {
        Bits { rest: &[], word: self.0, base: 0 }.map(|t| TransportId(t as u8))
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

#[cfg(test)]
mod tests {
    //! The bitset against a plain set: same members, and one representation per set.

    use std::collections::BTreeSet;

    use super::*;
    use crate::sim::SplitMix64;

    fn set(members: &BTreeSet<u16>) -> RecipientSet {
        members.iter().map(|&r| RecipientIdx(r)).collect()
    }

    fn members(set: &RecipientSet) -> BTreeSet<u16> {
        set.iter().map(|r| r.0).collect()
    }

    #[test]
    fn recipient_sets_behave_like_sets_and_stay_canonical() {
        let mut rng = SplitMix64::new(7);
        for round in 0..5_000 {
            let range = [4, 64, 130, 300][round % 4];
            let mut random = || (0..rng.below(20)).map(|_| rng.below(range) as u16).collect::<BTreeSet<u16>>();
            let (a, b) = (random(), random());
            let (x, y) = (set(&a), set(&b));
            assert_eq!(members(&x), a);
            assert_eq!(members(&x.union(&y)), a.union(&b).copied().collect());
            assert_eq!(members(&x.intersection(&y)), a.intersection(&b).copied().collect());
            assert_eq!(members(&x.difference(&y)), a.difference(&b).copied().collect());
            assert_eq!(x.is_subset(&y), a.is_subset(&b));
            assert_eq!((x.len(), x.is_empty()), (a.len(), a.is_empty()));
            assert_eq!(x.max().map(|r| r.0), a.last().copied());
            // Built another way, the same set is equal (and so hashes equal).
            let mut z = x.union(&y);
            for r in b.difference(&a) {
                z.remove(RecipientIdx(*r));
            }
            assert_eq!(z, x);
            assert_eq!(x.union(&y).difference(&y.difference(&x)), x);
            let n = rng.below(range) as usize;
            assert_eq!(members(&RecipientSet::first(n)), (0..n as u16).collect());
        }
    }
}
