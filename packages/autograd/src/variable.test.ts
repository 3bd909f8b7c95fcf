import { Tensor, add, matMul, sum, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Variable, variable } from './variable.js';

describe('Variable', () => {
  it('is a Tensor usable in any op, with a name, trainable flag and constraint', () => {
    const clip = (w: Tensor): Tensor => w.clipByValue(-1, 1);
    const v = variable([[1, 2], [3, 4]], { name: 'dense/kernel', constraint: clip });
    expect(v).toBeInstanceOf(Tensor);
    expect(v).toBeInstanceOf(Variable);
    expect(v.name).toBe('dense/kernel');
    expect(v.trainable).toBe(true);
    expect(v.constraint).toBe(clip);
    expect(matMul(v, tensor([[1], [1]])).toArray()).toEqual([[3], [7]]);
    expect(v.add(1).toArray()).toEqual([[2, 3], [4, 5]]);
    expect(variable(1, { trainable: false }).trainable).toBe(false);
  });

  it('default names are unique: Variable, Variable_1, …', () => {
    const names = [variable(1), variable(2), variable(3)].map((v) => v.name);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n).toMatch(/^Variable(_\d+)?$/);
  });

  it('dtype option casts the initial value', () => {
    const v = variable([1.7, 2.2], { dtype: 'int32' });
    expect(v.dtype).toBe('int32');
    expect(Array.from(v.dataSync())).toEqual([1, 2]);
  });

  it('assign replaces the value; tensors computed before keep theirs', () => {
    const v = variable([1, 2]);
    const before = add(v, 0);
    v.assign(tensor([5, 6]));
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    expect(Array.from(before.dataSync())).toEqual([1, 2]);
    expect(sum(v).item()).toBe(11);
    const s = variable(0);
    s.assign(3);
    expect(s.item()).toBe(3);
  });

  it('assign with a different shape or dtype is an error naming both', () => {
    const v = variable([1, 2], { name: 'w' });
    expect(() => v.assign(tensor([1, 2, 3]))).toThrow("Variable.assign: variable 'w' has shape [2] and dtype float32, got a value of shape [3] and dtype float32");
    expect(() => v.assign(tensor([1, 2], [2], 'int32'))).toThrow(/got a value of shape \[2\] and dtype int32/);
  });

  it('rejects an empty name', () => {
    expect(() => variable(1, { name: '' })).toThrow(/variable: name must be a non-empty string/);
  });
});
