// The random stream of a model's `fit`: its seed, each epoch's seed, and the state saved with the model.
import { deriveSeed } from '@descent/tensor';
import type { AnyModel } from './model-kind.js';

/**
 * The random stream of a model's last `fit` (its seed) and the epoch it would run next. Kept per
 * model, saved in model.json by `save` (`userDefinedMetadata.descent.fit`) and set again by
 * `loadModel`, so that `fit(…, { initialEpoch })` continues the stream exactly.
 */
export interface FitRandomState {
  /** The fit's seed (an unsigned 32-bit integer); epoch e draws from `new Generator(epochSeed(seed, e))`. */
  seed: number;
  /** The first epoch not yet run. */
  nextEpoch: number;
}

const fitStates = new WeakMap<object, FitRandomState>();

/** @internal The random state of the model's last fit, or null if it was never fit (nor loaded with one). */
export function getFitRandomState(model: AnyModel): FitRandomState | null {
  const state = fitStates.get(model);
  return state === undefined ? null : { ...state };
}

/** @internal Set (or clear, with null) the random state `fit` continues from when given an initialEpoch > 0. */
export function setFitRandomState(model: AnyModel, state: FitRandomState | null): void {
  if (state === null) fitStates.delete(model);
  else fitStates.set(model, { seed: state.seed, nextEpoch: state.nextEpoch });
}

/**
 * The seed of epoch `epoch`'s generator in a fit seeded `seed`: a bijective 32-bit mix (the
 * finalizer of MurmurHash3) of the seed and the epoch, so each epoch's draws depend on nothing but
 * these two numbers, and no two epochs of one fit share a stream.
 */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The seed of a fit's random stream, taken synchronously when fit is called: a fit that resumes
 * (`initialEpoch > 0`) on a model that carries the stream of an earlier fit (in this process, or
 * loaded from a checkpoint) continues it; any other fit draws a new seed from the current generator.
 */
export function fitSeed(model: AnyModel, initialEpoch: number): number {
  const state = fitStates.get(model);
  if (initialEpoch > 0 && state !== undefined) return state.seed;
  return deriveSeed();
}
