//! Effects: what an outbox row asks another store to do. A feature declares each kind of effect
//! it needs as a type implementing [`EffectKind`] and registers how it is applied with the
//! [`Projector`](super::Projector); the write path stores effects as tagged JSON and knows
//! nothing else about them.

use crate::StoreError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// One kind of effect. Applying it must be harmless when repeated: either by its nature
/// (documents move forward in version only, deletes of absent things are no-ops) or, for
/// effects that are not (publish, send a mail, call a webhook), by handing consumers the
/// [`EffectId`] to drop duplicates with.
pub trait EffectKind: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The tag stored with the effect; unique among the registered kinds.
    const KIND: &'static str;

    /// The state this effect sets outright, if it does: a later effect of the same lane with
    /// the same target supersedes it, so a backlog writes each document once, at its newest.
    fn target(&self) -> Option<String> {
        None
    }
}

/// An effect as an outbox row holds it: its kind's tag beside its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEffect {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl StoredEffect {
    pub fn of<E: EffectKind>(effect: &E) -> Self {
        // Effects are structs of plain data. One that is not would fail to decode when applied
        // and become a dead letter, counted and logged, rather than fail the change.
        let fields = match serde_json::to_value(effect) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        Self {
            kind: E::KIND.to_owned(),
            fields,
        }
    }

    /// The effect as its kind's type; a row whose fields do not fit can never succeed.
    pub fn decode<E: EffectKind>(&self) -> Result<E, StoreError> {
        serde_json::from_value(Value::Object(self.fields.clone()))
            .map_err(|e| StoreError::Rejected(format!("{} effect: {e}", E::KIND)))
    }
}

/// The stable identity of one effect of one outbox row: the same on every attempt, so a
/// consumer of an effect that is not idempotent on its own can drop what it has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EffectId {
    pub row: i64,
    pub index: usize,
}

impl fmt::Display for EffectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.row, self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Stamp {
        id: uuid::Uuid,
        version: i64,
    }

    impl EffectKind for Stamp {
        const KIND: &'static str = "test_stamp";
    }

    #[test]
    fn a_stored_effect_keeps_its_tag_beside_its_fields_and_decodes_back(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let stamp = Stamp {
            id: uuid::Uuid::now_v7(),
            version: 3,
        };
        let stored = StoredEffect::of(&stamp);
        let json = serde_json::to_value(&stored)?;
        assert_eq!(json["type"], "test_stamp");
        assert_eq!(json["version"], 3);
        let back: StoredEffect = serde_json::from_value(json)?;
        assert_eq!(back.decode::<Stamp>()?, stamp);
        Ok(())
    }

    #[test]
    fn fields_that_do_not_fit_their_kind_are_rejected_for_good() {
        let stored = StoredEffect {
            kind: Stamp::KIND.into(),
            fields: Map::new(),
        };
        assert!(matches!(
            stored.decode::<Stamp>(),
            Err(StoreError::Rejected(_))
        ));
    }
}
