//! A small ordered map kept in one sorted vector, for the per-message tables of the monitor and
//! the reference store.
//!
//! Those tables hold a handful of messages, and a model checker clones, hashes, compares and
//! drops them for every state it generates: one vector does each of those in a single pass over
//! one allocation, where a B-tree walks its nodes. Lookups are binary searches.

/// A map from keys to values, sorted by key, with the subset of `BTreeMap`'s interface the
/// tables use. Equal maps hold the same entries in the same order, so equality and hashing are
/// those of the vector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Vec::new() }
    }
}

impl<K: Ord + Copy, V> VecMap<K, V> {
    /// An empty map.
    pub(crate) const fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The value of a key.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of a key, mutably.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// True when the key is in the map.
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Sets the value of a key; returns the value it replaces.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of a key, inserting `make()` first if the key is not in the map.
    pub(crate) fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Removes a key; returns its value.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Keeps only the entries for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries, in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The values, in key order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values, in key order, mutably.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Ord + Copy, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// The map of these entries; of two entries with one key, the later one stays.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        // A stable sort keeps entries with equal keys in arrival order; the last of each run wins.
        entries.sort_by_key(|(k, _)| *k);
        let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        VecMap { entries: out }
    }
}

impl<K: Ord + Copy, V> std::ops::Index<&K> for VecMap<K, V> {
    type Output = V;

    /// The value of a key that is in the map.
    ///
    /// # Panics
    /// When the key is not in the map.
    fn index(&self, key: &K) -> &V {
        self.get(key).expect("the key is in the map")
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries, in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;

    #[test]
    fn behaves_like_a_btree_map() {
        let mut map = VecMap::new();
        let mut reference = std::collections::BTreeMap::new();
        for (i, key) in [5u32, 1, 9, 1, 7, 3, 9, 0].into_iter().enumerate() {
            assert_eq!(map.insert(key, i), reference.insert(key, i));
        }
        assert_eq!(map.remove(&7), reference.remove(&7));
        assert_eq!(map.remove(&8), reference.remove(&8));
        *map.get_or_insert_with(4, || 40) += 1;
        *reference.entry(4).or_insert_with(|| 40) += 1;
        map.retain(|k, v| *k != 3 && *v != 2);
        reference.retain(|k, v| *k != 3 && *v != 2);
        assert_eq!(map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), reference.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>());
        assert!(map.contains_key(&9) && !map.contains_key(&3));
        let rebuilt: VecMap<u32, usize> = [(2, 0), (1, 1), (2, 2)].into_iter().collect();
        assert_eq!(rebuilt.into_iter().collect::<Vec<_>>(), vec![(1, 1), (2, 2)]);
    }
}
