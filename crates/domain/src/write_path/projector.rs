//! The projector: the registry of effect kinds and how each is applied. Features register their
//! own kinds; the write path applies stored effects through it without knowing them.

use super::effect::{EffectId, EffectKind, StoredEffect};
use crate::StoreError;
use async_trait::async_trait;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// How one kind of effect is applied.
#[async_trait]
pub trait Apply<E: EffectKind>: Send + Sync + 'static {
    async fn apply(&self, effect: E, id: EffectId) -> Result<(), StoreError>;
}

#[async_trait]
trait AnyApply: Send + Sync {
    async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError>;
    fn target(&self, effect: &StoredEffect) -> Option<String>;
}

struct Typed<E, H>(H, PhantomData<fn() -> E>);

#[async_trait]
impl<E: EffectKind, H: Apply<E>> AnyApply for Typed<E, H> {
    async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError> {
        self.0.apply(effect.decode::<E>()?, id).await
    }

    fn target(&self, effect: &StoredEffect) -> Option<String> {
        effect.decode::<E>().ok()?.target()
    }
}

#[derive(Default)]
pub struct Projector {
    kinds: HashMap<&'static str, Arc<dyn AnyApply>>,
}

impl Projector {
    /// Registers how effects of kind `E` are applied.
    pub fn on<E: EffectKind>(mut self, handler: impl Apply<E>) -> Self {
        self.kinds
            .insert(E::KIND, Arc::new(Typed(handler, PhantomData::<fn() -> E>)));
        self
    }

    /// The state a stored effect sets outright, if it does (see [`EffectKind::target`]).
    pub fn target(&self, effect: &StoredEffect) -> Option<String> {
        self.kinds.get(effect.kind.as_str())?.target(effect)
    }

    /// Applies one stored effect; a kind nobody registered can never succeed.
    pub async fn apply(&self, effect: &StoredEffect, id: EffectId) -> Result<(), StoreError> {
        match self.kinds.get(effect.kind.as_str()) {
            Some(handler) => handler.apply(effect, id).await,
            None => Err(StoreError::Rejected(format!(
                "no handler for effects of kind {}",
                effect.kind
            ))),
        }
    }
}
