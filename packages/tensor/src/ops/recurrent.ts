import { runKernel } from '../engine.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isTensor } from '../tensor.js';

// The fused LSTM/GRU sequences the recurrent layers run inside their custom gradient (layouts in
// KernelDefs, kernels.ts). Building blocks for layer code: not differentiable on their own (the
// layer's custom gradient calls the *Grad ops itself).

function check(op: string, cond: boolean, message: string): void {
  if (!cond) throw new Error(`${op}: ${message}`);
}

function float(op: string, name: string, t: unknown, rank: number): Tensor {
  check(op, isTensor(t), `${name} must be a Tensor, got ${typeof t}`);
  const x = t as Tensor;
  check(op, x.dtype === 'float32', `${name} must be float32, got ${x.dtype}`);
  check(op, x.rank === rank, `${name} must have rank ${rank}, got shape ${formatShape(x.shape)}`);
  return x;
}

function shapeIs(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  check(op, t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]), `${name} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
}

/** Batch, steps and units of `x: [b, T, k·u]` (k = `per`), named `name` in errors. */
function dims(op: string, name: string, x: Tensor, per: number): [number, number, number] {
  const [b, steps, cols] = x.shape as [number, number, number];
  check(op, cols % per === 0 && cols > 0, `${name}'s last dimension must be ${per}·units, got ${formatShape(x.shape)}`);
  check(op, steps > 0, `${name} must hold at least one step, got ${formatShape(x.shape)}`);
  return [b, steps, cols / per];
}

/**
 * An LSTM over a sequence. `xp: [b, T, 4u]` is `x·W + b` for every step, `init: [b, 2u]` is
 * `[h0 | c0]`, `recurrentKernel: [u, 4u]`. Returns the trace `[b, T, 6u]`: per step
 * `[h | c | i | f | g | o]`.
 */
export function lstmSequence(xp: Tensor, init: Tensor, recurrentKernel: Tensor): Tensor {
  const op = 'lstmSequence';
  const [b, , u] = dims(op, 'xp', float(op, 'xp', xp, 3), 4);
  shapeIs(op, 'init', float(op, 'init', init, 2), [b, 2 * u]);
  shapeIs(op, 'recurrentKernel', float(op, 'recurrentKernel', recurrentKernel, 2), [u, 4 * u]);
  return runKernel('LSTMSequence', [xp, init, recurrentKernel], {});
}

/**
 * The backward of `lstmSequence` through time: `trace` its output, `init` and `recurrentKernel` its
 * inputs, `dTrace` the gradient of the trace (its h and c columns count). Returns `[b, T, 6u]`: per
 * step t `[dz_t (4u) | dh_{t−1} | dc_{t−1}]`, dz the gradient of the gates' pre-activations.
 */
export function lstmSequenceGrad(trace: Tensor, init: Tensor, recurrentKernel: Tensor, dTrace: Tensor): Tensor {
  const op = 'lstmSequenceGrad';
  const [b, steps, u] = dims(op, 'trace', float(op, 'trace', trace, 3), 6);
  shapeIs(op, 'init', float(op, 'init', init, 2), [b, 2 * u]);
  shapeIs(op, 'recurrentKernel', float(op, 'recurrentKernel', recurrentKernel, 2), [u, 4 * u]);
  shapeIs(op, 'dTrace', float(op, 'dTrace', dTrace, 3), [b, steps, 6 * u]);
  return runKernel('LSTMSequenceGrad', [trace, init, recurrentKernel, dTrace], {});
}

/**
 * A GRU over a sequence. `xp: [b, T, 3u]`, `h0: [b, u]`, `recurrentKernel: [u, 3u]`,
 * `recurrentBias: [3u]` (resetAfter's recurrent bias) or `[0]`. Returns `[b, T, 5u]`: per step
 * `[h | z | r | ĥ | q]` (q: `h·U_h + b_h` with resetAfter, else `r⊙h_{t−1}`).
 */
export function gruSequence(xp: Tensor, h0: Tensor, recurrentKernel: Tensor, recurrentBias: Tensor, resetAfter: boolean): Tensor {
  const op = 'gruSequence';
  const [b, , u] = dims(op, 'xp', float(op, 'xp', xp, 3), 3);
  shapeIs(op, 'h0', float(op, 'h0', h0, 2), [b, u]);
  shapeIs(op, 'recurrentKernel', float(op, 'recurrentKernel', recurrentKernel, 2), [u, 3 * u]);
  const rb = float(op, 'recurrentBias', recurrentBias, 1);
  check(op, rb.size === 0 || rb.size === 3 * u, `recurrentBias must have shape [${3 * u}] or [0], got ${formatShape(rb.shape)}`);
  check(op, rb.size === 0 || resetAfter, 'recurrentBias must be [0] when resetAfter is false (the bias is part of xp then)');
  return runKernel('GRUSequence', [xp, h0, recurrentKernel, recurrentBias], { resetAfter: resetAfter === true });
}

/**
 * The backward of `gruSequence` (`dTrace: [b, T, 5u]`, its h columns count). Returns `[b, T, 7u]`:
 * per step t `[dxp_t (3u) | dInner_t (3u) | dh_{t−1}]`.
 */
export function gruSequenceGrad(trace: Tensor, h0: Tensor, recurrentKernel: Tensor, dTrace: Tensor, resetAfter: boolean): Tensor {
  const op = 'gruSequenceGrad';
  const [b, steps, u] = dims(op, 'trace', float(op, 'trace', trace, 3), 5);
  shapeIs(op, 'h0', float(op, 'h0', h0, 2), [b, u]);
  shapeIs(op, 'recurrentKernel', float(op, 'recurrentKernel', recurrentKernel, 2), [u, 3 * u]);
  shapeIs(op, 'dTrace', float(op, 'dTrace', dTrace, 3), [b, steps, 5 * u]);
  return runKernel('GRUSequenceGrad', [trace, h0, recurrentKernel, dTrace], { resetAfter: resetAfter === true });
}
