// CPU kernels of the unary elementwise family (and Cast): one loop per op, chosen outside the loop.
import { formatArg } from '../format.js';
import type { KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { allocArray, isDType } from '../dtype.js';
import { output, valuesOf } from './storage.js';

type UnaryOp =
  | 'Neg' | 'Abs' | 'Sign' | 'Exp' | 'Log' | 'Log1p' | 'Expm1' | 'Sqrt' | 'Rsqrt' | 'Square' | 'Reciprocal'
  | 'Sin' | 'Cos' | 'Tanh' | 'Sigmoid' | 'Softplus' | 'Relu' | 'Erf' | 'Floor' | 'Ceil' | 'Round'
  | 'IsNaN' | 'IsFinite' | 'LogicalNot' | 'LeakyRelu' | 'Elu' | 'ClipByValue';

/** What dtype a kernel produces: the input's, always float32 (transcendentals), or bool (predicates). */
export type OutKind = 'same' | 'float32' | 'bool';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function in float64, relative error below ~1.2e-7 everywhere (tight enough for
 * finite-difference gradient checks of gelu). Near zero, where `1 − erfc` would cancel, the
 * Maclaurin series is used; elsewhere the Chebyshev-fitted erfc of Press et al., *Numerical
 * Recipes* §6.2 (fractional error < 1.2e-7).
 */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    // Terms shrink by x²/n; twelve of them reach double precision for |x| < 0.5.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 12; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * ax);
  const erfc =
    t *
    Math.exp(
      -ax * ax - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** Round half to even (banker's rounding), as NumPy and TF do. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** One loop per op, chosen by a switch outside the loop. `p`/`q` carry alpha or the clip bounds. */
function mapUnary(op: UnaryOp, isInt: boolean, x: TypedArray, out: TypedArray, p: number, q: number): void {
  const n = x.length;
  switch (op) {
    case 'Neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case 'Abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return;
    case 'Sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return;
    case 'Exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case 'Log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
    case 'Log1p':
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!);
      return;
    case 'Expm1':
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!);
      return;
    case 'Sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case 'Rsqrt':
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]!);
      return;
    case 'Square':
      // Math.imul keeps int32 overflow wrapping instead of losing bits in a float64 product.
      if (isInt) for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, x[i]!);
      else for (let i = 0; i < n; i++) out[i] = x[i]! * x[i]!;
      return;
    case 'Reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      return;
    case 'Sin':
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      return;
    case 'Cos':
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      return;
    case 'Tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return;
    case 'Sigmoid':
      // exp of a non-positive argument only: no overflow for large |x|.
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      return;
    case 'Softplus':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      return;
    case 'Relu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v < 0 ? 0 : v;
      }
      return;
    case 'Erf':
      for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
      return;
    case 'Floor':
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      return;
    case 'Ceil':
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      return;
    case 'Round':
      for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]!);
      return;
    case 'IsNaN':
      for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]!) ? 1 : 0;
      return;
    case 'IsFinite':
      for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]!) ? 1 : 0;
      return;
    case 'LogicalNot':
      for (let i = 0; i < n; i++) out[i] = x[i] === 0 ? 1 : 0;
      return;
    case 'LeakyRelu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v < 0 ? p * v : v;
      }
      return;
    case 'Elu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : p * Math.expm1(v);
      }
      return;
    case 'ClipByValue':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v < p ? p : v > q ? q : v;
      }
      return;
  }
}

/** Attributes of the parameterised unary kernels (LeakyRelu/Elu alpha, ClipByValue bounds). */
export interface UnaryAttrs {
  alpha?: number;
  min?: number;
  max?: number;
}

/** The kernel of unary op `op`, producing the dtype `kind` names. */
export function unaryKernel(op: UnaryOp, kind: OutKind) {
  return (inputs: readonly [TensorInfo], attrs: UnaryAttrs): TensorInfo => {
    const [x] = inputs;
    const values = valuesOf(x);
    const dtype: DType = kind === 'same' ? x.dtype : kind;
    const out = allocArray(dtype, values.length);
    const p = op === 'ClipByValue' ? attrs.min! : (attrs.alpha ?? 0);
    const q = op === 'ClipByValue' ? attrs.max! : 0;
    if (op === 'ClipByValue' && !(p <= q)) {
      throw new Error(`ClipByValue: min must be ≤ max, got min=${p}, max=${q}`);
    }
    mapUnary(op, x.dtype === 'int32', values, out, p, q);
    return output(out, x.shape, dtype);
  };
}

/** Cast: a same-dtype cast shares storage; to int32 truncates toward zero (NaN → 0). */
export function castKernel(inputs: readonly [TensorInfo], attrs: { dtype: DType }): TensorInfo {
  const [x] = inputs;
  const dtype = attrs.dtype;
  if (!isDType(dtype)) throw new Error(`Cast: dtype must be 'float32', 'int32' or 'bool', got ${formatArg(dtype)}`);
  const values = valuesOf(x);
  // Tensors are immutable, so a same-dtype cast may share storage.
  if (dtype === x.dtype) return output(values, x.shape, dtype);
  const out = allocArray(dtype, values.length);
  if (dtype === 'bool') {
    const n = values.length;
    for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else {
    // Typed-array conversion: float → int32 truncates toward zero (NaN → 0), as TF's cast does.
    out.set(values);
  }
  return output(out, x.shape, dtype);
}

export const unaryKernels = {
  Neg: unaryKernel('Neg', 'same'),
  Abs: unaryKernel('Abs', 'same'),
  Sign: unaryKernel('Sign', 'same'),
  Exp: unaryKernel('Exp', 'float32'),
  Log: unaryKernel('Log', 'float32'),
  Log1p: unaryKernel('Log1p', 'float32'),
  Expm1: unaryKernel('Expm1', 'float32'),
  Sqrt: unaryKernel('Sqrt', 'float32'),
  Rsqrt: unaryKernel('Rsqrt', 'float32'),
  Square: unaryKernel('Square', 'same'),
  Reciprocal: unaryKernel('Reciprocal', 'float32'),
  Sin: unaryKernel('Sin', 'float32'),
  Cos: unaryKernel('Cos', 'float32'),
  Tanh: unaryKernel('Tanh', 'float32'),
  Sigmoid: unaryKernel('Sigmoid', 'float32'),
  Softplus: unaryKernel('Softplus', 'float32'),
  Relu: unaryKernel('Relu', 'same'),
  Erf: unaryKernel('Erf', 'float32'),
  Floor: unaryKernel('Floor', 'same'),
  Ceil: unaryKernel('Ceil', 'same'),
  Round: unaryKernel('Round', 'same'),
  IsNaN: unaryKernel('IsNaN', 'bool'),
  IsFinite: unaryKernel('IsFinite', 'bool'),
  LogicalNot: unaryKernel('LogicalNot', 'bool'),
  LeakyRelu: unaryKernel('LeakyRelu', 'float32'),
  Elu: unaryKernel('Elu', 'float32'),
  ClipByValue: unaryKernel('ClipByValue', 'same'),
  Cast: castKernel,
} satisfies Partial<KernelTable>;
