import { checkAllocation, makeTensor } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape } from '../shape.js';
import { generatorFor } from '../random.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { fail, tensorArg } from './nd-index.js';

/**
 * Draw `numSamples` class indices per row of unnormalized log-probabilities `logits` (shape
 * `[batch, classes]`, or `[classes]` for one distribution), as TF's `random.categorical`: class `c`
 * of a row comes with probability `softmax(row)[c]`. Returns int32 of shape `[batch, numSamples]`
 * (`[numSamples]` for 1-D logits). A logit of -Infinity is a class that is never drawn; NaN,
 * +Infinity and rows with no finite logit are errors. Seeded like every random op: the optional
 * `seed`, else the generator `setSeed` seeds (same seed, same draws). Not differentiable.
 *
 * ```ts
 * categorical([[0, Math.log(3)]], 4, 7).toArray(); // four draws of 0 (p = 1/4) or 1 (p = 3/4)
 * ```
 */
export function categorical(logits: TensorLike, numSamples: number, seed?: number | null): Tensor {
  const op = 'categorical';
  const t = tensorArg(op, 'logits', logits);
  if (t.dtype !== 'float32') fail(op, `logits must be float32, got ${t.dtype}`);
  if (t.rank !== 1 && t.rank !== 2) fail(op, `logits must have shape [batch, classes] or [classes], got ${formatShape(t.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples < 0) fail(op, `numSamples must be a non-negative integer, got ${formatArg(numSamples)}`);
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isFinite(seed))) fail(op, `seed must be a finite number, got ${formatArg(seed)}`);
  numSamples += 0; // -0 → 0, so no shape holds -0
  const classes = t.shape[t.rank - 1]!;
  const batch = t.rank === 2 ? t.shape[0]! : 1;
  const outShape = t.rank === 2 ? [batch, numSamples] : [numSamples];
  checkAllocation(op, outShape, 'int32');
  const out = new Int32Array(batch * numSamples);
  if (numSamples === 0 || batch === 0) return makeTensor(out, outShape, 'int32');
  if (classes === 0) fail(op, `logits must have at least one class, got shape ${formatShape(t.shape)}`);
  const v = t.dataSync();
  // Check every row before drawing, so an error leaves the generator untouched.
  for (let r = 0; r < batch; r++) {
    let finite = false;
    for (let c = 0; c < classes; c++) {
      const l = v[r * classes + c]!;
      if (Number.isNaN(l) || l === Infinity) fail(op, `logits must be finite or -Infinity, got ${l} at ${t.rank === 2 ? `[${r}, ${c}]` : `[${c}]`}`);
      if (l !== -Infinity) finite = true;
    }
    if (!finite) fail(op, `row ${r} of logits has no finite logit (every class has probability 0)`);
  }
  const gen = generatorFor(seed);
  const cumulative = new Float64Array(classes);
  for (let r = 0; r < batch; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, v[base + c]!);
    // Unnormalized probabilities exp(l - max) (the largest is 1), accumulated in float64.
    let total = 0;
    let lastPositive = 0;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(v[base + c]! - max);
      if (p > 0) lastPositive = c;
      total += p;
      cumulative[c] = total;
    }
    for (let s = 0; s < numSamples; s++) {
      // A uniform in [0, 1) with 53 random bits, so classes far below 2^-24 are still drawn.
      const u = ((gen.nextUint32() >>> 5) * 67108864 + (gen.nextUint32() >>> 6)) / 9007199254740992;
      const target = u * total;
      // First class whose cumulative mass exceeds the target (a zero-probability class never does;
      // searching up to the last positive class also covers a target rounded up to the total).
      let lo = 0;
      let hi = lastPositive;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > target) hi = mid;
        else lo = mid + 1;
      }
      out[r * numSamples + s] = lo;
    }
  }
  return makeTensor(out, outShape, 'int32');
}
