import { describe, expect, it } from 'vitest';
import { formatArg } from '../format.js';
import { add } from './binary.js';
import { tensor } from './convert.js';
import { arange, eye, full, linspace, oneHot, scalar } from './creation.js';
import { randomNormal, randomUniform, truncatedNormal } from './random.js';
import { max, mean, norm, sum } from './reduce.js';
import { reshape, tile, transpose } from './movement.js';

describe('fill values are checked, not coerced', () => {
  it('full refuses a value that is not a number or boolean', () => {
    expect(() => full([2], 'x' as never)).toThrow('full: value must be a number or boolean, got string "x"');
    expect(() => full([2], null as never)).toThrow('full: value must be a number or boolean, got null');
    expect(() => full([2], [1, 2] as never)).toThrow('full: value must be a number or boolean, got the array [1,2]');
    expect(() => full([2], undefined as never)).toThrow('full: value must be a number or boolean, got undefined undefined');
  });

  it('full keeps accepting numbers (NaN and ±Infinity included for float32) and booleans', () => {
    expect(full([2], NaN).toArray()).toEqual([NaN, NaN]);
    expect(full([1], -Infinity).toArray()).toEqual([-Infinity]);
    expect(full([2], true as never, 'bool').toArray()).toEqual([1, 1]);
    expect(full([2], 5, 'bool').toArray()).toEqual([1, 1]);
    expect(full([2], 0, 'bool').toArray()).toEqual([0, 0]);
    expect(full([1], -2147483648, 'int32').toArray()).toEqual([-2147483648]);
  });

  it('int32 fill values must be integers in range (a typed array would truncate or wrap them)', () => {
    expect(() => full([2], 1.7, 'int32')).toThrow('full: value must be an integer in [-2147483648, 2147483647] for dtype int32, got 1.7');
    expect(() => full([2], 3e9, 'int32')).toThrow('full: value must be an integer in [-2147483648, 2147483647] for dtype int32, got 3000000000');
    expect(() => full([2], NaN, 'int32')).toThrow('for dtype int32, got NaN');
    expect(() => scalar(3e9, 'int32')).toThrow('full: value must be an integer in [-2147483648, 2147483647] for dtype int32, got 3000000000');
    expect(() => oneHot(tensor([0], [1], 'int32'), 2, 3e9, 0, 'int32')).toThrow('oneHot: onValue must be an integer in [-2147483648, 2147483647] for dtype int32, got 3000000000');
    expect(() => oneHot(tensor([0], [1], 'int32'), 2, 1, 'a' as never)).toThrow('oneHot: offValue must be a number or boolean, got string "a"');
    expect(() => arange(3e9, 3e9 + 2)).toThrow('arange: values from 3000000000 to 3000000001 do not fit dtype int32');
  });
});

describe('tensor(): int32 values out of range are refused like non-integers', () => {
  it('rejects 3e9 instead of wrapping it to -1294967296', () => {
    expect(() => tensor([3e9], undefined, 'int32')).toThrow('tensor: dtype int32 holds integers in [-2147483648, 2147483647], got 3000000000 at flat index 0');
    expect(() => tensor([[1, -2147483649]], undefined, 'int32')).toThrow('got -2147483649 at flat index 1');
    expect(() => tensor([1.7], undefined, 'int32')).toThrow('tensor: dtype int32 needs integer values, got 1.7 at flat index 0');
    expect(tensor([2147483647, -2147483648], undefined, 'int32').toArray()).toEqual([2147483647, -2147483648]);
  });

  it('a Float32Array given with dtype int32 follows the same rule (it used to truncate 1.5 to 1)', () => {
    expect(() => tensor(new Float32Array([2, 1.5]), [2], 'int32')).toThrow('tensor: dtype int32 needs integer values, got 1.5 at flat index 1');
    expect(() => tensor(new Float32Array([3e9]), [1], 'int32')).toThrow('tensor: dtype int32 holds integers in [-2147483648, 2147483647], got 3000000000 at flat index 0');
    expect(tensor(new Float32Array([-4, 7]), [2], 'int32').toArray()).toEqual([-4, 7]);
  });

  it('a plain number beyond int32 next to an int32 tensor becomes float32 instead of wrapping', () => {
    const r = add(tensor([1], [1], 'int32'), 3e9);
    expect(r.dtype).toBe('float32');
    expect(r.toArray()).toEqual([Math.fround(3e9 + 1)]); // not the -1294967295 of a wrapped int32
  });
});

describe('random ops need finite parameters', () => {
  it('randomNormal and truncatedNormal: mean and stddev finite, stddev ≥ 0', () => {
    expect(() => randomNormal([2], NaN)).toThrow('randomNormal: mean must be a finite number, got NaN');
    expect(() => randomNormal([2], 0, Infinity)).toThrow('randomNormal: stddev must be a finite number, got Infinity');
    expect(() => randomNormal([2], '1' as never)).toThrow('randomNormal: mean must be a finite number, got string "1"');
    expect(() => randomNormal([2], null as never)).toThrow('randomNormal: mean must be a finite number, got null');
    expect(() => randomNormal([2], 0, -1)).toThrow('randomNormal: stddev must be non-negative, got -1');
    expect(() => truncatedNormal([2], 0, NaN)).toThrow('truncatedNormal: stddev must be a finite number, got NaN');
    expect(randomNormal([3], 1, 0, 'float32', 1).toArray()).toEqual([1, 1, 1]);
  });

  it('randomUniform: minval and maxval finite, int32 bounds within int32', () => {
    expect(() => randomUniform([2], NaN, 1)).toThrow('randomUniform: minval must be a finite number, got NaN');
    expect(() => randomUniform([2], 0, Infinity)).toThrow('randomUniform: maxval must be a finite number, got Infinity');
    expect(() => randomUniform([2], 0, 1e10, 'int32')).toThrow('randomUniform: for dtype int32, [minval, maxval) must lie within the int32 range');
  });

  it('linspace: start and stop finite', () => {
    expect(() => linspace(NaN, 1, 3)).toThrow('linspace: start must be a finite number, got NaN');
  });
});

describe('error messages show NaN as NaN, not null', () => {
  it('formatArg', () => {
    expect(formatArg([0, NaN, Infinity, -Infinity])).toBe('[0,NaN,Infinity,-Infinity]');
    expect(formatArg('same')).toBe('"same"');
    expect(formatArg([[1, 2], [NaN, 0]])).toBe('[[1,2],[NaN,0]]');
    expect(formatArg(undefined)).toBe('undefined');
    expect(formatArg({ a: 1 })).toBe('{"a":1}');
    expect(formatArg({})).toBe('{}');
    expect(formatArg({ a: NaN, b: [Infinity] })).toBe('{"a":NaN,"b":[Infinity]}');
    expect(formatArg(null)).toBe('null');
  });

  it('in op errors', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => norm(x, 2, [0, NaN, 1])).toThrow('norm: axis must be one axis (vector norm) or two (matrix norm), got [0,NaN,1]');
    expect(() => reshape(x, [NaN])).toThrow('reshape: shape must be an array of integers, got [NaN]');
    expect(() => transpose(x, [0, NaN])).toThrow(/got \[0,NaN\]/);
    expect(() => tile(x, [1, NaN])).toThrow('tile: reps must have one non-negative integer per axis (2), got [1,NaN]');
  });
});

describe('hostile arguments get clear errors (fuzz T1–T5)', () => {
  const x = tensor([[1, 2], [3, 4]]);
  it('transpose: perm must be an array of integers', () => {
    for (const p of [-1, true, {}, Infinity]) {
      expect(() => transpose(x, p as never)).toThrow(/^transpose: perm must be an array of integers/);
    }
  });

  it('reductions: axis must be a number or an array, a string is refused whole', () => {
    expect(() => sum(x, true as never)).toThrow('sum: axis must be an integer or an array of integers, got true');
    expect(() => mean(x, {} as never)).toThrow('mean: axis must be an integer or an array of integers, got {}');
    expect(() => max(x, '01' as never)).toThrow('max: axis must be an integer or an array of integers, got the string "01"');
  });

  it('tensor: shape must be an array of non-negative integers', () => {
    expect(() => tensor([1], 'abc' as never)).toThrow('tensor: shape must be an array of non-negative integers, got the string "abc"');
    expect(() => tensor([1], {} as never)).toThrow('tensor: shape must be an array of non-negative integers, got {}');
    expect(() => tensor([1], [{}] as never)).toThrow('tensor: shape entries must be non-negative integers, got [{}]');
  });

  it('objects are printed readably, not as [object Object]', () => {
    expect(() => eye({} as never)).toThrow('eye: n must be a non-negative integer, got {}');
    expect(() => arange({} as never)).toThrow('arange: stop must be a finite number, got {}');
    expect(() => oneHot(tensor([1], [1], 'int32'), {} as never)).toThrow('oneHot: depth must be a positive integer, got {}');
  });

  it('float32 parameters beyond float32 range are refused instead of giving Infinity', () => {
    expect(() => randomUniform([], 0, 1e300)).toThrow(/^randomUniform: maxval must lie within float32's finite range/);
    expect(() => randomNormal([], 0, 1e300)).toThrow(/^randomNormal: stddev must lie within float32's finite range/);
    expect(() => truncatedNormal([], -1e300, 1)).toThrow(/^truncatedNormal: mean must lie within float32's finite range/);
    expect(() => linspace(2, 1e300, 6)).toThrow(/^linspace: stop must lie within float32's finite range/);
    expect(randomUniform([2], -3e38, 3e38, 'float32', 1).dataSync().every((v) => Number.isFinite(v))).toBe(true);
  });
});
