import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { arange } from './creation.js';
import type { StridedSliceOptions } from './strided-slice.js';
import { stridedSlice } from './strided-slice.js';

/** A Python/NumPy index entry: an integer, a slice, `None` (new axis) or `...`. */
type Entry = number | { start?: number | undefined; stop?: number | undefined; step?: number | undefined } | 'newaxis' | 'ellipsis';

/** The begin/end/strides/masks that TF's `x[...]` builds from a Python index expression. */
function encode(entries: readonly Entry[]): [number[], number[], number[], StridedSliceOptions] {
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const o = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
  entries.forEach((e, i) => {
    const bit = 1 << i;
    if (e === 'newaxis' || e === 'ellipsis') {
      begin.push(0); end.push(0); strides.push(1);
      if (e === 'newaxis') o.newAxisMask |= bit;
      else o.ellipsisMask |= bit;
    } else if (typeof e === 'number') {
      begin.push(e); end.push(e + 1); strides.push(1);
      o.shrinkAxisMask |= bit;
    } else {
      begin.push(e.start ?? 0); end.push(e.stop ?? 0); strides.push(e.step ?? 1);
      if (e.start === undefined) o.beginMask |= bit;
      if (e.stop === undefined) o.endMask |= bit;
    }
  });
  return [begin, end, strides, o];
}

/** Python's `slice(start, stop, step).indices(n)` turned into the list of positions. */
function slicePositions(n: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const adjust = (v: number, lo: number, hi: number): number => {
    const f = v < 0 ? v + n : v;
    return f < lo ? lo : f > hi ? hi : f;
  };
  const out: number[] = [];
  if (step > 0) {
    const a = start === undefined ? 0 : adjust(start, 0, n);
    const b = stop === undefined ? n : adjust(stop, 0, n);
    for (let i = a; i < b; i += step) out.push(i);
  } else {
    const a = start === undefined ? n - 1 : adjust(start, -1, n - 1);
    const b = stop === undefined ? -1 : adjust(stop, -1, n - 1);
    for (let i = a; i > b; i += step) out.push(i);
  }
  return out;
}

/** Naive NumPy basic indexing over nested arrays: returns the result's shape and flat values. */
function pythonIndex(values: number[], shape: readonly number[], entries: readonly Entry[]): { shape: number[]; values: number[] } {
  const named = entries.filter((e) => e !== 'newaxis' && e !== 'ellipsis').length;
  const at = entries.indexOf('ellipsis');
  const full: Entry = {};
  const fill = new Array<Entry>(Math.max(shape.length - named, 0)).fill(full);
  const expanded = at >= 0 ? [...entries.slice(0, at), ...fill, ...entries.slice(at + 1)] : [...entries, ...fill];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape: number[] = [];
  const out: number[] = [];
  // Build the output shape once, then walk all index combinations.
  const plan: ({ kind: 'new' } | { kind: 'int'; axis: number; i: number } | { kind: 'range'; axis: number; list: number[] })[] = [];
  let axis = 0;
  for (const e of expanded) {
    if (e === 'newaxis') { plan.push({ kind: 'new' }); outShape.push(1); continue; }
    const n = shape[axis]!;
    if (typeof e === 'number') plan.push({ kind: 'int', axis, i: e < 0 ? e + n : e });
    else if (e !== 'ellipsis') {
      const list = slicePositions(n, e.start, e.stop, e.step ?? 1);
      plan.push({ kind: 'range', axis, list });
      outShape.push(list.length);
    }
    axis++;
  }
  const walk = (p: number, offset: number): void => {
    if (p === plan.length) { out.push(values[offset]!); return; }
    const step = plan[p]!;
    if (step.kind === 'new') walk(p + 1, offset);
    else if (step.kind === 'int') walk(p + 1, offset + step.i * strides[step.axis]!);
    else for (const i of step.list) walk(p + 1, offset + i * strides[step.axis]!);
  };
  walk(0, 0);
  return { shape: outShape, values: outShape.includes(0) ? [] : out };
}

const run = (shape: number[], entries: Entry[]) => {
  const x = arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);
  return stridedSlice(x, ...encode(entries));
};

describe('stridedSlice', () => {
  const x = arange(12).reshape([3, 4]);
  const y = arange(24).reshape([2, 3, 4]);

  it('matches NumPy on hand-checked expressions', () => {
    // Values printed by NumPy 2.4 for the same expressions.
    expect(stridedSlice(x, [0, 3], [3, 0], [2, -1]).toArray()).toEqual([[3, 2, 1], [11, 10, 9]]); // x[0:3:2, 3:0:-1]
    expect(stridedSlice(x, [1], [2], [1], { shrinkAxisMask: 1 }).toArray()).toEqual([4, 5, 6, 7]); // x[1]
    expect(stridedSlice(x, [0, 0], [0, 0], [1, -1], { beginMask: 3, endMask: 3 }).toArray()).toEqual([[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]); // x[:, ::-1]
    expect(run([2, 3, 4], ['ellipsis', 1]).toArray()).toEqual([[1, 5, 9], [13, 17, 21]]); // y[..., 1]
    expect(run([2, 3, 4], ['newaxis', 1, 'ellipsis', { step: -2 }]).toArray()).toEqual([[[15, 13], [19, 17], [23, 21]]]); // y[None, 1, ..., ::-2]
    expect(run([2, 3, 4], [{ start: -1 }, 'newaxis', { start: 5, stop: 0, step: -2 }, 1]).toArray()).toEqual([[[21]]]); // y[-1:, None, 5:0:-2, 1]
    expect(run([2, 3, 4], [1, 'ellipsis', 'newaxis']).shape).toEqual([3, 4, 1]); // y[1, ..., None]
    expect(run([2, 5], [{ step: 2 }, -4]).toArray()).toEqual([1]); // x[::2, -4]
    expect(run([5, 2], [{ step: -2 }, 0]).toArray()).toEqual([8, 4, 0]); // x[::-2, 0]
  });

  it('clamps out-of-range bounds and gives empty results for empty ranges', () => {
    expect(stridedSlice(x, [-10, 2], [10, 100]).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(stridedSlice(x, [2], [1]).shape).toEqual([0, 4]);
    expect(stridedSlice(x, [0], [3], [-1]).shape).toEqual([0, 4]);
    expect(stridedSlice(tensor([], [0, 2]), [0], [5], [2]).shape).toEqual([0, 2]);
  });

  it('takes whole axes past the entries, keeps the dtype, and returns x for an empty spec', () => {
    expect(stridedSlice(y, [1], [2]).shape).toEqual([1, 3, 4]);
    expect(stridedSlice(tensor([1, 2, 3], undefined, 'int32'), [2], [0], [-1]).toArray()).toEqual([3, 2]);
    expect(stridedSlice(tensor([true, false]), [1], [2]).dtype).toBe('bool');
    expect(stridedSlice(y, [], [])).toBe(y);
    expect(stridedSlice(tensor(5), [0], [0], [1], { newAxisMask: 1 }).toArray()).toEqual([5]);
  });

  it('agrees with naive NumPy-style indexing on random expressions', () => {
    const entry: fc.Arbitrary<Entry> = fc.oneof(
      fc.integer({ min: -4, max: 3 }),
      fc.record({
        start: fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined }),
        stop: fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined }),
        step: fc.option(fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0), { nil: undefined }),
      }, { requiredKeys: [] }),
      fc.constant<Entry>('newaxis'),
      fc.constant<Entry>('ellipsis'),
    );
    const shapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });
    fc.assert(
      fc.property(shapeArb, fc.array(entry, { maxLength: 4 }), (shape, entries) => {
        const ellipses = entries.filter((e) => e === 'ellipsis').length;
        const named = entries.filter((e) => e !== 'newaxis' && e !== 'ellipsis');
        // Only well-formed NumPy expressions: one ellipsis, no more axes named than exist, integers in range.
        fc.pre(ellipses <= 1 && named.length <= shape.length);
        let axis = 0;
        for (const e of entries) {
          if (e === 'newaxis') continue;
          if (e === 'ellipsis') { axis += shape.length - named.length; continue; }
          if (typeof e === 'number') fc.pre(e >= -shape[axis]! && e < shape[axis]!);
          axis++;
        }
        const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
        const want = pythonIndex(values, shape, entries);
        const got = run(shape, entries);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.dataSync())).toEqual(want.values);
      }),
      { seed: 20261206, numRuns: 600 },
    );
  });

  it('refuses malformed specs, naming the op', () => {
    expect(() => stridedSlice(x, [0], [1, 2])).toThrow('stridedSlice: begin, end and strides must have the same length, got 1, 2 and 1');
    expect(() => stridedSlice(x, [0], [1], [0])).toThrow('stridedSlice: strides[0] must be non-zero');
    expect(() => stridedSlice(x, [3], [4], [1], { shrinkAxisMask: 1 })).toThrow('stridedSlice: begin[0] = 3 is out of range for axis 0 of size 3 (it is shrunk, so it must be in [-3, 3))');
    expect(() => stridedSlice(x, [1], [0], [-1], { shrinkAxisMask: 1 })).toThrow('stridedSlice: entry 0 shrinks axis 0 (shrinkAxisMask), so its stride must be positive, got -1');
    expect(() => stridedSlice(x, [0, 0], [1, 1], [1, 1], { ellipsisMask: 3 })).toThrow('stridedSlice: ellipsisMask may have only one bit set among the 2 entries, got 3 (entries 0, 1)');
    expect(() => stridedSlice(x, [0, 0, 0], [1, 1, 1])).toThrow(/stridedSlice: too many entries for x of shape \[3,4\]: entry 2 would index axis 2/);
    expect(() => stridedSlice(x, [0.5], [1])).toThrow('stridedSlice: begin must be an array of integers, got [0.5]');
    expect(() => stridedSlice(x, [0], [1], [1], { beginMask: -1 })).toThrow('stridedSlice: beginMask must be a non-negative 32-bit integer bit mask, got -1');
  });
});
