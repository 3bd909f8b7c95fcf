import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { tensor } from './convert.js';
import { acos, acosh, asin, asinh, atan, atan2, atanh, cosh, log10, log2, sinh, tan } from './unary-extra.js';

// |got − want| ≤ tol·(1 + |want|); NaN matches NaN, ±Infinity must match exactly.
const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-6): void => closeTo(got, want, { atol: tol, rtol: tol });

describe('trigonometric, inverse and hyperbolic functions', () => {
  const xs = [-0.9, -0.5, 0, 0.3, 0.99];
  const cases: [string, (x: number[]) => ReturnType<typeof tan>, (v: number) => number][] = [
    ['tan', tan, Math.tan], ['asin', asin, Math.asin], ['acos', acos, Math.acos], ['atan', atan, Math.atan],
    ['sinh', sinh, Math.sinh], ['cosh', cosh, Math.cosh], ['asinh', asinh, Math.asinh], ['atanh', atanh, Math.atanh],
  ];
  for (const [name, op, ref] of cases) {
    it(`${name} matches Math.${name} (float64) to float32 rounding`, () => {
      const y = op(xs);
      expect(y.dtype).toBe('float32');
      close(y.dataSync(), xs.map((v) => ref(Math.fround(v))));
    });
  }

  it('hand values, domain edges and dtypes', () => {
    close(tan([Math.PI / 4]).dataSync(), [1]);
    close(asin([1, -1, 2]).dataSync(), [Math.PI / 2, -Math.PI / 2, NaN]);
    close(acos([1, -1, 1.5]).dataSync(), [0, Math.PI, NaN]);
    close(acosh([1, 2, 0.5]).dataSync(), [0, Math.log(2 + Math.sqrt(3)), NaN]);
    close(atanh([1, -1, 2]).dataSync(), [Infinity, -Infinity, NaN]);
    close(sinh([1]).dataSync(), [(Math.E - 1 / Math.E) / 2]);
    close(cosh([1]).dataSync(), [(Math.E + 1 / Math.E) / 2]);
    close(asinh([1]).dataSync(), [Math.log(1 + Math.SQRT2)]);
    close(atan([Infinity]).dataSync(), [Math.PI / 2]);
    // int32 and bool become float32.
    const i = tan(tensor([0, 1], undefined, 'int32'));
    expect(i.dtype).toBe('float32');
    close(i.dataSync(), [0, Math.tan(1)]);
    expect(cosh(tensor([true])).dtype).toBe('float32');
    expect(tan(tensor([[1, 2], [3, 4]])).shape).toEqual([2, 2]);
    // Tensor methods.
    const t = tensor([0.5]);
    close([t.tan(), t.asin(), t.acos(), t.atan(), t.sinh(), t.cosh(), t.asinh(), t.atanh(), tensor([2]).acosh(), t.atan2([-1])].map((y) => y.item()),
      [Math.tan(0.5), Math.asin(0.5), Math.acos(0.5), Math.atan(0.5), Math.sinh(0.5), Math.cosh(0.5), Math.asinh(0.5), Math.atanh(0.5), Math.acosh(2), Math.atan2(0.5, -1)]);
    expect(() => tan('x' as never)).toThrow("tan: argument 'x' must be a Tensor, number, boolean, nested array or typed array, got");
  });
});

describe('atan2', () => {
  it('puts the angle in the right quadrant, including on the axes', () => {
    close(atan2([1, 1, -1, -1, 1, -1, 0, 0], [1, -1, 1, -1, 0, 0, 1, -1]).dataSync(),
      [Math.PI / 4, (3 * Math.PI) / 4, -Math.PI / 4, (-3 * Math.PI) / 4, Math.PI / 2, -Math.PI / 2, 0, Math.PI]);
  });

  it('broadcasts, promotes int32 and refuses incompatible shapes', () => {
    const y = atan2(tensor([[1], [2]]), tensor([1, 2, 3], undefined, 'int32'));
    expect(y.shape).toEqual([2, 3]);
    expect(y.dtype).toBe('float32');
    close(y.dataSync(), [1, 2].flatMap((a) => [1, 2, 3].map((b) => Math.atan2(a, b))));
    close(atan2(1, [1, -1]).dataSync(), [Math.PI / 4, (3 * Math.PI) / 4]);
    expect(() => atan2([1, 2], [1, 2, 3])).toThrow(/^atan2: .*\[2\].*\[3\]/);
  });
});

describe('log2 and log10', () => {
  it('hand values', () => {
    close(log2([1, 2, 8, 0.5, 1024]).dataSync(), [0, 1, 3, -1, 10]);
    close(log10([1, 10, 1000, 0.01]).dataSync(), [0, 1, 3, -2]);
    close(log2([0, -1]).dataSync(), [-Infinity, NaN]);
    expect(log10(tensor([100], undefined, 'int32')).dtype).toBe('float32');
  });
});
