import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { showValue } from './show-value.js';

describe('showValue', () => {
  it('prints numbers, non-finite numbers, strings, arrays and plain objects', () => {
    expect(showValue(3)).toBe('3');
    expect(showValue(NaN)).toBe('NaN');
    expect(showValue([1, Infinity, -Infinity])).toBe('[1,Infinity,-Infinity]');
    expect(showValue('relu')).toBe('"relu"');
    expect(showValue({ a: NaN, b: 'x' })).toBe('{"a":NaN,"b":"x"}');
    expect(showValue(undefined)).toBe('undefined');
  });

  it('names tensors and class instances instead of serializing them', () => {
    const t = tensor([[1, 2, 3]]);
    expect(showValue(t)).toBe('a float32 Tensor of shape [1,3]');
    expect(showValue({ mask: t })).toBe('{"mask":a float32 Tensor of shape [1,3]}');
    expect(showValue(new Map())).toBe('a Map');
    class Thing {}
    expect(showValue([new Thing()])).toBe('[a Thing]');
  });
});
