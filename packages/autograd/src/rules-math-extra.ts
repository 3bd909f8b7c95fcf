import type { ScanAttrs, Tensor } from '@descent/tensor';
import { runKernel } from '@descent/tensor';
import { add, div, equal, logicalAnd, mul, neg, num, sqrt, square, sub, toFloat, where } from './kernel-ops.js';
import type { GradRule } from './rules.js';

/*
 * Gradient rules of the trigonometric kernels, Atan2 and the running sum and product. Spread into
 * the one table in rules.ts. Built from kernels, so each is differentiable again.
 */

const sinh = (x: Tensor): Tensor => runKernel('Sinh', [x], {});
const cosh = (x: Tensor): Tensor => runKernel('Cosh', [x], {});
const cumsum = (x: Tensor, a: ScanAttrs): Tensor => runKernel('Cumsum', [x], { axis: a.axis, exclusive: a.exclusive, reverse: a.reverse });
const cumprod = (x: Tensor, a: ScanAttrs): Tensor => runKernel('Cumprod', [x], { axis: a.axis, exclusive: a.exclusive, reverse: a.reverse });

/** `Σ` over the entries whose scan included this one: the same scan run the other way. */
const backScan = (t: Tensor, a: ScanAttrs): Tensor => cumsum(t, { ...a, reverse: !a.reverse });

type MathExtraKernel = 'Tan' | 'Asin' | 'Acos' | 'Atan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Atan2' | 'Cumsum' | 'Cumprod';

/** Gradient rules of the kernels in `cpu/unary-extra.ts` and `cpu/scan.ts`. */
export const mathExtraRules = {
  // d tan = 1 + tan²
  Tan: (dy, { output: y }) => [mul(dy, add(num(1), square(y)))],
  Asin: (dy, { inputs: [x] }) => [div(dy, sqrt(sub(num(1), square(x))))],
  Acos: (dy, { inputs: [x] }) => [neg(div(dy, sqrt(sub(num(1), square(x)))))],
  Atan: (dy, { inputs: [x] }) => [div(dy, add(num(1), square(x)))],
  Sinh: (dy, { inputs: [x] }) => [mul(dy, cosh(x))],
  Cosh: (dy, { inputs: [x] }) => [mul(dy, sinh(x))],
  Asinh: (dy, { inputs: [x] }) => [div(dy, sqrt(add(square(x), num(1))))],
  Acosh: (dy, { inputs: [x] }) => [div(dy, sqrt(sub(square(x), num(1))))],
  Atanh: (dy, { inputs: [x] }) => [div(dy, sub(num(1), square(x)))],
  // ∂/∂a atan2(a, b) = b/(a² + b²), ∂/∂b = −a/(a² + b²)
  Atan2: (dy, { inputs: [a, b], needs }) => {
    const r2 = add(square(a), square(b));
    return [needs[0] ? mul(dy, div(b, r2)) : null, needs[1] ? neg(mul(dy, div(a, r2))) : null];
  },
  Cumsum: (dy, { attrs }) => [backScan(dy, attrs)],
  /*
   * ∂y_j/∂x_i is the product of the other factors of y_j, so dx_i = Σ_j dy_j·y_j / x_i over the entries
   * j whose product includes x_i. That division is only safe where x_i ≠ 0. For the first zero of a
   * line the same sum is taken with that zero replaced by 1 in the product; at any later zero the
   * gradient is 0 (every product including it also includes the first zero).
   */
  Cumprod: (dy, { inputs: [x], output: y, attrs }) => {
    const isZero = equal(x, num(0));
    const zerosBefore = cumsum(toFloat(isZero), { ...attrs, exclusive: true });
    const firstZero = logicalAnd(isZero, equal(zerosBefore, num(0)));
    const safeX = where(isZero, num(1), x);
    const nonZeroGrad = div(backScan(mul(dy, y), attrs), safeX);
    const firstZeroGrad = backScan(mul(dy, cumprod(where(firstZero, num(1), x), attrs)), attrs);
    return [where(firstZero, firstZeroGrad, where(isZero, num(0), nonZeroGrad))];
  },
} satisfies { readonly [K in MathExtraKernel]: GradRule<K> };
