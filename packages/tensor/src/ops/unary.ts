import { formatArg } from '../format.js';
import type { DType } from '../dtype.js';
import { isDType } from '../dtype.js';
import { makeTensor, runKernel } from '../engine.js';
import type { KernelName } from '../kernels.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';

/** Kernels with one input and no attributes. */
type PlainUnary =
  | 'Neg' | 'Abs' | 'Sign' | 'Exp' | 'Log' | 'Log1p' | 'Expm1' | 'Sqrt' | 'Rsqrt' | 'Square' | 'Reciprocal'
  | 'Sin' | 'Cos' | 'Tanh' | 'Sigmoid' | 'Softplus' | 'Relu' | 'Erf' | 'Floor' | 'Ceil' | 'Round'
  | 'IsNaN' | 'IsFinite' | 'LogicalNot';

// Keras / Klambauer et al. (2017) constants for SELU.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : runKernel('Cast', [t], { dtype });
}

/** Input of an op defined on reals only: int32 and bool become float32. */
function floatInput(op: string, x: TensorLike): Tensor {
  return castTo(toTensor(x, op, 'x'), 'float32');
}

/** Input of an op that keeps int32: bool becomes int32 (as in binary arithmetic), float32 and int32 stay. */
function numericInput(op: string, x: TensorLike): Tensor {
  const t = toTensor(x, op, 'x');
  return t.dtype === 'bool' ? castTo(t, 'int32') : t;
}

function run(kernel: PlainUnary & KernelName, t: Tensor): Tensor {
  return runKernel(kernel, [t], {});
}

function scalarF32(v: number): Tensor {
  return makeTensor(Float32Array.of(v), [], 'float32');
}

function numberArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new Error(`${op}: ${name} must be a number, got ${typeof v === 'number' ? 'NaN' : formatArg(v)}`);
  }
  return v;
}

// --- ops that keep int32 ---
/** Elementwise `−x`. */
export function neg(x: TensorLike): Tensor { return run('Neg', numericInput('neg', x)); }
/** Elementwise absolute value. */
export function abs(x: TensorLike): Tensor { return run('Abs', numericInput('abs', x)); }
/** Elementwise sign: −1, 0 or 1. */
export function sign(x: TensorLike): Tensor { return run('Sign', numericInput('sign', x)); }
/** Elementwise `x²`. */
export function square(x: TensorLike): Tensor { return run('Square', numericInput('square', x)); }
/** Elementwise `max(x, 0)`. */
export function relu(x: TensorLike): Tensor { return run('Relu', numericInput('relu', x)); }
/** Largest integer ≤ x (identity on int32). */
export function floor(x: TensorLike): Tensor { return run('Floor', numericInput('floor', x)); }
/** Elementwise round up (toward +∞). */
export function ceil(x: TensorLike): Tensor { return run('Ceil', numericInput('ceil', x)); }
/** Round half to even: `round(2.5) = 2`, `round(3.5) = 4`, as NumPy and TF. */
export function round(x: TensorLike): Tensor { return run('Round', numericInput('round', x)); }

// --- ops on reals (int32/bool input is cast to float32) ---
/** Elementwise `eˣ` (float32 output). */
export function exp(x: TensorLike): Tensor { return run('Exp', floatInput('exp', x)); }
/** Elementwise natural logarithm (float32 output; −∞ at 0, NaN below). */
export function log(x: TensorLike): Tensor { return run('Log', floatInput('log', x)); }
/** Elementwise `ln(1 + x)`, accurate for small `x`. */
export function log1p(x: TensorLike): Tensor { return run('Log1p', floatInput('log1p', x)); }
/** Elementwise `eˣ − 1`, accurate for small `x`. */
export function expm1(x: TensorLike): Tensor { return run('Expm1', floatInput('expm1', x)); }
/** Elementwise square root (NaN for negative values). */
export function sqrt(x: TensorLike): Tensor { return run('Sqrt', floatInput('sqrt', x)); }
/** Elementwise `1 / √x`. */
export function rsqrt(x: TensorLike): Tensor { return run('Rsqrt', floatInput('rsqrt', x)); }
/** Elementwise `1 / x`. */
export function reciprocal(x: TensorLike): Tensor { return run('Reciprocal', floatInput('reciprocal', x)); }
/** Elementwise sine (radians). */
export function sin(x: TensorLike): Tensor { return run('Sin', floatInput('sin', x)); }
/** Elementwise cosine (radians). */
export function cos(x: TensorLike): Tensor { return run('Cos', floatInput('cos', x)); }
/** Elementwise hyperbolic tangent. */
export function tanh(x: TensorLike): Tensor { return run('Tanh', floatInput('tanh', x)); }
/** Elementwise logistic sigmoid `1 / (1 + e⁻ˣ)`. */
export function sigmoid(x: TensorLike): Tensor { return run('Sigmoid', floatInput('sigmoid', x)); }
/** `log(1 + exp(x))`, computed without overflow for large x. */
export function softplus(x: TensorLike): Tensor { return run('Softplus', floatInput('softplus', x)); }
/** Elementwise Gauss error function. */
export function erf(x: TensorLike): Tensor { return run('Erf', floatInput('erf', x)); }

// --- predicates ---
/** Elementwise test for NaN; bool output. */
export function isNaN(x: TensorLike): Tensor { return run('IsNaN', toTensor(x, 'isNaN', 'x')); }
/** Elementwise test for a finite value (not NaN or ±∞); bool output. */
export function isFinite(x: TensorLike): Tensor { return run('IsFinite', toTensor(x, 'isFinite', 'x')); }
/** Elementwise NOT of a bool tensor; bool output. */
export function logicalNot(x: TensorLike): Tensor {
  const t = toTensor(x, 'logicalNot', 'x');
  if (t.dtype !== 'bool') throw new Error(`logicalNot: expected a bool tensor, got ${t.dtype}`);
  return run('LogicalNot', t);
}

// --- parameterized activations ---
/** `x < 0 ? alpha·x : x`. */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const a = numberArg('leakyRelu', 'alpha', alpha);
  return runKernel('LeakyRelu', [floatInput('leakyRelu', x)], { alpha: a });
}

/** `x > 0 ? x : alpha·(exp(x) − 1)`. */
export function elu(x: TensorLike, alpha = 1): Tensor {
  const a = numberArg('elu', 'alpha', alpha);
  return runKernel('Elu', [floatInput('elu', x)], { alpha: a });
}

/** Scaled ELU with the self-normalizing constants (scale ≈ 1.0507, alpha ≈ 1.6733). */
export function selu(x: TensorLike): Tensor {
  const e = runKernel('Elu', [floatInput('selu', x)], { alpha: SELU_ALPHA });
  return runKernel('Mul', [e, scalarF32(SELU_SCALE)], {});
}

/**
 * Gaussian error linear unit: `0.5·x·(1 + erf(x/√2))`, or with `approximate` the tanh form
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
 */
export function gelu(x: TensorLike, approximate = false): Tensor {
  if (typeof approximate !== 'boolean') throw new Error(`gelu: approximate must be a boolean, got ${formatArg(approximate)}`);
  const t = floatInput('gelu', x);
  let inner: Tensor;
  if (approximate) {
    const cube = runKernel('Mul', [runKernel('Square', [t], {}), t], {});
    const poly = runKernel('Add', [t, runKernel('Mul', [cube, scalarF32(0.044715)], {})], {});
    inner = runKernel('Tanh', [runKernel('Mul', [poly, scalarF32(SQRT_2_OVER_PI)], {})], {});
  } else {
    inner = runKernel('Erf', [runKernel('Mul', [t, scalarF32(Math.SQRT1_2)], {})], {});
  }
  const gate = runKernel('Add', [inner, scalarF32(1)], {});
  return runKernel('Mul', [runKernel('Mul', [t, gate], {}), scalarF32(0.5)], {});
}

/** Elementwise clamp to `[min, max]`; keeps int32. */
export function clipByValue(x: TensorLike, min: number, max: number): Tensor {
  const lo = numberArg('clipByValue', 'min', min);
  const hi = numberArg('clipByValue', 'max', max);
  if (lo > hi) throw new Error(`clipByValue: min must be ≤ max, got min=${lo}, max=${hi}`);
  return runKernel('ClipByValue', [numericInput('clipByValue', x)], { min: lo, max: hi });
}

/** `min(max(x, 0), 6)`. */
export function relu6(x: TensorLike): Tensor {
  return runKernel('ClipByValue', [numericInput('relu6', x)], { min: 0, max: 6 });
}

/**
 * Convert to `dtype`: float → int32 truncates toward zero, anything → bool is `x ≠ 0`. Returns `x`
 * itself when it already has that dtype.
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  if (!isDType(dtype)) throw new Error(`cast: dtype must be 'float32', 'int32' or 'bool', got ${formatArg(dtype)}`);
  return castTo(toTensor(x, 'cast', 'x'), dtype);
}
