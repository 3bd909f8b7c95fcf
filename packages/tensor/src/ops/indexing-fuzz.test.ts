/**
 * Fuzz (as in src/fuzz.test.ts, issue 13) for the sorting, N-d indexing, strided-slice, unique and
 * categorical ops: hostile arguments must either give a well-formed tensor or throw an Error whose
 * message starts with the op's name and is none of the engine's unclear errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { categorical } from './categorical.js';
import { tensor } from './convert.js';
import { gatherND, scatterND, tensorScatterAdd, tensorScatterUpdate } from './scatter-nd.js';
import { argsort, sort, topk } from './sort.js';
import { stridedSlice } from './strided-slice.js';
import { unique } from './unique.js';

const UNCLEAR = [
  /Invalid typed array length/, /Maximum call stack size exceeded/, /Cannot read properties/, /is not a function/,
  /is not iterable/, /Cannot convert/, /\[object Object\]/, /Array buffer allocation failed/, /Invalid array length/,
];

function wellFormed(r: Tensor): void {
  expect(r.shape.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  expect(r.dataSync().length).toBe(r.shape.reduce((a, b) => a * b, 1));
}

/** Run `fn`: a result must be well formed, an error must be an Error naming `op` clearly. */
function clear(op: string, fn: () => Tensor | { values: Tensor; indices: Tensor }, args: unknown[]): void {
  let result: Tensor | { values: Tensor; indices: Tensor };
  try {
    result = fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const where = `${op}(${JSON.stringify(args, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))})`;
    expect(e instanceof Error, `${where} threw a non-Error`).toBe(true);
    expect(msg.startsWith(`${op}:`), `${where}: message does not name the op: ${msg}`).toBe(true);
    expect(UNCLEAR.some((re) => re.test(msg)), `${where}: unclear message: ${msg}`).toBe(false);
    return;
  }
  const list = 'values' in result ? [result.values, result.indices] : [result];
  list.forEach(wellFormed);
}

const hostile = fc.oneof(
  fc.integer({ min: -6, max: 6 }),
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 2.5, -0, 2 ** 31, 1e300, '3', null, undefined, true, {}, [1], [[1]]),
);
const hostileList = fc.oneof(fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 4 }), fc.array(hostile, { maxLength: 4 }), hostile);
const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
const xArb = shapeArb.map((s) => {
  const n = s.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2), s);
});
const any = (v: unknown): never => v as never;
const opts = { seed: 20261206, numRuns: Number(process.env.FUZZ_RUNS ?? 150) };

describe('fuzz: sort, topk, argsort, unique', () => {
  it('hostile k, axis and options', () => {
    fc.assert(fc.property(xArb, hostile, hostile, hostile, (x, k, axis, desc) => {
      clear('topk', () => topk(x, any(k), any(typeof desc === 'boolean' ? desc : true)), [x.shape, k]);
      clear('sort', () => sort(x, any({ axis, descending: desc })), [x.shape, axis, desc]);
      clear('argsort', () => argsort(x, any(axis === null ? null : { axis })), [x.shape, axis]);
      clear('unique', () => unique(x, any(axis)), [x.shape, axis]);
    }), opts);
  });
});

describe('fuzz: gatherND, scatterND, tensorScatterAdd/Update', () => {
  it('hostile indices, updates and shapes', () => {
    const idxArb = fc.oneof(
      fc.array(fc.array(fc.integer({ min: -2, max: 4 }), { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
      hostileList,
    );
    fc.assert(fc.property(xArb, idxArb, hostileList, hostileList, (x, idx, upd, shape) => {
      clear('gatherND', () => gatherND(x, any(idx)), [x.shape, idx]);
      clear('scatterND', () => scatterND(any(idx), any(upd), any(shape)), [idx, upd, shape]);
      clear('tensorScatterAdd', () => tensorScatterAdd(x, any(idx), any(upd)), [x.shape, idx, upd]);
      clear('tensorScatterUpdate', () => tensorScatterUpdate(x, any(idx), any(upd)), [x.shape, idx, upd]);
    }), opts);
  });
});

describe('fuzz: stridedSlice and categorical', () => {
  it('hostile begin/end/strides/masks and sampling arguments', () => {
    fc.assert(fc.property(xArb, hostileList, hostileList, hostileList, hostile, hostile, (x, b, e, s, mask, n) => {
      clear('stridedSlice', () => stridedSlice(x, any(b), any(e), any(s), any({ beginMask: mask, shrinkAxisMask: n, newAxisMask: mask })), [x.shape, b, e, s, mask, n]);
      clear('categorical', () => categorical(x, any(n), any(mask)), [x.shape, n, mask]);
    }), opts);
  });
});
