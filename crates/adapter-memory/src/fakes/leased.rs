//! Cache-aside entries with fill leases, as the Redis caches keep them (ADR 18); shared by the
//! cache fakes. Leases do not lapse here.

use super::{lock, Outage};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use taskforge_domain::cache::FillToken;
use taskforge_domain::StoreError;

enum Slot<V> {
    Entry(V),
    Leased(FillToken),
}

pub(super) struct Leased<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
    issued: Mutex<u64>,
    pub(super) outage: Outage,
}

impl<K, V> Default for Leased<K, V> {
    fn default() -> Self {
        Self {
            slots: Mutex::default(),
            issued: Mutex::default(),
            outage: Outage::default(),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Leased<K, V> {
    /// Each key's entry, and a token holding the lease of those missing and not leased.
    pub fn get(&self, keys: &[K]) -> Result<(Vec<Option<V>>, Option<FillToken>), StoreError> {
        self.outage.check("redis")?;
        let token = {
            let mut issued = lock(&self.issued);
            *issued += 1;
            FillToken::new(format!("fake-{issued}"))
        };
        let mut slots = lock(&self.slots);
        let mut leased = false;
        let found = keys
            .iter()
            .map(|key| match slots.get(key) {
                Some(Slot::Entry(v)) => Some(v.clone()),
                Some(Slot::Leased(_)) => None,
                None => {
                    slots.insert(key.clone(), Slot::Leased(token.clone()));
                    leased = true;
                    None
                }
            })
            .collect();
        Ok((found, leased.then_some(token)))
    }

    /// Stores each entry whose lease `token` holds.
    pub fn fill(&self, token: &FillToken, entries: Vec<(K, V)>) -> Result<(), StoreError> {
        self.outage.check("redis")?;
        let mut slots = lock(&self.slots);
        for (key, value) in entries {
            if matches!(slots.get(&key), Some(Slot::Leased(t)) if t == token) {
                slots.insert(key, Slot::Entry(value));
            }
        }
        Ok(())
    }

    /// Drops the entries and their leases.
    pub fn drop(&self, keys: &[K]) -> Result<(), StoreError> {
        self.outage.check("redis")?;
        let mut slots = lock(&self.slots);
        for key in keys {
            slots.remove(key);
        }
        Ok(())
    }

    /// Loses every entry and lease, as a Redis restart does.
    pub fn restart(&self) {
        lock(&self.slots).clear();
    }
}
