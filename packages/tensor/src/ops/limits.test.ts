import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, checkAllocation, getBackend, runKernel } from '../engine.js';
import { MAX_RANK } from '../shape.js';
import { add, where } from './binary.js';
import { tensor } from './convert.js';
import { arange, eye, full, linspace, oneHot, zeros } from './creation.js';
import { dot, matMul } from './matmul.js';
import { bernoulli, randomNormal, randomUniform, truncatedNormal } from './random.js';
import { broadcastTo, concat, pad, tile } from './movement.js';

/** Run `fn`, expect it to throw `pattern`, and return how long it took (ms). */
function refusal(fn: () => unknown, pattern: RegExp): number {
  const t0 = performance.now();
  expect(fn).toThrow(pattern);
  return performance.now() - t0;
}

const limit = (): number => getBackend().maxBytes ?? DEFAULT_MAX_BYTES;

describe('huge allocations are refused up front, naming the op, the shape and the bytes', () => {
  it('zeros([1e9]) fails in milliseconds instead of filling 4 GB first', () => {
    const ms = refusal(() => zeros([1e9]), /^zeros: shape \[1000000000\] of float32 needs 4000000000 bytes \(1000000000 elements × 4\), more than the \d+ bytes the \w+ backend allows per tensor$/);
    expect(ms).toBeLessThan(100);
  });

  it('randomNormal([30000, 30000]) fails in milliseconds instead of sampling 3.6 GB', () => {
    const ms = refusal(() => randomNormal([30000, 30000]), /^randomNormal: shape \[30000,30000\] of float32 needs 3600000000 bytes/);
    expect(ms).toBeLessThan(100);
  });

  it('the creation ops that used to hit "Invalid typed array length" say what was asked', () => {
    expect(() => full([1e6, 1e6], 1)).toThrow(/^full: shape \[1000000,1000000\] of float32 needs 4000000000000 bytes/);
    expect(() => eye(1e6)).toThrow(/^eye: shape \[1000000,1000000\] of float32 needs 4000000000000 bytes/);
    expect(() => arange(0, 1e12)).toThrow(/^arange: shape \[1000000000000\] of int32 needs 4000000000000 bytes/);
    expect(() => linspace(0, 1, 1e12)).toThrow(/^linspace: shape \[1000000000000\] of float32 needs/);
    expect(() => oneHot(tensor([1, 2], [2], 'int32'), 2e9)).toThrow(/^oneHot: shape \[2,2000000000\] of float32 needs 16000000000 bytes/);
    expect(() => randomUniform([1e5, 1e5])).toThrow(/^randomUniform: shape \[100000,100000\] of float32 needs 40000000000 bytes/);
    expect(() => truncatedNormal([1e5, 1e5])).toThrow(/^truncatedNormal: shape \[100000,100000\]/);
    expect(() => bernoulli([1e5, 1e5], 0.5)).toThrow(/^bernoulli: shape \[100000,100000\]/);
  });

  it('an element count beyond a safe integer is refused, not rounded', () => {
    expect(() => zeros([1e10, 1e10])).toThrow(/^zeros: shape \[10000000000,10000000000\] has 100000000000000000000 elements, more than any tensor can hold/);
  });

  it('ops whose output would be huge refuse before the kernel allocates', () => {
    const col = zeros([100000, 1]);
    const row = zeros([1, 100000]);
    expect(() => broadcastTo(tensor([1]), [1e5, 1e5])).toThrow(/^broadcastTo: shape \[100000,100000\] of float32 needs 40000000000 bytes/);
    expect(() => matMul(col, row)).toThrow(/^matMul: shape \[100000,100000\] of float32 needs 40000000000 bytes/);
    expect(() => dot(col, row)).toThrow(/^dot: shape \[100000,100000\] of float32 needs/);
    expect(() => add(col, row)).toThrow(/^add: shape \[100000,100000\] of float32 needs/);
    expect(() => where(tensor([true]), col, row)).toThrow(/^where: shape \[100000,100000\] of float32 needs/);
    expect(() => tile(col, [1, 100000])).toThrow(/^tile: shape \[100000,100000\] of float32 needs/);
    expect(() => pad(col, [[0, 0], [0, 99999]])).toThrow(/^pad: shape \[100000,100000\] of float32 needs/);
    expect(() => concat(Array.from({ length: 6 }, () => broadcastTo(tensor([1]), [1e8])))).toThrow(/^concat: shape \[600000000\] of float32 needs 2400000000 bytes/);
  });

  it('CPU kernels reached directly (as gradients do) refuse a huge output the same way', () => {
    if (getBackend().name !== 'cpu') return;
    const one = tensor([[1]]);
    expect(() => runKernel('BroadcastTo', [one], { shape: [1e5, 1e5] })).toThrow(/^BroadcastTo: shape \[100000,100000\] of float32 needs 40000000000 bytes \(10000000000 elements × 4\), more than the 2147483647 bytes the cpu backend allows per tensor$/);
    expect(() => runKernel('MatMul', [zeros([1e5, 1]), zeros([1, 1e5])], { transposeA: false, transposeB: false })).toThrow(/^MatMul: shape \[100000,100000\] of float32 needs/);
    expect(() => runKernel('Add', [zeros([1e5, 1]), zeros([1, 1e5])], {})).toThrow(/^Add: shape \[100000,100000\] of bool needs 10000000000 bytes/);
    expect(() => runKernel('Tile', [one], { reps: [1e5, 1e5] })).toThrow(/^Tile: shape \[100000,100000\]/);
  });

  it('bool takes one byte per element, the others four; the limit is the backend\'s', () => {
    const max = limit();
    const n = Math.floor(max / 4) + 1;
    expect(() => checkAllocation('op', [n], 'float32')).toThrow(`op: shape [${n}] of float32 needs ${n * 4} bytes (${n} elements × 4), more than the ${max} bytes`);
    expect(checkAllocation('op', [n], 'bool')).toBe(n);
    expect(checkAllocation('op', [2, 3], 'int32')).toBe(6);
    expect(checkAllocation('op', [], 'float32')).toBe(1);
    expect(checkAllocation('op', [0, 1e12], 'float32')).toBe(0);
  });

  it('bad shape entries are refused with the shape as given (NaN shown as NaN)', () => {
    expect(() => zeros([2, NaN])).toThrow('zeros: shape entries must be non-negative integers, got [2,NaN]');
    expect(() => zeros([2, -1])).toThrow('zeros: shape entries must be non-negative integers, got [2,-1]');
    expect(() => zeros([1.5])).toThrow('zeros: shape entries must be non-negative integers, got [1.5]');
    expect(() => zeros(['2'] as never)).toThrow('zeros: shape entries must be non-negative integers, got ["2"]');
    expect(() => zeros(3 as never)).toThrow('zeros: shape must be an array of non-negative integers, got 3');
  });
});

describe('rank is bounded', () => {
  const nest = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };

  it(`a 10,000-deep nested array gives a clear error, not "Maximum call stack size exceeded"`, () => {
    expect(() => tensor(nest(10000) as never)).toThrow(`tensor: nested arrays are more than ${MAX_RANK} levels deep; a tensor may have at most ${MAX_RANK} axes`);
    expect(() => tensor(nest(10000) as never, undefined, 'int32')).toThrow(/more than 64 levels deep/);
  });

  it(`rank ${MAX_RANK} is accepted, rank ${MAX_RANK + 1} refused, for nested arrays and shapes alike`, () => {
    const t = tensor(nest(MAX_RANK) as never);
    expect(t.rank).toBe(MAX_RANK);
    expect(t.item()).toBe(1);
    expect(() => tensor(nest(MAX_RANK + 1) as never)).toThrow(/more than 64 levels deep/);
    expect(zeros(new Array<number>(MAX_RANK).fill(1)).rank).toBe(MAX_RANK);
    expect(() => zeros(new Array<number>(MAX_RANK + 1).fill(1))).toThrow(`zeros: a tensor may have at most ${MAX_RANK} axes, got shape of rank ${MAX_RANK + 1}`);
  });
});
