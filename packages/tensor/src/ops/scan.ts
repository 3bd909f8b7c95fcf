import { runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';

/** Options of `cumsum` and `cumprod`. */
export interface ScanOptions {
  /**
   * Leave each element out of its own entry: `cumsum([a, b, c], 0, { exclusive: true })` is
   * `[0, a, a + b]` (and `cumprod` starts at 1). Default false.
   */
  exclusive?: boolean;
  /** Scan from the end of the axis toward its start: `cumsum([a, b, c], 0, { reverse: true })` is `[a + b + c, b + c, c]`. Default false. */
  reverse?: boolean;
}

function scan(op: string, kernel: 'Cumsum' | 'Cumprod', x: TensorLike, axis: number, options: ScanOptions): Tensor {
  const t = toTensor(x, op, 'x');
  if (t.rank === 0) throw new Error(`${op}: expected x of rank ≥ 1, got a scalar`);
  const a = normalizeAxis(op, axis, t.rank);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${op}: options must be an object { exclusive?, reverse? }, got ${formatArg(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'exclusive' && key !== 'reverse') throw new Error(`${op}: unknown option '${key}' (expected exclusive or reverse)`);
  }
  const { exclusive = false, reverse = false } = options;
  for (const [name, v] of [['exclusive', exclusive], ['reverse', reverse]] as const) {
    if (typeof v !== 'boolean') throw new Error(`${op}: ${name} must be a boolean, got ${formatArg(v)}`);
  }
  // bool counts as int32, as in sum.
  const input = t.dtype === 'bool' ? runKernel('Cast', [t], { dtype: 'int32' }) : t;
  return runKernel(kernel, [input], { axis: a, exclusive, reverse });
}

/**
 * Running sum along `axis` (default 0; negative counts from the end), same shape as `x`:
 * `cumsum([1, 2, 3]) = [1, 3, 6]`; `exclusive` shifts in a 0, `reverse` sums from the end. int32 stays
 * int32 (wrapping), bool counts as int32. Float32 sums accumulate in float64.
 */
export function cumsum(x: TensorLike, axis = 0, options: ScanOptions = {}): Tensor {
  return scan('cumsum', 'Cumsum', x, axis, options);
}

/**
 * Running product along `axis` (default 0), same shape as `x`: `cumprod([1, 2, 3]) = [1, 2, 6]`;
 * `exclusive` shifts in a 1, `reverse` multiplies from the end. Its gradient is exact where `x` has
 * zeros too (no division by them).
 */
export function cumprod(x: TensorLike, axis = 0, options: ScanOptions = {}): Tensor {
  return scan('cumprod', 'Cumprod', x, axis, options);
}
