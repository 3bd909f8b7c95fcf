import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import {
  abs, cast, ceil, clipByValue, cos, elu, erf, exp, expm1, floor, gelu, isFinite, isNaN, leakyRelu, log, log1p,
  logicalNot, neg, reciprocal, relu, relu6, round, rsqrt, selu, sigmoid, sign, sin, softplus, sqrt, square, tanh,
} from './unary.js';

/** Compare values with a relative+absolute tolerance; NaN matches NaN, ±Infinity must match exactly. */
const expectValues = (t: Tensor, expected: readonly number[], tol = 1e-6): void => closeTo(t, expected, { atol: tol, rtol: tol });

const int = (v: number[]): Tensor => tensor(v, undefined, 'int32');

describe('unary ops that keep int32', () => {
  it('neg, abs, sign', () => {
    expectValues(neg([-2, 0, 3.5]), [2, 0, -3.5]);
    expectValues(abs([-2, 0, 3.5]), [2, 0, 3.5]);
    expectValues(sign([-2, 0, 3.5, NaN]), [-1, 0, 1, NaN]);
    const n = neg(int([1, -2]));
    expect(n.dtype).toBe('int32');
    expect(Array.from(n.dataSync())).toEqual([-1, 2]);
    expect(abs(int([-3])).dtype).toBe('int32');
    expect(sign(int([-3, 0, 4])).toArray()).toEqual([-1, 0, 1]);
  });

  it('square wraps int32 like two’s complement arithmetic', () => {
    expectValues(square([-3, 0.5]), [9, 0.25]);
    const s = square(int([-3, 46341]));
    expect(s.dtype).toBe('int32');
    // 46341² = 2147488281 = 2^31 + 4633, which wraps to −2^31 + 4633.
    expect(Array.from(s.dataSync())).toEqual([9, -2147483648 + 4633]);
  });

  it('relu keeps dtype and passes NaN through', () => {
    expectValues(relu([-1, 0, 2, NaN]), [0, 0, 2, NaN]);
    expect(relu(int([-1, 3])).toArray()).toEqual([0, 3]);
    expect(relu(int([-1, 3])).dtype).toBe('int32');
  });

  it('floor, ceil and round (half to even)', () => {
    const x = [-1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.6];
    expectValues(floor(x), [-2, -1, 0, 1, 2, 2, -3]);
    expectValues(ceil(x), [-1, 0, 1, 2, 3, 3, -2]);
    expectValues(round(x), [-2, 0, 0, 2, 2, 3, -3]);
    expectValues(round([3.5, -3.5, 0.49999997]), [4, -4, 0]);
    expect(floor(int([3, -4])).dtype).toBe('int32');
    expect(round(int([3, -4])).toArray()).toEqual([3, -4]);
  });

  it('bool input is treated as int32', () => {
    const r = neg([true, false]);
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([-1, 0]);
  });
});

describe('unary ops on reals', () => {
  it('exp, log, log1p, expm1', () => {
    expectValues(exp([0, 1, -1]), [1, Math.E, 1 / Math.E]);
    expectValues(log([1, Math.E, 0, -1]), [0, 1, -Infinity, NaN]);
    // log1p/expm1 keep precision where 1 + x rounds to 1.
    expectValues(log1p([0, 1e-10, 1]), [0, 1e-10, Math.LN2], 1e-6);
    expect(log1p([1e-10]).item()).toBeGreaterThan(0);
    expectValues(expm1([0, 1e-10, 1]), [0, 1e-10, Math.E - 1]);
    expect(expm1([1e-10]).item()).toBeGreaterThan(0);
  });

  it('sqrt, rsqrt, reciprocal', () => {
    expectValues(sqrt([4, 2, 0, -1]), [2, Math.SQRT2, 0, NaN]);
    expectValues(rsqrt([4, 0.25, 0]), [0.5, 2, Infinity]);
    expectValues(reciprocal([2, -4, 0]), [0.5, -0.25, Infinity]);
  });

  it('sin, cos, tanh', () => {
    expectValues(sin([0, Math.PI / 2, -Math.PI / 6]), [0, 1, -0.5]);
    expectValues(cos([0, Math.PI / 3, Math.PI]), [1, 0.5, -1]);
    // tanh(1) = (e² − 1)/(e² + 1).
    expectValues(tanh([0, 1, -20, 20]), [0, (Math.E ** 2 - 1) / (Math.E ** 2 + 1), -1, 1]);
  });

  it('sigmoid is stable for large |x|', () => {
    expectValues(sigmoid([0, 2, -2, -1000, 1000]), [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 0, 1]);
    // A far-negative input keeps its tiny relative precision instead of collapsing through 1/(1+inf).
    expectValues(sigmoid([-80]), [Math.exp(-80) / (1 + Math.exp(-80))], 1e-6);
  });

  it('softplus is stable for large |x|', () => {
    expectValues(softplus([0, 1, -1, 100, 1000]), [Math.LN2, Math.log(1 + Math.E), Math.log(1 + 1 / Math.E), 100, 1000]);
    // log1p(e^-50) = e^-50 to float precision (a normal float32), where log(1 + e^-50) would give 0.
    const tiny = softplus([-50]).item();
    expect(Math.abs(tiny - Math.exp(-50)) / Math.exp(-50)).toBeLessThan(1e-6);
  });

  it('erf matches tabulated values', () => {
    // Abramowitz & Stegun table 7.1 / NumPy-documented values of the error function.
    expectValues(erf([0, 0.1, 0.5, 1, -2, 3]), [0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014], 2e-7);
    expectValues(erf([Infinity, -Infinity, NaN]), [1, -1, NaN]);
  });

  it('erf has ~1e-7 relative error across [-4, 4] against a float64 series', () => {
    // Reference: the Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), summed to convergence in float64.
    const series = (x: number): number => {
      let term = x;
      let sum = x;
      for (let n = 1; n < 200 && Math.abs(term) > 1e-30; n++) {
        term *= (-x * x) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const xs: number[] = [];
    for (let i = -400; i <= 400; i += 7) xs.push(Math.fround(i / 100));
    xs.push(Math.fround(1e-4), Math.fround(-3e-3), Math.fround(0.4999), Math.fround(0.5001));
    const got = erf(xs).dataSync();
    xs.forEach((x, i) => {
      // Above |x| ≈ 4 the series itself loses precision; erf is 1 to float32 there anyway.
      const ref = series(x);
      expect(Math.abs(got[i]! - ref), `erf(${x})`).toBeLessThanOrEqual(2e-7 * Math.abs(ref) + 1e-12);
    });
  });

  it('int32 and bool inputs become float32', () => {
    const e = exp(tensor([0, 1], undefined, 'int32'));
    expect(e.dtype).toBe('float32');
    expectValues(e, [1, Math.E]);
    expect(sqrt([true]).dtype).toBe('float32');
    expect(sigmoid(tensor([0], undefined, 'int32')).item()).toBe(0.5);
  });
});

describe('parameterized activations', () => {
  it('leakyRelu defaults to alpha 0.2', () => {
    expectValues(leakyRelu([-2, 0, 3]), [-0.4, 0, 3]);
    expectValues(leakyRelu([-2, 3], 0.1), [-0.2, 3]);
  });

  it('elu', () => {
    expectValues(elu([-1, 0, 2]), [Math.exp(-1) - 1, 0, 2]);
    expectValues(elu([-1, 2], 2), [2 * (Math.exp(-1) - 1), 2]);
  });

  it('selu uses the self-normalizing constants', () => {
    // Klambauer et al. (2017): alpha = 1.6732632423543772, scale = 1.0507009873554805.
    const alpha = 1.6732632423543772;
    const scale = 1.0507009873554805;
    expectValues(selu([-1, 0, 2]), [scale * alpha * (Math.exp(-1) - 1), 0, scale * 2]);
  });

  it('gelu, exact and tanh-approximate', () => {
    // x·Φ(x) with Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208.
    expectValues(gelu([-1, 0, 1, 2]), [-(1 - 0.8413447460685429), 0, 0.8413447460685429, 2 * 0.9772498680518208], 2e-7);
    const approx = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expectValues(gelu([-1.5, 0.3, 1, 3], true), [approx(-1.5), approx(0.3), approx(1), approx(3)]);
  });

  it('clipByValue and relu6', () => {
    expectValues(clipByValue([-5, 0.5, 10, NaN], 0, 1), [0, 0.5, 1, NaN]);
    const c = clipByValue(tensor([-5, 2, 9], undefined, 'int32'), 0, 4);
    expect(c.dtype).toBe('int32');
    expect(c.toArray()).toEqual([0, 2, 4]);
    expectValues(relu6([-1, 3, 7]), [0, 3, 6]);
    expectValues(clipByValue([-2, 2], -Infinity, 1), [-2, 1]);
  });
});

describe('predicates and cast', () => {
  it('isNaN, isFinite give bool', () => {
    const x = [NaN, Infinity, -Infinity, 1];
    const n = isNaN(x);
    expect(n.dtype).toBe('bool');
    expect(n.toArray()).toEqual([1, 0, 0, 0]);
    expect(isFinite(x).toArray()).toEqual([0, 0, 0, 1]);
    expect(isFinite(tensor([1, 2], undefined, 'int32')).toArray()).toEqual([1, 1]);
  });

  it('logicalNot needs bool', () => {
    const r = logicalNot([true, false]);
    expect(r.dtype).toBe('bool');
    expect(r.toArray()).toEqual([0, 1]);
    expect(() => logicalNot([1, 0])).toThrow('logicalNot: expected a bool tensor, got float32');
  });

  it('cast converts between dtypes', () => {
    const i = cast([1.7, -1.7, 0, 2.5], 'int32');
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([1, -1, 0, 2]);
    expect(cast([0, 0.5, -2, NaN], 'bool').toArray()).toEqual([0, 1, 1, 1]);
    const f = cast([true, false], 'float32');
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([1, 0]);
    expect(cast(tensor([3, 4], undefined, 'int32'), 'bool').toArray()).toEqual([1, 1]);
    const same = tensor([1, 2]);
    expect(cast(same, 'float32')).toBe(same);
  });
});

describe('shapes', () => {
  it('keeps empty, scalar and size-1 shapes', () => {
    expect(exp(zeros([0, 3])).shape).toEqual([0, 3]);
    expect(exp(zeros([2, 0])).size).toBe(0);
    const s = exp(0);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(1);
    expect(relu(zeros([1, 1, 1])).shape).toEqual([1, 1, 1]);
    expect(gelu(zeros([3, 1, 2])).shape).toEqual([3, 1, 2]);
  });

  it('Tensor methods call the same ops', () => {
    const x = tensor([[-1, 2], [3, -4]]);
    expect(x.relu().toArray()).toEqual([[0, 2], [3, 0]]);
    expect(x.abs().neg().toArray()).toEqual([[-1, -2], [-3, -4]]);
    expect(x.clipByValue(-1, 1).toArray()).toEqual([[-1, 1], [1, -1]]);
    expect(x.cast('int32').dtype).toBe('int32');
  });
});

describe('errors', () => {
  it('non-tensor input names the op and argument', () => {
    expect(() => exp('a' as never)).toThrow(`exp: argument 'x' must be a Tensor, number, boolean, nested array or typed array, got the string "a"`);
    expect(() => relu(null as never)).toThrow(/^relu: argument 'x'/);
  });

  it('bad options name the op and the option', () => {
    expect(() => clipByValue([1], 2, 1)).toThrow('clipByValue: min must be ≤ max, got min=2, max=1');
    expect(() => clipByValue([1], NaN, 1)).toThrow('clipByValue: min must be a number, got NaN');
    expect(() => leakyRelu([1], 'x' as never)).toThrow('leakyRelu: alpha must be a number, got "x"');
    expect(() => elu([1], NaN)).toThrow('elu: alpha must be a number, got NaN');
    expect(() => gelu([1], 1 as never)).toThrow('gelu: approximate must be a boolean, got 1');
    expect(() => cast([1], 'float64' as never)).toThrow(`cast: dtype must be 'float32', 'int32' or 'bool', got "float64"`);
  });
});
