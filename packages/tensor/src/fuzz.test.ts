/**
 * Fuzz tests (issue 13): hostile shapes and arguments for the tensor ops. Every call must either
 * succeed with a result that passes a cheap property check, or throw an Error whose message starts
 * with the op's name and is none of the "unclear" kinds (engine TypeErrors, typed-array length
 * errors, stack overflows, `undefined` where a value belongs). Fixed seed; FUZZ_RUNS raises numRuns
 * (packages/models/scripts/fuzz.ts runs thousands).
 */
import { fuzzHarness, tensorOracle, type KnownDefect } from '@descent/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, arange, concat, div, equal, eye, full, gather, linspace, matMul, max, mean, mul, oneHot, ones, pad,
  dispose, randomNormal, randomUniform, reshape, slice, sub, sum, tensor, transpose, withScope, zeros, type Tensor,
} from './index.js';

/**
 * Known open defects found by this fuzz suite (issue 13). Each is reported, not fixed here; a
 * violation matching one is counted under `known` instead of failing, so the suite stays green and
 * any *new* defect still fails. Remove an entry once its defect is fixed.
 */
const KNOWN_DEFECTS: readonly KnownDefect[] = [
];
const fz = fuzzHarness({ suite: 'tensor', knownDefects: KNOWN_DEFECTS });
const { body, opts } = fz;

/** Runs `fn` in a scope: a result must have a whole shape, a matching size and data, and pass `check`. */
const oracle = tensorOracle<Tensor>(fz, { withScope, dispose });

const hostileNum = fc.oneof(
  fc.integer({ min: -3, max: 6 }),
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1e9, -1, 2.5, -0, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e300),
  fc.constantFrom<unknown>('3', 'abc', null, undefined, [2], {}, true, [[1]]),
);
const validShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const hostileShape = fc.oneof(
  { weight: 3, arbitrary: validShape },
  { weight: 3, arbitrary: fc.array(hostileNum, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 'abc', 5, [1e9, 1e9], [1e5, 1e5, 1e5], [[2]], {}, [2, 3, 4, 5, 6, 7, 8, 9, 2]) },
);
const isValidShape = (s: unknown): s is number[] =>
  Array.isArray(s) && s.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0);
/**
 * A valid shape of more than 1e6 but at most 2^31 - 1 elements (e.g. zeros([1e9, 2], 'bool'): 2 GB, within
 * the engine's per-tensor byte limit) is legitimately allocated and takes seconds; such cases are skipped.
 */
const legitHuge = (s: unknown): boolean =>
  isValidShape(s) && s.reduce((a: number, b: number) => a * b, 1) > 1e6 && s.reduce((a: number, b: number) => a * b, 1) <= 2147483647;
const dtypeArb = fc.constantFrom<unknown>('float32', 'int32', 'bool', undefined, 'float64', 'complex64', 3, null);
const finite = (r: Tensor): void => { expect(r.dataSync().every((v) => Number.isFinite(v)), 'non-finite value from finite inputs').toBe(true); };
const sameShape = (want: readonly number[]) => (r: Tensor): void => {
  expect(r.shape.length === want.length && r.shape.every((d, i) => d === want[i]), `shape ${String(r.shape)}, expected ${String(want)}`).toBe(true);
};

/** A small real tensor of the given valid shape with finite values. */
const tensorArb = (shape: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 })) =>
  shape.chain((s) => fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), {
    minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1),
  }).map((v) => ({ shape: s, values: v })));
const mk = (t: { shape: number[]; values: number[] }): Tensor => tensor(t.values, t.shape);

const any = (...xs: unknown[]): never => xs as never; // hostile values go through the typed API untyped

describe('fuzz: creation ops', () => {
  it('zeros / ones / full with hostile shapes, dtypes and values', () => {
    fc.assert(fc.property(hostileShape, dtypeArb, hostileNum, body((shape, dtype, value) => {
      if (legitHuge(shape)) return;
      oracle('zeros', ['zeros', 'full'], () => zeros(any(shape)[0], any(dtype)[0]), (r) => {
        expect(isValidShape(shape), `accepted shape ${JSON.stringify(shape)}`).toBe(true);
        sameShape(shape as number[])(r);
        expect(r.dataSync().every((v) => v === 0), 'zeros holds a non-zero').toBe(true);
      });
      oracle('ones', ['ones', 'full'], () => ones(any(shape)[0], any(dtype)[0]), (r) => {
        expect(isValidShape(shape)).toBe(true);
        expect(r.dataSync().every((v) => v === 1), 'ones holds a non-one').toBe(true);
      });
      oracle('full', ['full'], () => full(any(shape)[0], any(value)[0], any(dtype)[0]), (r) => {
        expect(isValidShape(shape)).toBe(true);
        sameShape(shape as number[])(r);
        if (typeof value === 'number' && Number.isFinite(value) && r.dtype === 'float32') {
          expect(r.dataSync().every((v) => v === Math.fround(value)), 'full holds another value').toBe(true);
        }
      });
    })), opts);
  });

  it('eye / arange / linspace / oneHot with hostile arguments', () => {
    fc.assert(fc.property(hostileNum, hostileNum, hostileNum, dtypeArb, body((a, b, c, dtype) => {
      oracle('eye', ['eye'], () => eye(any(a)[0], any(b)[0], any(dtype)[0]), (r) => {
        expect(r.rank).toBe(2);
        expect(r.shape[0] === a).toBe(true);
      });
      // A valid but huge range (e.g. arange(-1, 1e9, 2.5): 4e8 elements, 1.6 GB, within the engine's
      // per-tensor byte limit) is legitimately built and takes seconds; such cases are skipped to keep runs fast.
      const [s0, s1] = b === undefined ? [0, a] : [a, b];
      const step = c === undefined ? 1 : c;
      const count = typeof s0 === 'number' && typeof s1 === 'number' && typeof step === 'number' ? Math.abs((s1 - s0) / step) : 0;
      if (!(count > 1e6)) oracle('arange', ['arange'], () => arange(any(a)[0], any(b)[0], any(c)[0]), (r) => {
        expect(r.rank).toBe(1);
        finite(r);
        expect(r.size).toBeLessThanOrEqual(1e7);
      });
      oracle('linspace', ['linspace'], () => linspace(any(a)[0], any(b)[0], any(c)[0]), (r) => {
        expect(r.rank).toBe(1);
        expect(r.size === c).toBe(true);
        finite(r);
      });
      oracle('oneHot', ['oneHot'], () => oneHot(tensor([0, 1, 2], [3], 'int32'), any(a)[0], any(b)[0], any(c)[0]), (r) => {
        sameShape([3, a as number])(r);
      });
    })), opts);
  });

  it('randomUniform / randomNormal with hostile shapes and parameters', () => {
    fc.assert(fc.property(hostileShape, hostileNum, hostileNum, dtypeArb, body((shape, p, q, dtype) => {
      if (legitHuge(shape)) return;
      oracle('randomUniform', ['randomUniform'], () => randomUniform(any(shape)[0], any(p)[0], any(q)[0], any(dtype)[0], 1), (r) => {
        expect(isValidShape(shape)).toBe(true);
        finite(r);
      });
      oracle('randomNormal', ['randomNormal'], () => randomNormal(any(shape)[0], any(p)[0], any(q)[0], any(dtype)[0], 1), (r) => {
        expect(isValidShape(shape)).toBe(true);
        finite(r);
      });
    })), opts);
  });

  it('tensor() with hostile values, shapes and dtypes', () => {
    const values = fc.oneof(
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), hostileNum), { maxLength: 8 }),
      fc.constantFrom<unknown>(null, undefined, 'abc', 5, NaN, [[1, 2], [3]], [[1], 2], [[[[[[[[[[1]]]]]]]]]], {}, new Float64Array(3), [true, false]),
    );
    fc.assert(fc.property(values, fc.oneof(fc.constant(undefined), hostileShape), dtypeArb, body((v, shape, dtype) => {
      oracle('tensor', ['tensor'], () => tensor(any(v)[0], any(shape)[0], any(dtype)[0]), () => undefined);
    })), opts);
  });
});

describe('fuzz: binary ops, reductions, shape ops, matMul', () => {
  it('elementwise binary ops broadcast or refuse clearly', () => {
    fc.assert(fc.property(tensorArb(), tensorArb(), body((x, y) => {
      const expected = broadcast(x.shape, y.shape);
      for (const [name, op] of [['add', add], ['sub', sub], ['mul', mul], ['div', div], ['equal', equal]] as const) {
        oracle(name, [name], () => op(mk(x), mk(y)), (r) => {
          expect(expected, `${name} broadcast ${String(x.shape)} with ${String(y.shape)}`).not.toBeNull();
          sameShape(expected!)(r);
          if (name !== 'div') finite(r);
        });
      }
    })), opts);
  });

  it('reductions with hostile axis / keepDims', () => {
    const axisArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }), hostileNum);
    fc.assert(fc.property(tensorArb(), axisArb, fc.constantFrom<unknown>(true, false, undefined, 'yes', 1), body((x, axis, keep) => {
      for (const [name, op] of [['sum', sum], ['mean', mean], ['max', max]] as const) {
        oracle(name, [name], () => op(mk(x), any(axis)[0], any(keep)[0]), (r) => {
          finite(r);
          if (keep === true) expect(r.rank).toBe(x.shape.length);
        });
      }
    })), opts);
  });

  it('reshape / transpose / slice / concat / gather / pad with hostile arguments', () => {
    const intList = fc.oneof(fc.array(fc.integer({ min: -3, max: 6 }), { maxLength: 5 }), fc.array(hostileNum, { maxLength: 4 }), hostileNum);
    fc.assert(fc.property(tensorArb(), tensorArb(), intList, intList, hostileNum, body((x, y, l1, l2, n) => {
      oracle('reshape', ['reshape'], () => reshape(mk(x), any(l1)[0]), (r) => {
        expect(r.size).toBe(x.values.length);
        expect(Array.isArray(l1)).toBe(true);
      });
      oracle('transpose', ['transpose'], () => transpose(mk(x), any(l1)[0]), (r) => {
        expect(r.rank).toBe(x.shape.length);
        expect(r.size).toBe(x.values.length);
      });
      oracle('slice', ['slice'], () => slice(mk(x), any(l1)[0], any(l2)[0]), (r) => {
        expect(r.size).toBeLessThanOrEqual(x.values.length);
        finite(r);
      });
      oracle('concat', ['concat'], () => concat([mk(x), mk(y)], any(n)[0]), (r) => {
        expect(r.size).toBe(x.values.length + y.values.length);
      });
      const idx = tensor(Array.isArray(l2) && l2.every((v) => Number.isInteger(v) && Math.abs(v as number) < 100) ? (l2 as number[]) : [0], undefined, 'int32');
      oracle('gather', ['gather'], () => gather(mk(x), idx, any(n)[0]), (r) => finite(r));
      dispose(idx);
      const pads: unknown = Array.isArray(l1) ? (l1 as unknown[]).map((v): unknown[] => [v, n as unknown]) : l1;
      oracle('pad', ['pad'], () => pad(mk(x), any(pads)[0], any(n)[0]), (r) => {
        expect(r.rank).toBe(x.shape.length);
        expect(r.size).toBeGreaterThanOrEqual(x.values.length);
      });
    })), opts);
  });

  it('matMul with mismatched shapes and hostile transpose flags', () => {
    fc.assert(fc.property(tensorArb(), tensorArb(), fc.constantFrom<unknown>(true, false, undefined, 'yes', 0), fc.constantFrom<unknown>(true, false, 1), body((x, y, ta, tb) => {
      oracle('matMul', ['matMul'], () => matMul(mk(x), mk(y), any(ta)[0], any(tb)[0]), (r) => {
        expect(x.shape.length).toBeGreaterThanOrEqual(2);
        expect(y.shape.length).toBeGreaterThanOrEqual(2);
        finite(r);
      });
    })), opts);
  });

  it('summary', () => {
    fz.summary();
  });
});

function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}
