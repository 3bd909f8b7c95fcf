import type { DType } from '../dtype.js';
import { upcastType } from '../dtype.js';
import { checkAllocation, runKernel } from '../engine.js';
import { broadcastShapes } from '../shape.js';
import type { TensorLike } from '../tensor.js';
import { Tensor } from '../tensor.js';
import { toTensor } from './convert.js';

type ArithKernel = 'Add' | 'Sub' | 'Mul' | 'Pow' | 'Maximum' | 'Minimum' | 'Mod' | 'FloorDiv' | 'SquaredDifference';
type CompareKernel = 'Equal' | 'NotEqual' | 'Greater' | 'GreaterEqual' | 'Less' | 'LessEqual';

function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : runKernel('Cast', [t], { dtype });
}

/**
 * Convert both operands; a plain number takes the dtype of the other operand when it fits, so
 * `add(intTensor, 1)` stays int32 whichever side the number is on. Checks broadcasting up front so
 * the error names the op the user called.
 */
function operands(op: string, a: TensorLike, b: TensorLike, out: 'arith' | 'bool' | null): [Tensor, Tensor] {
  const ta = !(a instanceof Tensor) && b instanceof Tensor ? toTensor(a, op, 'a', b) : toTensor(a, op, 'a');
  const tb = toTensor(b, op, 'b', ta);
  // Checked here so a huge broadcast ([1e5,1] + [1,1e5]) fails before any kernel allocates.
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  if (out !== null) checkAllocation(op, shape, out === 'bool' ? 'bool' : upcastType(ta.dtype, tb.dtype));
  return [ta, tb];
}

/** Arithmetic: both sides upcast to a common dtype (bool → int32, anything with float32 → float32). */
function arith(op: string, kernel: ArithKernel, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(op, a, b, 'arith');
  const dtype = upcastType(ta.dtype, tb.dtype);
  return runKernel(kernel, [castTo(ta, dtype), castTo(tb, dtype)], {});
}

/** Comparisons: equal dtypes compare as they are (bool with bool too), otherwise both upcast. */
function compare(op: string, kernel: CompareKernel, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(op, a, b, 'bool');
  if (ta.dtype === tb.dtype) return runKernel(kernel, [ta, tb], {});
  const dtype = upcastType(ta.dtype, tb.dtype);
  return runKernel(kernel, [castTo(ta, dtype), castTo(tb, dtype)], {});
}

function logical(op: string, kernel: 'LogicalAnd' | 'LogicalOr', a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(op, a, b, 'bool');
  if (ta.dtype !== 'bool' || tb.dtype !== 'bool') {
    throw new Error(`${op}: both inputs must be bool tensors, got a: ${ta.dtype} and b: ${tb.dtype}`);
  }
  return runKernel(kernel, [ta, tb], {});
}

/** Elementwise `a + b`, broadcast NumPy-style; the output takes the inputs' common dtype. */
export function add(a: TensorLike, b: TensorLike): Tensor { return arith('add', 'Add', a, b); }
/** Elementwise `a − b`, broadcast NumPy-style. */
export function sub(a: TensorLike, b: TensorLike): Tensor { return arith('sub', 'Sub', a, b); }
/** Elementwise `a · b`, broadcast NumPy-style. */
export function mul(a: TensorLike, b: TensorLike): Tensor { return arith('mul', 'Mul', a, b); }
/** `a^b`; int32 with int32 stays int32 (negative exponents then truncate toward zero: `2^-1 = 0`). */
export function pow(a: TensorLike, b: TensorLike): Tensor { return arith('pow', 'Pow', a, b); }
/** Elementwise maximum; NaN wins, as in NumPy. */
export function maximum(a: TensorLike, b: TensorLike): Tensor { return arith('maximum', 'Maximum', a, b); }
/** Elementwise smaller of `a` and `b`, broadcast NumPy-style. */
export function minimum(a: TensorLike, b: TensorLike): Tensor { return arith('minimum', 'Minimum', a, b); }
/** Remainder with the sign of the divisor (Python/NumPy): `mod(-7, 3) = 2`, `mod(7, -3) = -2`. */
export function mod(a: TensorLike, b: TensorLike): Tensor { return arith('mod', 'Mod', a, b); }
/** `floor(a / b)`; int32 stays int32. */
export function floorDiv(a: TensorLike, b: TensorLike): Tensor { return arith('floorDiv', 'FloorDiv', a, b); }
/** `(a − b)²`. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor { return arith('squaredDifference', 'SquaredDifference', a, b); }

/** True division: always float32, whatever the input dtypes. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands('div', a, b, 'arith');
  return runKernel('Div', [castTo(ta, 'float32'), castTo(tb, 'float32')], {});
}

/** Elementwise `a == b`, broadcast; bool output. */
export function equal(a: TensorLike, b: TensorLike): Tensor { return compare('equal', 'Equal', a, b); }
/** Elementwise `a != b`, broadcast; bool output. */
export function notEqual(a: TensorLike, b: TensorLike): Tensor { return compare('notEqual', 'NotEqual', a, b); }
/** Elementwise `a > b`, broadcast; bool output. */
export function greater(a: TensorLike, b: TensorLike): Tensor { return compare('greater', 'Greater', a, b); }
/** Elementwise `a >= b`, broadcast; bool output. */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor { return compare('greaterEqual', 'GreaterEqual', a, b); }
/** Elementwise `a < b`, broadcast; bool output. */
export function less(a: TensorLike, b: TensorLike): Tensor { return compare('less', 'Less', a, b); }
/** Elementwise `a <= b`, broadcast; bool output. */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor { return compare('lessEqual', 'LessEqual', a, b); }

/** Elementwise AND of bool tensors, broadcast; bool output. */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor { return logical('logicalAnd', 'LogicalAnd', a, b); }
/** Elementwise OR of bool tensors, broadcast; bool output. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor { return logical('logicalOr', 'LogicalOr', a, b); }

/** `condition ? a : b` elementwise; all three broadcast together, `condition` must be bool. */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const op = 'where';
  const c = toTensor(condition, op, 'condition');
  if (c.dtype !== 'bool') throw new Error(`where: condition must be a bool tensor, got ${c.dtype}`);
  const [ta, tb] = operands(op, a, b, null);
  const dtype = ta.dtype === tb.dtype ? ta.dtype : upcastType(ta.dtype, tb.dtype);
  checkAllocation(op, broadcastShapes(op, c.shape, broadcastShapes(op, ta.shape, tb.shape)), dtype);
  return runKernel('Where', [c, castTo(ta, dtype), castTo(tb, dtype)], {});
}
