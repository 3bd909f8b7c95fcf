import { describe, expect, it } from 'vitest';
import { tensor } from './ops/convert.js';
import { arange, scalar, zeros } from './ops/creation.js';
import { Tensor, isTensor } from './tensor.js';

describe('tensor() construction', () => {
  it('from nested arrays infers shape and float32', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('from scalars and booleans', () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.rank).toBe(0);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(3.5);
    const b = tensor(true);
    expect(b.dtype).toBe('bool');
    expect(b.item()).toBe(1);
    const bs = tensor([[true, false], [false, true]]);
    expect(bs.dtype).toBe('bool');
    expect(bs.dataSync()).toBeInstanceOf(Uint8Array);
    expect(bs.toArray()).toEqual([[1, 0], [0, 1]]);
  });

  it('with an explicit dtype and shape', () => {
    const t = tensor([1, 2, 3, 4], [2, 2], 'int32');
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([2, 2]);
    expect(t.dataSync()).toBeInstanceOf(Int32Array);
    expect(tensor([0, 2, 0], undefined, 'bool').toArray()).toEqual([0, 1, 0]);
  });

  it('from typed arrays, taking the dtype from the array type and copying the values', () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const t = tensor(src, [2, 2]);
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    src[0] = 100;
    expect(t.dataSync()[0]).toBe(1);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Int32Array([1, 2])).shape).toEqual([2]);
    expect(tensor(new Uint8Array([0, 3])).toArray()).toEqual([0, 1]);
    expect(tensor(new Uint8Array([0, 3])).dtype).toBe('bool');
    expect(tensor(new Float32Array([1, -2]), [2], 'int32').toArray()).toEqual([1, -2]);
    expect(() => tensor(new Float32Array([1.5, -2]), [2], 'int32')).toThrow('tensor: dtype int32 needs integer values, got 1.5 at flat index 0');
  });

  it('empty arrays', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).size).toBe(0);
    expect(tensor(new Float32Array(0), [0, 5]).shape).toEqual([0, 5]);
  });

  it('returns a given tensor unchanged', () => {
    const t = tensor([1]);
    expect(tensor(t)).toBe(t);
    expect(isTensor(t)).toBe(true);
    expect(isTensor([1])).toBe(false);
  });

  it('gives every tensor its own id and a frozen shape', () => {
    const a = tensor([1]);
    const b = tensor([1]);
    expect(a.id).not.toBe(b.id);
    expect(Object.isFrozen(a.shape)).toBe(true);
  });
});

describe('tensor() errors', () => {
  it('ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: element [1] has length 1, expected 2');
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/^tensor: ragged nested array: element \[1\] is number/);
    expect(() => tensor([1, [2]] as never)).toThrow(/^tensor: ragged nested array: element \[1\] is an array/);
  });

  it('non-numeric values', () => {
    expect(() => tensor(['a'] as never)).toThrow('tensor: non-numeric element [0]: the string "a"');
    expect(() => tensor([[1, null]] as never)).toThrow('tensor: non-numeric element [0][1]: null');
    expect(() => tensor('abc' as never)).toThrow(/^tensor: expected a number, boolean, nested array or typed array, got the string "abc"/);
    expect(() => tensor({} as never)).toThrow(/^tensor: expected a number, boolean, nested array or typed array, got object/);
  });

  it('shape and dtype mismatches', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: shape [2,2] holds 4 values but the data has 3 (inferred shape [3])');
    expect(() => tensor(new Float32Array(3), [2, 2])).toThrow('tensor: shape [2,2] holds 4 values but the typed array has 3');
    expect(() => tensor([1], [-1])).toThrow('tensor: shape entries must be non-negative integers, got [-1]');
    expect(() => tensor([1.5], undefined, 'int32')).toThrow('tensor: dtype int32 needs integer values, got 1.5 at flat index 0');
    expect(() => tensor([1], undefined, 'float64' as never)).toThrow(`tensor: dtype must be 'float32', 'int32' or 'bool', got "float64"`);
    expect(() => tensor(new Float64Array(2) as never)).toThrow('tensor: typed arrays must be Float32Array, Int32Array or Uint8Array, got Float64Array');
    expect(() => tensor(tensor([1]), [1])).toThrow('tensor: shape and dtype cannot be given with a Tensor value');
  });
});

describe('reading values', () => {
  it('dataSync returns a copy', () => {
    const t = tensor([1, 2]);
    const d = t.dataSync();
    d[0] = 99;
    expect(t.dataSync()[0]).toBe(1);
  });

  it('data() resolves to the values', async () => {
    expect(Array.from(await tensor([4, 5]).data())).toEqual([4, 5]);
  });

  it('toArray nests by shape', () => {
    expect(tensor([[[1, 2]], [[3, 4]]]).toArray()).toEqual([[[1, 2]], [[3, 4]]]);
    expect(tensor(7).toArray()).toBe(7);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
    expect(zeros([2, 0, 3]).toArray()).toEqual([[], []]);
  });

  it('item needs exactly one element', () => {
    expect(tensor([[5]]).item()).toBe(5);
    expect(() => tensor([1, 2]).item()).toThrow('item: expected a tensor with exactly one element, got shape [2] (2 elements)');
    expect(() => zeros([0]).item()).toThrow('item: expected a tensor with exactly one element, got shape [0] (0 elements)');
  });
});

describe('toString', () => {
  it('formats like NumPy', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]], shape=[2,2], dtype=float32)');
    expect(tensor([1, 2, 3], undefined, 'int32').toString()).toBe('tensor([1, 2, 3], shape=[3], dtype=int32)');
    expect(tensor([true, false]).toString()).toBe('tensor([ true, false], shape=[2], dtype=bool)');
    expect(scalar(3.5).toString()).toBe('tensor(3.5, shape=[], dtype=float32)');
    expect(tensor([NaN, Infinity, -Infinity]).toString()).toBe('tensor([ nan,  inf, -inf], shape=[3], dtype=float32)');
    // Cells are right-aligned to the widest one ('1.0000e-5', nine characters).
    expect(tensor([0.5, -10, 1e-5]).toString()).toBe('tensor([      0.5,      -10., 1.0000e-5], shape=[3], dtype=float32)');
  });

  it('separates rank-3 blocks by a blank line', () => {
    expect(tensor([[[1]], [[2]]], undefined, 'int32').toString()).toBe('tensor([[[1]],\n\n        [[2]]], shape=[2,1,1], dtype=int32)');
  });

  it('prints up to 1000 elements in full', () => {
    const s = arange(1000).toString();
    expect(s).not.toContain('...');
    expect(s).toContain(' 500,');
  });

  it('elides big tensors to three entries per edge', () => {
    expect(arange(2000).toString()).toBe('tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000], dtype=int32)');
    const lines = zeros([100, 100]).toString().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('tensor([[0., 0., 0., ..., 0., 0., 0.],');
    expect(lines[3]).toBe('        ...,');
    expect(lines[6]).toBe('        [0., 0., 0., ..., 0., 0., 0.]], shape=[100,100], dtype=float32)');
  });
});
