import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { arange, eye, full, linspace, oneHot, ones, onesLike, scalar, zeros, zerosLike } from './creation.js';

describe('scalar, zeros, ones, full', () => {
  it('scalar', () => {
    const s = scalar(3);
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('float32');
    expect(s.item()).toBe(3);
    expect(scalar(true).dtype).toBe('bool');
    expect(scalar(true).item()).toBe(1);
    expect(scalar(-2, 'int32').dtype).toBe('int32');
    expect(() => scalar('1' as never)).toThrow('scalar: expected a number or boolean, got string');
  });

  it('zeros and ones', () => {
    const z = zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(ones([2], 'int32').toArray()).toEqual([1, 1]);
    expect(ones([2], 'int32').dtype).toBe('int32');
    expect(ones([1], 'bool').toArray()).toEqual([1]);
    expect(zeros([0, 4]).size).toBe(0);
    expect(zeros([]).shape).toEqual([]);
  });

  it('full', () => {
    expect(full([2, 2], 7).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(full([3], 2, 'int32').dtype).toBe('int32');
    expect(full([2], 5, 'bool').toArray()).toEqual([1, 1]);
    expect(full([2], 0, 'bool').toArray()).toEqual([0, 0]);
  });

  it('zerosLike and onesLike keep shape and dtype', () => {
    const x = tensor([[1, 2, 3]], undefined, 'int32');
    const z = zerosLike(x);
    expect(z.shape).toEqual([1, 3]);
    expect(z.dtype).toBe('int32');
    expect(z.toArray()).toEqual([[0, 0, 0]]);
    const o = onesLike(tensor([true, false]));
    expect(o.dtype).toBe('bool');
    expect(o.toArray()).toEqual([1, 1]);
  });

  it('reject bad shapes and dtypes, naming the op', () => {
    expect(() => zeros([2, -1])).toThrow('zeros: shape entries must be non-negative integers, got [2,-1]');
    expect(() => ones([1.5])).toThrow('ones: shape entries must be non-negative integers, got [1.5]');
    expect(() => full([2], 1, 'float16' as never)).toThrow(`full: dtype must be 'float32', 'int32' or 'bool', got "float16"`);
  });
});

describe('eye', () => {
  it('square and rectangular identities', () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(2, 2, 'int32').dtype).toBe('int32');
    expect(eye(0).shape).toEqual([0, 0]);
  });

  it('validates sizes', () => {
    expect(() => eye(-1)).toThrow('eye: n must be a non-negative integer, got -1');
    expect(() => eye(2, 1.5)).toThrow('eye: m must be a non-negative integer, got 1.5');
  });
});

describe('arange', () => {
  it('counts like NumPy', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(0).shape).toEqual([0]);
    expect(arange(3, 1).shape).toEqual([0]);
  });

  it('fractional steps give float32', () => {
    const a = arange(1, 2, 0.25);
    expect(a.dtype).toBe('float32');
    expect(a.toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    // np.arange(0, 1, 0.1) has 10 elements.
    expect(arange(0, 1, 0.1).size).toBe(10);
    expect(arange(3, undefined, 1, 'float32').dtype).toBe('float32');
  });

  it('validates arguments', () => {
    expect(() => arange(0, 5, 0)).toThrow('arange: step must not be 0');
    expect(() => arange(0, Infinity)).toThrow('arange: stop must be a finite number, got Infinity');
  });
});

describe('linspace', () => {
  it('includes both ends', () => {
    const l = linspace(0, 1, 5);
    expect(l.dtype).toBe('float32');
    expect(l.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(10, 0, 3).toArray()).toEqual([10, 5, 0]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(linspace(2, 3, 0).shape).toEqual([0]);
  });

  it('validates num', () => {
    expect(() => linspace(0, 1, -1)).toThrow('linspace: num must be a non-negative integer, got -1');
    expect(() => linspace(0, 1, 2.5)).toThrow('linspace: num must be a non-negative integer, got 2.5');
  });
});

describe('oneHot', () => {
  it('encodes int32 indices into a new last axis', () => {
    const o = oneHot(tensor([0, 2, 1], undefined, 'int32'), 3);
    expect(o.shape).toEqual([3, 3]);
    expect(o.dtype).toBe('float32');
    expect(o.toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  });

  it('out-of-range indices give an all-off row (as TF)', () => {
    expect(oneHot(tensor([-1, 3], undefined, 'int32'), 3).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('custom on/off values, dtype and rank-2 indices', () => {
    expect(oneHot(tensor([1], undefined, 'int32'), 2, 5, -1).toArray()).toEqual([[-1, 5]]);
    const o = oneHot(tensor([[0], [1]], undefined, 'int32'), 2, 1, 0, 'int32');
    expect(o.shape).toEqual([2, 1, 2]);
    expect(o.dtype).toBe('int32');
    expect(o.toArray()).toEqual([[[1, 0]], [[0, 1]]]);
  });

  it('validates indices and depth', () => {
    expect(() => oneHot(tensor([0, 1]), 2)).toThrow(`oneHot: indices must be int32, got float32 (cast with cast(x, 'int32'))`);
    expect(() => oneHot(tensor([0], undefined, 'int32'), 0)).toThrow('oneHot: depth must be a positive integer, got 0');
    expect(() => oneHot(tensor([0], undefined, 'int32'), 2, 1, 0, 'x' as never)).toThrow(`oneHot: dtype must be 'float32', 'int32' or 'bool', got "x"`);
  });
});
