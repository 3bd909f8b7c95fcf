import type { TensorLike } from '@descent/tensor';
import { Tensor, formatShape, tensor, toTensor } from '@descent/tensor';
import { valueAndGrads } from './grad.js';
import { noGrad } from './tape.js';

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /** Finite-difference step (default 1e-3; float32 needs a step this large for its rounding to stay small). */
  eps?: number;
  /** Relative tolerance against the numeric gradient (default 1e-2). */
  rtol?: number;
  /** Absolute tolerance (default 1e-3). */
  atol?: number;
  /** Seed of the random projection used for non-scalar outputs (default 0). */
  seed?: number;
  /** Throw an Error naming the worst element when the check fails (default true); else just report. */
  throwOnFailure?: boolean;
}

/** One element's analytic and numeric gradient. */
export interface GradCheckMismatch {
  /** Which argument of `f`. */
  input: number;
  /** Flat (row-major) index of the element within that argument. */
  index: number;
  /** The gradient autograd computed. */
  analytic: number;
  /** The central finite-difference estimate (float64). */
  numeric: number;
}

/** What `gradCheck` found. */
export interface GradCheckReport {
  /** True when every checked element is within tolerance. */
  ok: boolean;
  /** Elements compared (float32 inputs only). */
  checked: number;
  /** Elements outside `atol + rtol·|numeric|`. */
  failures: number;
  /** Largest absolute difference between analytic and numeric gradients. */
  maxAbsError: number;
  /** The element with the largest error relative to its tolerance (null when nothing was checked). */
  worst: GradCheckMismatch | null;
}

/** Uniform in [-1, 1), rounded to float32, from a small self-contained generator (leaves setSeed's stream alone). */
function projection(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Compare the analytic gradient of `f` at `inputs` with central finite differences.
 *
 * A non-scalar output is projected onto a fixed random direction `w` (L = Σ w·f(x)), so every
 * output element is checked at once. `f` runs on float32 tensors, but L and each difference
 * quotient (L(x+h) − L(x−h)) / (x+h − x−h) are accumulated in float64, dividing by the steps as
 * actually rounded to float32. Only float32 inputs are checked; int32/bool inputs (indices,
 * conditions) are passed through unchanged. An element passes when
 * |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * Returns a report; unless `throwOnFailure: false`, a failing check throws an Error that names the
 * worst element. Keep inputs away from kinks (relu at 0, ties in max) by more than `eps`.
 */
export function gradCheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly TensorLike[], opts: GradCheckOptions = {}): GradCheckReport {
  const { eps = 1e-3, rtol = 1e-2, atol = 1e-3, seed = 0, throwOnFailure = true } = opts;
  if (typeof f !== 'function') throw new Error(`gradCheck: f must be a function, got ${typeof f}`);
  if (!(eps > 0)) throw new Error(`gradCheck: eps must be a positive number, got ${eps}`);
  const xs = inputs.map((x, i) => toTensor(x, 'gradCheck', `inputs[${i}]`));
  const floatArgs = xs.flatMap((x, i) => (x.dtype === 'float32' ? [i] : []));

  const out0 = noGrad(() => f(...xs));
  if (!(out0 instanceof Tensor)) throw new Error(`gradCheck: f must return a Tensor, got ${typeof out0}`);
  // A scalar output is checked as is (weight 1), so the report shows its plain gradient.
  const w = out0.size === 1 ? Float32Array.of(1) : projection(out0.size, seed);
  const project = (args: Tensor[]): number => {
    const y = noGrad(() => f(...args)).dataSync();
    let acc = 0;
    for (let k = 0; k < y.length; k++) acc += w[k]! * y[k]!;
    return acc;
  };

  const withFloats = (floats: Tensor[]): Tensor[] => {
    const args = xs.slice();
    floatArgs.forEach((argIndex, k) => (args[argIndex] = floats[k]!));
    return args;
  };
  const analytic = valueAndGrads((...floats) => f(...withFloats(floats)))(
    floatArgs.map((i) => xs[i]!),
    tensor(w, out0.shape),
  ).grads.map((g) => g.dataSync());

  const report: GradCheckReport = { ok: true, checked: 0, failures: 0, maxAbsError: 0, worst: null };
  let worstRatio = -1;
  floatArgs.forEach((argIndex, k) => {
    const x = xs[argIndex]!;
    const values = x.dataSync() as Float32Array;
    const a = analytic[k]!;
    for (let j = 0; j < values.length; j++) {
      const orig = values[j]!;
      const args = xs.slice();
      values[j] = orig + eps;
      const hi = values[j]!;
      args[argIndex] = tensor(values.slice(), x.shape);
      const lp = project(args);
      values[j] = orig - eps;
      const lo = values[j]!;
      args[argIndex] = tensor(values.slice(), x.shape);
      const lm = project(args);
      values[j] = orig;
      const numeric = (lp - lm) / (hi - lo);
      const err = Math.abs(a[j]! - numeric);
      const ratio = err / (atol + rtol * Math.abs(numeric));
      report.checked++;
      if (!(ratio <= 1)) report.failures++;
      if (!(err <= report.maxAbsError)) report.maxAbsError = err;
      if (!(ratio <= worstRatio)) {
        worstRatio = ratio;
        report.worst = { input: argIndex, index: j, analytic: a[j]!, numeric };
      }
    }
  });
  report.ok = report.failures === 0;
  if (!report.ok && throwOnFailure) {
    const wst = report.worst!;
    throw new Error(
      `gradCheck: analytic and numeric gradients differ for ${report.failures} of ${report.checked} elements; worst: ` +
        `input ${wst.input} (shape ${formatShape(xs[wst.input]!.shape)}), flat index ${wst.index}: ` +
        `analytic ${wst.analytic}, numeric ${wst.numeric} (tolerance ${atol} + ${rtol}·|numeric|)`,
    );
  }
  return report;
}
