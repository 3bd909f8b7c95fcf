import { describe, expect, it } from 'vitest';
import { float32Bits } from './bits.js';
import { expectClose } from './close.js';
import { withHolderCounts } from './counting.js';
import { fuzzHarness } from './fuzz.js';
import { tensorOracle } from './tensor-oracle.js';
import { mulberry32, seededFloats } from './random.js';

describe('expectClose', () => {
  it('a number tolerance is absolute below 1 and relative above', () => {
    expectClose([0.5, 1000], [0.5 + 9e-6, 1000 + 9e-3]);
    expect(() => expectClose([0.5], [0.5 + 2e-5])).toThrow(/value\[0\]: got 0.5, expected 0.50002/);
    expect(() => expectClose([1000], [1000 + 2e-2])).toThrow(/tolerance 0.01/);
  });

  it('options: atol + rtol·|e| by default, max with combine', () => {
    expectClose([10.14], [10], { atol: 0.05, rtol: 0.01 }); // bound 0.15
    expect(() => expectClose([10.14], [10], { atol: 0.05, rtol: 0.01, combine: 'max' })).toThrow(/tolerance 0.1\b/);
    expect(() => expectClose([1e-7], [0], { rtol: 1, label: 'w' })).toThrow(/^w\[0\]/);
  });

  it('tensors, references with shapes, scalars, lengths and non-finite values', () => {
    const t = { shape: [2], dataSync: () => new Float32Array([1, 2]) };
    expectClose(t, { shape: [2], values: [1, 2] });
    expect(() => expectClose(t, { shape: [1, 2], values: [1, 2] })).toThrow(/shape/);
    expectClose(3, 3);
    expect(() => expectClose([1, 2], [1])).toThrow(/length/);
    expectClose([NaN, Infinity, -Infinity], [NaN, Infinity, -Infinity]);
    expect(() => expectClose([1], [NaN])).toThrow(/expected NaN/);
    expect(() => expectClose([NaN], [1])).toThrow(/got NaN/);
    expect(() => expectClose([Infinity], [1])).toThrow(/got Infinity/);
  });
});

describe('mulberry32', () => {
  it('is the published generator: fixed first values for seed 1, uniform in [0, 1)', () => {
    const next = mulberry32(1);
    // The first outputs for seed 1, as the inline copy this replaced (backend-wasm compare.ts seeded()) gave them.
    expect(next()).toBeCloseTo(0.6270739405881613, 15);
    expect(next()).toBeCloseTo(0.002735721180215478, 15);
    const xs = seededFloats(1000, 7, -2, 3);
    expect(xs.every((x) => x >= -2 && x < 3)).toBe(true);
    expect(seededFloats(5, 7, -2, 3)).toEqual(xs.slice(0, 5));
  });
});

describe('withHolderCounts', () => {
  it('counts holders per storage and forgets a storage whose last holder lets go', () => {
    class Base {
      readonly kind = 'base';
    }
    const b = new (withHolderCounts(Base))();
    const id = {};
    b.retainData(id);
    b.retainData(id);
    b.disposeData(id);
    expect(b.live).toBe(1);
    expect(b.alive({ dataId: id })).toBe(true);
    b.disposeData(id);
    expect(b.live).toBe(0);
    expect(b.kind).toBe('base');
  });
});

describe('fuzzHarness', () => {
  it('accepts a clear error, refuses unclear and unnamed ones and bad results', () => {
    const h = fuzzHarness({ suite: 'self', allowInstanceName: true });
    h.oracle('f', ['f'], () => { throw new Error("f: bad option 'x'"); }, () => {});
    h.oracle('f', ['F'], () => { throw new Error("F 'f_1': bad input"); }, () => {});
    expect(() => h.oracle('f', ['f'], () => { throw new TypeError('Cannot read properties of undefined'); }, () => {})).toThrow(/unclear TypeError/);
    expect(() => h.oracle('f', ['f'], () => { throw new Error('bad input'); }, () => {})).toThrow(/does not name f/);
    expect(() => h.oracle('f', ['f'], () => 1, (r) => expect(r).toBe(2))).toThrow(/succeeded with a bad result/);
    expect(h.stats.f).toEqual({ ok: 1, err: 4 });
  });

  it('counts a known defect instead of failing', async () => {
    const h = fuzzHarness({ suite: 'self', knownDefects: [{ id: 'K1', props: ['g'], match: /does not name/ }] });
    await h.oracleAsync('g', ['g'], () => Promise.reject(new Error('oops')), () => {});
    await expect(h.oracleAsync('h', ['h'], () => Promise.reject(new Error('oops')), () => {})).rejects.toThrow(/does not name h/);
  });
});

describe('tensorOracle', () => {
  it('checks shape, size and data length of every result, runs the check in a scope and disposes', () => {
    const t = (shape: number[], size: number, n: number) => ({ shape, size, dataSync: () => new Float32Array(n) });
    let scopes = 0;
    const disposed: unknown[] = [];
    const ops = { withScope: <R>(fn: () => R): R => (scopes++, fn()), dispose: (x: unknown) => void disposed.push(x) };
    const oracle = tensorOracle(fuzzHarness({ suite: 'self' }), ops);
    const seen: number[] = [];
    oracle('p', ['p'], () => [t([2, 3], 6, 6), t([], 1, 1)], (r) => void seen.push(r.size));
    expect([scopes, seen, disposed.length]).toEqual([1, [6, 1], 1]);
    expect(() => oracle('p', ['p'], () => t([2, 3], 5, 5), () => {})).toThrow(/size is not the product of the shape/);
    expect(() => oracle('p', ['p'], () => t([2, 3], 6, 4), () => {})).toThrow(/data length is not the size/);
    expect(() => oracle('p', ['p'], () => t([2, -1], -2, 0), () => {})).toThrow(/bad shape 2,-1/);
    expect(() => oracle('p', ['p'], () => t([1], 1, 1), () => expect(1).toBe(2))).toThrow(/succeeded with a bad result/);
    expect(disposed.length).toBe(5);
  });
});

describe('float32Bits', () => {
  it('gives the IEEE-754 single-precision patterns of tensor values or arrays (1, −0, NaN, −2 by hand)', () => {
    expect(Array.from(float32Bits([1, -0, NaN, -2]))).toEqual([0x3f800000, 0x80000000, 0x7fc00000, 0xc0000000]);
    expect(float32Bits({ dataSync: () => new Float32Array([1, -0]) })).toEqual(new Uint32Array([0x3f800000, 0x80000000]));
  });
});
