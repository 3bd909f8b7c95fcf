import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { runKernel } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import {
  add, div, equal, floorDiv, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr, maximum, minimum, mod,
  mul, notEqual, pow, squaredDifference, sub, where,
} from './binary.js';

const int = (v: number[] | number[][]): Tensor => tensor(v, undefined, 'int32');

// |got − expected| ≤ tol·(1 + |expected|); NaN matches NaN, ±Infinity must match exactly.
const expectValues = (t: Tensor, expected: readonly number[], tol = 1e-6): void => closeTo(t, expected, { atol: tol, rtol: tol });

/** Naive NumPy broadcasting, one output element at a time: the reference for the kernels' strided walk. */
function broadcastReference(shapes: number[][], values: number[][], f: (...xs: number[]) => number): { shape: number[]; values: number[] } {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const di = s[s.length - rank + i] ?? 1;
      if (di !== 1) d = di;
    }
    out.push(d);
  }
  const size = out.reduce((a, b) => a * b, 1);
  const result: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let rem = flat;
    for (let i = rank - 1; i >= 0; i--) {
      idx[i] = rem % out[i]!;
      rem = Math.floor(rem / out[i]!);
    }
    const args = shapes.map((s, k) => {
      let off = 0;
      for (let i = 0; i < s.length; i++) {
        const di = s[i]!;
        off = off * di + (di === 1 ? 0 : idx[rank - s.length + i]!);
      }
      return values[k]![off]!;
    });
    result.push(f(...args));
  }
  return { shape: out, values: result };
}

/** An output shape plus input shapes derived from it by dropping leading axes and setting axes to 1. */
const broadcastCase = (inputs: number) =>
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 5 }).chain((out) =>
    fc.tuple(
      fc.constant(out),
      fc.array(
        fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(
          ([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
        ),
        { minLength: inputs, maxLength: inputs },
      ),
    ),
  );

const iota = (shape: number[], scale: number, shift: number): number[] =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * scale + shift) % 17) - 8);

describe('arithmetic', () => {
  it('same shape', () => {
    expectValues(add([1, 2, 3], [10, 20, 30]), [11, 22, 33]);
    expectValues(sub([1, 2, 3], [10, 20, 30]), [-9, -18, -27]);
    expectValues(mul([1, 2, 3], [10, 20, 30]), [10, 40, 90]);
    expectValues(div([1, 2, 3], [10, 20, 0]), [0.1, 0.1, Infinity]);
    expectValues(div([0, -1], [0, 0]), [NaN, -Infinity]);
  });

  it('broadcasts row, column, scalar and outer-product shapes', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const r = add(a, [10, 20, 30]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(mul(a, [[2], [3]]).toArray()).toEqual([[2, 4, 6], [12, 15, 18]]);
    expect(sub(a, 1).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(sub(1, a).toArray()).toEqual([[0, -1, -2], [-3, -4, -5]]);
    const outer = add([[1], [2]], [10, 20, 30]);
    expect(outer.shape).toEqual([2, 3]);
    expect(outer.toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(div(a, [[1, 2, 3]]).toArray()).toEqual([[1, 1, 1], [4, 2.5, 2]]);
  });

  it('handles size-1 and empty dimensions', () => {
    expect(add(zeros([1, 1]), zeros([1])).shape).toEqual([1, 1]);
    expect(add(zeros([0, 3]), [1, 2, 3]).shape).toEqual([0, 3]);
    expect(add(zeros([0]), zeros([1])).shape).toEqual([0]);
    expect(mul(zeros([2, 0]), zeros([2, 1])).shape).toEqual([2, 0]);
    expect(add(zeros([3, 1, 0]), zeros([4, 1])).shape).toEqual([3, 4, 0]);
    expect(add(2, 3).shape).toEqual([]);
    expect(add(2, 3).item()).toBe(5);
  });

  it('matches a naive broadcasting reference on random shapes', () => {
    fc.assert(
      fc.property(broadcastCase(2), ([, [sa, sb]]) => {
        const va = iota(sa!, 3, 1);
        const vb = iota(sb!, 5, 2);
        const a = tensor(new Float32Array(va), sa);
        const b = tensor(new Float32Array(vb), sb);
        for (const [op, f] of [
          [add, (x: number, y: number) => x + y],
          [sub, (x: number, y: number) => x - y],
          [squaredDifference, (x: number, y: number) => (x - y) ** 2],
        ] as const) {
          const ref = broadcastReference([sa!, sb!], [va, vb], f);
          const got = op(a, b);
          expect(got.shape).toEqual(ref.shape);
          expect(Array.from(got.dataSync())).toEqual(ref.values);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('pow', () => {
    expectValues(pow([2, 3, 4, 2], [3, 2, 0.5, -1]), [8, 9, 2, 0.5]);
    // NumPy: a negative base to a non-integer power is nan.
    expectValues(pow([-8], [1 / 3]), [NaN]);
    const p = pow(int([2, 3, -2]), int([10, 3, 3]));
    expect(p.dtype).toBe('int32');
    expect(p.toArray()).toEqual([1024, 27, -8]);
    // Integer powers with negative exponents truncate toward zero, as documented: 2^-1 → 0, 1^-3 → 1.
    expect(pow(int([2, 1]), int([-1, -3])).toArray()).toEqual([0, 1]);
  });

  it('maximum and minimum propagate NaN like NumPy', () => {
    expectValues(maximum([1, 5, NaN], [2, 0, 0]), [2, 5, NaN]);
    expectValues(minimum([1, 5, NaN], [2, 0, 0]), [1, 0, NaN]);
    const m = maximum(int([1, 5]), 3);
    expect(m.dtype).toBe('int32');
    expect(m.toArray()).toEqual([3, 5]);
  });

  it('mod takes the sign of the divisor (Python/NumPy)', () => {
    // np.remainder([4, 7], [2, 3]) → [0, 1]; np.mod(-7, 3) = 2; np.mod(7, -3) = -2; np.mod(-7, -3) = -1.
    expectValues(mod([4, 7, -7, 7, -7], [2, 3, 3, -3, -3]), [0, 1, 2, -2, -1]);
    expectValues(mod([5.5, -5.5, 6], [2, 2, 3]), [1.5, 0.5, 0]);
    const m = mod(int([-7, 7, 6]), 3);
    expect(m.dtype).toBe('int32');
    expect(m.toArray()).toEqual([2, 1, 0]);
    // np.remainder(np.arange(7), 5) → [0, 1, 2, 3, 4, 0, 1].
    expect(mod(int([0, 1, 2, 3, 4, 5, 6]), 5).toArray()).toEqual([0, 1, 2, 3, 4, 0, 1]);
  });

  it('floorDiv', () => {
    // np.floor_divide([1., 2., 3., 4.], 2.5) → [0., 0., 1., 1.].
    expectValues(floorDiv([1, 2, 3, 4], 2.5), [0, 0, 1, 1]);
    const f = floorDiv(int([7, -7, 6, -1]), int([2, 2, -4, 3]));
    expect(f.dtype).toBe('int32');
    expect(f.toArray()).toEqual([3, -4, -2, -1]);
    // Extremes of int32 still floor exactly.
    expect(floorDiv(int([2147483647, -2147483648]), int([2, 3])).toArray()).toEqual([1073741823, -715827883]);
  });

  it('squaredDifference', () => {
    expectValues(squaredDifference([1, 5], [4, 1]), [9, 16]);
    expect(squaredDifference(int([[1], [3]]), int([0, 2])).toArray()).toEqual([[1, 1], [9, 1]]);
  });
});

describe('dtype rules', () => {
  it('upcasts: int+int → int32, int+float → float32, bool+bool → int32', () => {
    expect(add(int([1]), int([2])).dtype).toBe('int32');
    const mixed = add(int([1]), [0.5]);
    expect(mixed.dtype).toBe('float32');
    expect(mixed.item()).toBe(1.5);
    const bools = add([true, true], [true, false]);
    expect(bools.dtype).toBe('int32');
    expect(bools.toArray()).toEqual([2, 1]);
  });

  it('a JS number adopts the tensor dtype when it fits, on either side', () => {
    expect(add(int([1]), 1).dtype).toBe('int32');
    expect(add(1, int([1])).dtype).toBe('int32');
    expect(mul(int([3]), 0.5).dtype).toBe('float32');
    expect(mul(int([3]), 0.5).item()).toBe(1.5);
    expect(sub(2, int([1])).item()).toBe(1);
  });

  it('div always returns float32', () => {
    const d = div(int([7, -7]), int([2, 2]));
    expect(d.dtype).toBe('float32');
    expect(d.toArray()).toEqual([3.5, -3.5]);
  });

  it('int32 multiplication wraps like two’s complement', () => {
    // 65536 · 65536 = 2^32 ≡ 0, and 65537 · 65537 = 2^32 + 2^17 + 1 ≡ 131073 (mod 2^32).
    expect(mul(int([65536, 65537]), int([65536, 65537])).toArray()).toEqual([0, 131073]);
    expect(add(int([2147483647]), 1).item()).toBe(-2147483648);
  });
});

describe('comparisons', () => {
  it('produce bool and broadcast', () => {
    const x = [1, 2, 3];
    const e = equal(x, 2);
    expect(e.dtype).toBe('bool');
    expect(e.toArray()).toEqual([0, 1, 0]);
    expect(notEqual(x, 2).toArray()).toEqual([1, 0, 1]);
    expect(greater(x, 2).toArray()).toEqual([0, 0, 1]);
    expect(greaterEqual(x, 2).toArray()).toEqual([0, 1, 1]);
    expect(less(x, 2).toArray()).toEqual([1, 0, 0]);
    expect(lessEqual(x, 2).toArray()).toEqual([1, 1, 0]);
    expect(less([[1], [3]], [2, 4]).toArray()).toEqual([[1, 1], [0, 1]]);
  });

  it('compare across dtypes and NaN', () => {
    expect(equal(int([1, 2]), [1, 2.5]).toArray()).toEqual([1, 0]);
    expect(equal([true, false], [true, true]).toArray()).toEqual([1, 0]);
    expect(greater([true], [false]).toArray()).toEqual([1]);
    expect(equal([NaN], [NaN]).toArray()).toEqual([0]);
    expect(notEqual([NaN], [NaN]).toArray()).toEqual([1]);
  });
});

describe('logical ops', () => {
  it('and/or with broadcasting', () => {
    const a = [[true], [false]];
    const b = [true, false];
    const and = logicalAnd(a, b);
    expect(and.dtype).toBe('bool');
    expect(and.toArray()).toEqual([[1, 0], [0, 0]]);
    expect(logicalOr(a, b).toArray()).toEqual([[1, 1], [1, 0]]);
    expect(logicalOr(false, [false, true]).toArray()).toEqual([0, 1]);
  });

  it('require bool', () => {
    expect(() => logicalAnd([1, 0], [true, false])).toThrow('logicalAnd: both inputs must be bool tensors, got a: float32 and b: bool');
    expect(() => logicalOr([true], int([1]))).toThrow('logicalOr: both inputs must be bool tensors, got a: bool and b: int32');
  });
});

describe('where', () => {
  it('selects elementwise with broadcasting', () => {
    expect(where([true, false, true], [1, 2, 3], [10, 20, 30]).toArray()).toEqual([1, 20, 3]);
    expect(where([[true], [false]], [1, 2], 0).toArray()).toEqual([[1, 2], [0, 0]]);
    expect(where(true, 5, [1, 2]).toArray()).toEqual([5, 5]);
  });

  it('upcasts branches and keeps int32', () => {
    const w = where([true, false], int([1, 2]), 7);
    expect(w.dtype).toBe('int32');
    expect(w.toArray()).toEqual([1, 7]);
    const f = where([true, false], int([1, 2]), [0.5, 0.5]);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([1, 0.5]);
  });

  it('matches a naive reference for three-way broadcasting', () => {
    fc.assert(
      fc.property(broadcastCase(3), ([, [sc, sa, sb]]) => {
        const vc = iota(sc!, 7, 3).map((v) => (v % 2 === 0 ? 1 : 0));
        const va = iota(sa!, 3, 1);
        const vb = iota(sb!, 5, 2);
        const ref = broadcastReference([sc!, sa!, sb!], [vc, va, vb], (c, x, y) => (c ? x : y));
        const got = where(tensor(Uint8Array.from(vc), sc), tensor(new Float32Array(va), sa), tensor(new Float32Array(vb), sb));
        expect(got.shape).toEqual(ref.shape);
        expect(Array.from(got.dataSync())).toEqual(ref.values);
      }),
      { numRuns: 100 },
    );
  });

  it('requires a bool condition', () => {
    expect(() => where([1, 0], [1, 2], [3, 4])).toThrow('where: condition must be a bool tensor, got float32');
  });
});

describe('Tensor methods', () => {
  it('call the same ops', () => {
    const x = tensor([1, 2, 3]);
    expect(x.add(1).mul(2).sub([1, 1, 1]).toArray()).toEqual([3, 5, 7]);
    expect(x.div(2).toArray()).toEqual([0.5, 1, 1.5]);
    expect(x.greater(1).logicalAnd(x.less(3)).toArray()).toEqual([0, 1, 0]);
    expect(x.squaredDifference(2).toArray()).toEqual([1, 0, 1]);
  });
});

describe('errors', () => {
  it('shape mismatch names the op and both shapes', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(
      'add: shapes [2,3] and [4] cannot be broadcast together (dimension -1 is 3 vs 4; each pair must be equal or 1)',
    );
    expect(() => mul(zeros([2, 3]), zeros([3, 3]))).toThrow(/^mul: shapes \[2,3\] and \[3,3\] cannot be broadcast/);
    expect(() => equal(zeros([2]), zeros([3]))).toThrow(/^equal: shapes/);
    expect(() => where([true, false, true], zeros([2]), 0)).toThrow(/^where: shapes/);
  });

  it('kernels called directly reject mixed dtypes', () => {
    expect(() => runKernel('Add', [tensor([1]), int([1])], {})).toThrow(
      'Add: both inputs must have the same dtype (ops cast before dispatch), got float32 and int32',
    );
    expect(() => runKernel('Where', [tensor([1]), tensor([1]), tensor([1])], {})).toThrow('Where: condition must be bool, got float32');
  });

  it('bad argument types name the op and argument', () => {
    expect(() => add('1' as never, 1)).toThrow(/^add: argument 'a' must be a Tensor/);
    expect(() => sub(1, {} as never)).toThrow(/^sub: argument 'b' must be a Tensor/);
  });
});
