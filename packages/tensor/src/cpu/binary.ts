// CPU kernels of the binary family: binary ops with broadcasting (the float32 fast paths are in
// float-binary.ts) and Where.
import type { KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import type { BroadcastPlan } from './broadcast.js';
import { broadcastPlan } from './broadcast.js';
import { floatSameShape, floatWithScalar, isFastBinaryOp } from './float-binary.js';
import { allocOutput, output, valuesOf } from './storage.js';
import type { OutKind } from './unary.js';

type BinaryOp =
  | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Maximum' | 'Minimum' | 'Mod' | 'FloorDiv' | 'SquaredDifference'
  | 'Equal' | 'NotEqual' | 'Greater' | 'GreaterEqual' | 'Less' | 'LessEqual' | 'LogicalAnd' | 'LogicalOr';

/**
 * Walk two broadcast operands with one dedicated loop per op (switch outside the loops). `isInt`
 * picks wrapping int32 arithmetic where a float64 product would lose low bits.
 */
function mapBinary(op: BinaryOp, isInt: boolean, a: TypedArray, b: TypedArray, out: TypedArray, plan: BroadcastPlan): void {
  const { rows, inner } = plan;
  const sa = plan.steps[0]!;
  const sb = plan.steps[1]!;
  const offA = plan.offsets[0]!;
  const offB = plan.offsets[1]!;
  let o = 0;
  switch (op) {
    case 'Add':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! + b[k]!;
      }
      return;
    case 'Sub':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! - b[k]!;
      }
      return;
    case 'Mul':
      if (isInt) {
        for (let r = 0; r < rows; r++) {
          for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.imul(a[i]!, b[k]!);
        }
      } else {
        for (let r = 0; r < rows; r++) {
          for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! * b[k]!;
        }
      }
      return;
    case 'Div':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! / b[k]!;
      }
      return;
    case 'Pow':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.pow(a[i]!, b[k]!);
      }
      return;
    case 'Maximum':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.max(a[i]!, b[k]!);
      }
      return;
    case 'Minimum':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.min(a[i]!, b[k]!);
      }
      return;
    case 'Mod':
      // JS `%` takes the dividend's sign; shift by the divisor when signs differ (Python/NumPy semantics).
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) {
          const d = b[k]!;
          const m = a[i]! % d;
          out[o++] = m !== 0 && (m < 0) !== (d < 0) ? m + d : m;
        }
      }
      return;
    case 'FloorDiv':
      // For int32 operands floor(a / b) in float64 is exact: the quotient is never within rounding of an integer.
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.floor(a[i]! / b[k]!);
      }
      return;
    case 'SquaredDifference':
      if (isInt) {
        for (let r = 0; r < rows; r++) {
          for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) {
            const d = (a[i]! - b[k]!) | 0;
            out[o++] = Math.imul(d, d);
          }
        }
      } else {
        for (let r = 0; r < rows; r++) {
          for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) {
            const d = a[i]! - b[k]!;
            out[o++] = d * d;
          }
        }
      }
      return;
    case 'Equal':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i] === b[k] ? 1 : 0;
      }
      return;
    case 'NotEqual':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i] !== b[k] ? 1 : 0;
      }
      return;
    case 'Greater':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! > b[k]! ? 1 : 0;
      }
      return;
    case 'GreaterEqual':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! >= b[k]! ? 1 : 0;
      }
      return;
    case 'Less':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! < b[k]! ? 1 : 0;
      }
      return;
    case 'LessEqual':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i]! <= b[k]! ? 1 : 0;
      }
      return;
    case 'LogicalAnd':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i] !== 0 && b[k] !== 0 ? 1 : 0;
      }
      return;
    case 'LogicalOr':
      for (let r = 0; r < rows; r++) {
        for (let j = 0, i = offA[r]!, k = offB[r]!; j < inner; j++, i += sa, k += sb) out[o++] = a[i] !== 0 || b[k] !== 0 ? 1 : 0;
      }
      return;
  }
}

function binaryKernel(op: BinaryOp, kind: OutKind) {
  return (inputs: readonly [TensorInfo, TensorInfo]): TensorInfo => {
    const [a, b] = inputs;
    if (a.dtype !== b.dtype) {
      throw new Error(`${op}: both inputs must have the same dtype (ops cast before dispatch), got ${a.dtype} and ${b.dtype}`);
    }
    const plan = broadcastPlan(op, [a.shape, b.shape]);
    const dtype: DType = kind === 'same' ? a.dtype : kind;
    const out = allocOutput(op, dtype, plan.outShape);
    if (a.dtype === 'float32' && plan.rows === 1 && isFastBinaryOp(op)) {
      const av = valuesOf(a) as Float32Array;
      const bv = valuesOf(b) as Float32Array;
      const sa = plan.steps[0]!;
      const sb = plan.steps[1]!;
      const n = plan.size;
      // One run: each operand either walks it (step 1) or is a single broadcast value (step 0).
      if (sa === 1 && sb === 1) floatSameShape(op, av, bv, out as Float32Array, n);
      else if (sa === 1 && sb === 0) floatWithScalar(op, av, bv[plan.offsets[1]![0]!]!, false, out as Float32Array, n);
      else if (sa === 0 && sb === 1) floatWithScalar(op, bv, av[plan.offsets[0]![0]!]!, true, out as Float32Array, n);
      else mapBinary(op, false, av, bv, out, plan);
      return output(out, plan.outShape, dtype);
    }
    mapBinary(op, a.dtype !== 'float32', valuesOf(a), valuesOf(b), out, plan);
    return output(out, plan.outShape, dtype);
  };
}

function whereKernel(inputs: readonly [TensorInfo, TensorInfo, TensorInfo]): TensorInfo {
  const [cond, a, b] = inputs;
  if (cond.dtype !== 'bool') throw new Error(`Where: condition must be bool, got ${cond.dtype}`);
  if (a.dtype !== b.dtype) {
    throw new Error(`Where: both branches must have the same dtype (ops cast before dispatch), got ${a.dtype} and ${b.dtype}`);
  }
  const plan = broadcastPlan('Where', [cond.shape, a.shape, b.shape]);
  const out = allocOutput('Where', a.dtype, plan.outShape);
  const c = valuesOf(cond);
  const av = valuesOf(a);
  const bv = valuesOf(b);
  const { rows, inner } = plan;
  const sc = plan.steps[0]!;
  const sa = plan.steps[1]!;
  const sb = plan.steps[2]!;
  const offC = plan.offsets[0]!;
  const offA = plan.offsets[1]!;
  const offB = plan.offsets[2]!;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0, h = offC[r]!, i = offA[r]!, k = offB[r]!; j < inner; j++, h += sc, i += sa, k += sb) {
      out[o++] = c[h] !== 0 ? av[i]! : bv[k]!;
    }
  }
  return output(out, plan.outShape, a.dtype);
}

/** CPU implementations of every elementwise kernel (unary, binary with broadcasting, Where, Cast). */
export const binaryKernels = {
  Add: binaryKernel('Add', 'same'),
  Sub: binaryKernel('Sub', 'same'),
  Mul: binaryKernel('Mul', 'same'),
  Div: binaryKernel('Div', 'float32'),
  Pow: binaryKernel('Pow', 'same'),
  Maximum: binaryKernel('Maximum', 'same'),
  Minimum: binaryKernel('Minimum', 'same'),
  Mod: binaryKernel('Mod', 'same'),
  FloorDiv: binaryKernel('FloorDiv', 'same'),
  SquaredDifference: binaryKernel('SquaredDifference', 'same'),
  Equal: binaryKernel('Equal', 'bool'),
  NotEqual: binaryKernel('NotEqual', 'bool'),
  Greater: binaryKernel('Greater', 'bool'),
  GreaterEqual: binaryKernel('GreaterEqual', 'bool'),
  Less: binaryKernel('Less', 'bool'),
  LessEqual: binaryKernel('LessEqual', 'bool'),
  LogicalAnd: binaryKernel('LogicalAnd', 'bool'),
  LogicalOr: binaryKernel('LogicalOr', 'bool'),
  Where: whereKernel,
} satisfies Partial<KernelTable>;
