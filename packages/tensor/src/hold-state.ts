import { holdSlot } from './tensor.js';
import type { Tensor } from './tensor.js';

// The engine's hold state of a tensor (memory.ts), kept in a private field of Tensor (`holdSlot`): a
// WeakSet lookup per op cost more than the op, and a property defined on every new tensor cost more
// than most small kernels.

/** Never registered by the engine (an alias made with `new Tensor`): valid while a registered holder of its storage lives. */
export const UNTRACKED = -1;
/** Not counted towards its storage (released). */
export const FREE = 0;
/** Counted, in a scope: the scope releases it. */
export const HELD = 1;
/** Counted and exempt from scopes (`keep`, Variables). */
export const KEPT = 2;
/** Counted, in no scope: owned by user code; evicted to host memory once unused for a while. */
export const LOOSE = 3;

/** The hold state, an untracked alias counting as FREE (it does not count towards its storage). */
export function holdState(t: Tensor): number {
  const state = holdSlot.get(t);
  return state === UNTRACKED ? FREE : state;
}

/** Set the hold state (`holdSlot`; a tensor of another copy of this package has none and is left as it is). */
export const setHold = (t: Tensor, state: number): void => holdSlot.set(t, state);
