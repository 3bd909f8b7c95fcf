/**
 * The small gradient transformations every optimizer chains around its update rule
 * (accumulate → clip → decay weights → rule → average), as tensor functions and as composable
 * `GradientTransform`s. Each is a pure function of tensors, so any backend runs them.
 */
import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, clipByValue, div, maximum, mul, sqrt, square, sub, sum, zerosLike } from '@descent/tensor';
import type { GradientTransform } from './transform.js';
import { perVariable } from './transform.js';
import { checkNumber, checkOptionalNumber } from './validate.js';

/** How gradients are clipped before the update: at most one kind is active. */
export type ClipSpec = { kind: 'norm'; value: number } | { kind: 'globalNorm'; value: number } | { kind: 'value'; value: number } | null;

/** The transform that rescales each gradient to L2 norm at most `clipnorm` (Keras's `clipnorm`). */
export function clipByNorm(clipnorm: number): GradientTransform;
/** `g · c / max(‖g‖, c)`: rescale one gradient so its L2 norm is at most `c`. */
export function clipByNorm(g: Tensor, c: number): Tensor;
export function clipByNorm(g: Tensor | number, c?: number): Tensor | GradientTransform {
  if (typeof g === 'number') return clipTransform('clipByNorm', { kind: 'norm', value: positive('clipByNorm', 'clipnorm', g) });
  return div(mul(g, c!), maximum(sqrt(sum(square(g))), c!));
}

/** The transform that rescales all gradients together to global L2 norm at most `clipnorm` (Keras's `globalClipnorm`). */
export function clipByGlobalNorm(clipnorm: number): GradientTransform;
/** `gᵢ · c / max(N, c)` with `N = sqrt(Σ‖gᵢ‖²)`: rescale all gradients together. */
export function clipByGlobalNorm(grads: readonly Tensor[], c: number): Tensor[];
export function clipByGlobalNorm(grads: readonly Tensor[] | number, c?: number): Tensor[] | GradientTransform {
  if (typeof grads === 'number') {
    return clipTransform('clipByGlobalNorm', { kind: 'globalNorm', value: positive('clipByGlobalNorm', 'clipnorm', grads) });
  }
  return globalNormClip(grads, c!);
}

function globalNormClip(grads: readonly Tensor[], c: number): Tensor[] {
  let total: Tensor | null = null;
  for (const g of grads) {
    const s = sum(square(g));
    total = total === null ? s : add(total, s);
  }
  if (total === null) return [];
  const scale = div(c, maximum(sqrt(total), c));
  return grads.map((g) => mul(g, scale));
}

/**
 * The gradients clipped as `clip` says (by norm, by global norm or by value); a copy of the list when
 * `clip` is null.
 */
export function clipGradients(grads: readonly Tensor[], clip: ClipSpec): Tensor[] {
  if (clip === null) return [...grads];
  switch (clip.kind) {
    case 'norm':
      return grads.map((g) => clipByNorm(g, clip.value));
    case 'globalNorm':
      return globalNormClip(grads, clip.value);
    case 'value':
      return grads.map((g) => clipByValue(g, -clip.value, clip.value));
  }
}

/** Decoupled weight decay: `w − w · rate` where `rate = weightDecay · learningRate`. */
export function decayWeights(w: Tensor, rate: number): Tensor {
  return sub(w, mul(w, rate));
}

/** Exponential moving average `m · avg + (1 − m) · w`. */
export function movingAverage(avg: Tensor, w: Tensor, momentum: number): Tensor {
  return add(mul(avg, momentum), mul(w, 1 - momentum));
}

function positive(owner: string, option: string, value: unknown): number {
  return checkNumber(owner, option, value, { min: 0, minInclusive: false });
}

/** The transform form of `clipGradients`: clips the gradients of the whole step as `clip` says. */
export function clipTransform(name: string, clip: Exclude<ClipSpec, null>): GradientTransform {
  return {
    name,
    update: (step, states) => ({ step: { ...step, grads: clipGradients(step.grads, clip) }, states }),
  };
}

/** The transform that clips every gradient element to `[-clipvalue, clipvalue]` (Keras's `clipvalue`). */
export function clipValues(clipvalue: number): GradientTransform {
  return clipTransform('clipValues', { kind: 'value', value: positive('clipValues', 'clipvalue', clipvalue) });
}

/** Options of `addDecayedWeights`. */
export interface DecayOptions {
  /** Leave a variable undecayed when this returns true (biases, normalization weights). */
  exclude?: (variable: Variable) => boolean;
}

/**
 * Decoupled weight decay as Keras applies it: `w −= w · weightDecay · learningRate` (the step's
 * learning rate, after its schedule). Place it before the update rule to decay the weights the rule
 * then reads, as every built-in optimizer does.
 */
export function addDecayedWeights(weightDecay: number, options: DecayOptions = {}): GradientTransform {
  const rate = checkNumber('addDecayedWeights', 'weightDecay', weightDecay, { min: 0 });
  const exclude = options.exclude;
  if (exclude !== undefined && typeof exclude !== 'function') {
    throw new Error(`addDecayedWeights: exclude must be a function of the variable, got ${typeof exclude}`);
  }
  return perVariable('addDecayedWeights', {}, (_g, param, _s, variable, ctx) =>
    exclude?.(variable) === true ? {} : { param: decayWeights(param, rate * ctx.learningRate) },
  );
}

const ACCUMULATOR = 'accumulatedGradient';
const AVERAGE = 'average';

/**
 * Gradient accumulation as Keras does it: on steps where `(iterations + 1) % steps ≠ 0` the
 * gradients are only added to the `accumulatedGradient` slot and the rest of the chain is deferred
 * (only transforms marked `alwaysRuns` run); otherwise the chain continues with `(g + acc) / steps`
 * and the slot is reset.
 */
export function accumulateGradients(steps: number): GradientTransform {
  const n = checkNumber('accumulateGradients', 'steps', steps, { min: 2, integer: true });
  return {
    name: 'accumulateGradients',
    stateOrder: 1,
    init: (param) => ({ [ACCUMULATOR]: zerosLike(param) }),
    update(step, states, ctx) {
      if (ctx.step % n !== 0) {
        return { step: { ...step, deferred: true }, states: states.map((s, i) => ({ ...s, [ACCUMULATOR]: add(s[ACCUMULATOR]!, step.grads[i]!) })) };
      }
      const grads = step.grads.map((g, i) => div(add(g, states[i]![ACCUMULATOR]!), n));
      return { step: { ...step, grads }, states: states.map((s, i) => ({ ...s, [ACCUMULATOR]: zerosLike(step.params[i]!) })) };
    },
  };
}

/** Options of `exponentialMovingAverage`. */
export interface MovingAverageOptions {
  /** Weight of the old average (default 0.99; the first step copies the weights). */
  momentum?: number;
  /** Every this many steps, copy the averages into the variables (default: never). */
  overwriteFrequency?: number | null;
}

/**
 * Keras's `useEma`: keeps `average = m · average + (1 − m) · w` of every variable after its update
 * (`m = 0` on the first step), runs on accumulation-only steps too, copies the averages in every
 * `overwriteFrequency` steps and when the optimizer's `finalizeVariableValues()` is called.
 */
export function exponentialMovingAverage(options: MovingAverageOptions = {}): GradientTransform {
  const momentum = checkNumber('exponentialMovingAverage', 'momentum', options.momentum ?? 0.99, { min: 0, max: 1 });
  const every = checkOptionalNumber('exponentialMovingAverage', 'overwriteFrequency', options.overwriteFrequency, { min: 1, integer: true });
  return perVariable(
    'exponentialMovingAverage',
    {
      alwaysRuns: true,
      stateOrder: 2,
      // A snapshot of the current value; the first average step overwrites it anyway.
      init: (param) => ({ [AVERAGE]: mul(param, 1) }),
      finalize: (state) => state[AVERAGE] ?? null,
    },
    (_g, param, state, _v, ctx) => {
      const average = movingAverage(state[AVERAGE]!, param, ctx.step === 1 ? 0 : momentum);
      const overwrite = every !== null && ctx.step % every === 0;
      return overwrite ? { param: average, state: { [AVERAGE]: average } } : { state: { [AVERAGE]: average } };
    },
  );
}
