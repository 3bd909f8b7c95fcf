import { checkAllocation, makeTensor, runKernel } from '../engine.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';

/*
 * Trigonometric, inverse and hyperbolic functions (one kernel each), atan2, and log2/log10 as
 * composites of Log. All are defined on reals: int32 and bool inputs become float32.
 */

type TrigKernel = 'Tan' | 'Asin' | 'Acos' | 'Atan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh';

function floatInput(op: string, x: TensorLike, arg = 'x', like?: Tensor): Tensor {
  const t = toTensor(x, op, arg, like);
  return t.dtype === 'float32' ? t : runKernel('Cast', [t], { dtype: 'float32' });
}

function trig(op: string, kernel: TrigKernel, x: TensorLike): Tensor {
  return runKernel(kernel, [floatInput(op, x)], {});
}

/** Elementwise tangent (radians); float32 output. */
export function tan(x: TensorLike): Tensor { return trig('tan', 'Tan', x); }
/** Elementwise inverse sine, in `[−π/2, π/2]`; NaN outside `[−1, 1]`. */
export function asin(x: TensorLike): Tensor { return trig('asin', 'Asin', x); }
/** Elementwise inverse cosine, in `[0, π]`; NaN outside `[−1, 1]`. */
export function acos(x: TensorLike): Tensor { return trig('acos', 'Acos', x); }
/** Elementwise inverse tangent, in `(−π/2, π/2)`. */
export function atan(x: TensorLike): Tensor { return trig('atan', 'Atan', x); }
/** Elementwise hyperbolic sine `(eˣ − e⁻ˣ)/2`. */
export function sinh(x: TensorLike): Tensor { return trig('sinh', 'Sinh', x); }
/** Elementwise hyperbolic cosine `(eˣ + e⁻ˣ)/2`. */
export function cosh(x: TensorLike): Tensor { return trig('cosh', 'Cosh', x); }
/** Elementwise inverse hyperbolic sine `ln(x + √(x² + 1))`. */
export function asinh(x: TensorLike): Tensor { return trig('asinh', 'Asinh', x); }
/** Elementwise inverse hyperbolic cosine `ln(x + √(x² − 1))`; NaN below 1. */
export function acosh(x: TensorLike): Tensor { return trig('acosh', 'Acosh', x); }
/** Elementwise inverse hyperbolic tangent `½·ln((1 + x)/(1 − x))`; ±∞ at ±1, NaN beyond. */
export function atanh(x: TensorLike): Tensor { return trig('atanh', 'Atanh', x); }

/**
 * Elementwise angle of the point `(b, a)` in radians, `atan(a / b)` put in the right quadrant:
 * in `[−π, π]`, defined where `b = 0` (`atan2(1, 0) = π/2`). Broadcasts NumPy-style; float32 output.
 */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  const op = 'atan2';
  const ta = floatInput(op, a, 'a');
  const tb = floatInput(op, b, 'b', ta);
  checkAllocation(op, broadcastShapes(op, ta.shape, tb.shape), 'float32');
  return runKernel('Atan2', [ta, tb], {});
}

function scaledLog(op: string, x: TensorLike, base: number): Tensor {
  const ln = runKernel('Log', [floatInput(op, x)], {});
  return runKernel('Mul', [ln, makeTensor(Float32Array.of(1 / Math.log(base)), [], 'float32')], {});
}

/** Elementwise base-2 logarithm, `ln(x)/ln 2` (−∞ at 0, NaN below). */
export function log2(x: TensorLike): Tensor { return scaledLog('log2', x, 2); }
/** Elementwise base-10 logarithm, `ln(x)/ln 10` (−∞ at 0, NaN below). */
export function log10(x: TensorLike): Tensor { return scaledLog('log10', x, 10); }
