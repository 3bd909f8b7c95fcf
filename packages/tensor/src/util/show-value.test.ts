import { describe, expect, it } from 'vitest';
import { formatArg } from '../format.js';
import { tensor, zeros } from '../index.js';
import { showValue } from './show-value.js';

describe('showValue', () => {
  it('prints scalars as themselves and strings as JSON', () => {
    expect(showValue(3)).toBe('3');
    expect(showValue(-0)).toBe('-0');
    expect(showValue(NaN)).toBe('NaN');
    expect(showValue(-Infinity)).toBe('-Infinity');
    expect(showValue(10n)).toBe('10n');
    expect(showValue('a"b')).toBe('"a\\"b"');
    expect(showValue(true)).toBe('true');
    expect(showValue(null)).toBe('null');
    expect(showValue(undefined)).toBe('undefined');
    expect(showValue(() => 1)).toBe('a function');
    expect(showValue(Symbol('s'))).toBe('Symbol(s)');
  });

  it('keeps NaN, undefined and functions visible inside arrays and objects', () => {
    expect(showValue([1, NaN, undefined, -0])).toBe('[1,NaN,undefined,-0]');
    expect(showValue({ a: undefined, f: Math.max, b: [Infinity] })).toBe('{"a":undefined,"f":a function,"b":[Infinity]}');
    expect(showValue(Object.assign(Object.create(null) as object, { k: 1 }))).toBe('{"k":1}');
  });

  it('names tensors, typed arrays and class instances instead of serializing them', () => {
    expect(showValue(zeros([2, 3]))).toBe('a float32 Tensor of shape [2,3]');
    expect(showValue([tensor(1, [], 'int32')])).toBe('[an int32 Tensor of shape []]');
    expect(showValue({ x: new Int32Array(4), m: new Map(), d: new Date(0) })).toBe('{"x":an Int32Array,"m":a Map,"d":a Date}');
    class Thing {
      readonly secret = 1;
    }
    expect(showValue(new Thing())).toBe('a Thing');
    expect(formatArg(zeros([4]))).toBe('a float32 Tensor of shape [4]');
  });

  it('bounds depth, entries and length', () => {
    const deep = [[[[[[[1]]]]]]];
    expect(showValue(deep)).toBe('[[[[[[...]]]]]]');
    expect(showValue(deep, { maxDepth: 2 })).toBe('[[[...]]]');
    expect(showValue([[], {}], { maxDepth: 1 })).toBe('[[],{}]');
    expect(showValue([1, 2, 3, 4, 5], { maxEntries: 3 })).toBe('[1,2,3,... 2 more]');
    expect(showValue({ a: 1, b: 2, c: 3 }, { maxEntries: 1 })).toBe('{"a":1,... 2 more}');
    expect(showValue(Array.from({ length: 25 }, (_, i) => i))).toBe(`[${Array.from({ length: 20 }, (_, i) => i).join(',')},... 5 more]`);
    expect(showValue('abcdefghij', { maxLength: 8 })).toBe('"abcd...');
    expect(showValue([1, 2], { maxLength: 8 })).toBe('[1,2]');
  });

  it('is safe on cyclic values, throwing getters and hostile proxies', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(showValue(cyclic, { maxDepth: Infinity })).toBe('{"a":1,"self":[circular]}');
    const list: unknown[] = [1];
    list.push(list);
    expect(showValue(list, { maxDepth: Infinity })).toBe('[1,[circular]]');
    // The same object twice, side by side, is not a cycle.
    const shared = { k: 1 };
    expect(showValue([shared, shared])).toBe('[{"k":1},{"k":1}]');
    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(showValue(getter)).toBe('an object');
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(showValue(proxy)).toBe('an object');
  });

  it('formatArg is showValue starting at a given depth', () => {
    expect(formatArg([[[[[[1]]]]]])).toBe('[[[[[[...]]]]]]');
    expect(formatArg([[1]], 4)).toBe('[[...]]');
  });
});
