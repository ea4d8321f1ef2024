//! Field deserializers for PATCH bodies, where absent, `null` and a value mean three things.

use serde::{Deserialize, Deserializer};

/// For fields `null` may clear: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// For fields that cannot be cleared: absent → `None`, a value → `Some(v)`, `null` → a 400.
pub fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
