//! Symmetry reduction: not implemented yet (issue 3). The representative is the state itself,
//! so `--symmetry` merges nothing.
use crate::world::World;

/// The representative of a state's equivalence class: for now the state itself.
#[must_use]
pub fn representative(state: &World) -> World {
    state.clone()
}
