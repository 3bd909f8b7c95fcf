import { describe, expect, it } from 'vitest';
import { NameRegistry } from './registry.js';

describe('NameRegistry', () => {
  it('resolves a name in any casing, with or without _ and -', () => {
    const r = new NameRegistry<number>('thing');
    r.register('glorotUniform', 1);
    for (const spelling of ['glorotUniform', 'glorot_uniform', 'GlorotUniform', 'GLOROT-UNIFORM']) {
      expect(r.get(spelling), spelling).toBe(1);
      expect(r.has(spelling), spelling).toBe(true);
      expect(r.find(spelling), spelling).toEqual({ name: 'glorotUniform', value: 1 });
    }
    expect(r.has('glorot')).toBe(false);
    expect(r.find('glorot')).toBeUndefined();
    expect(r.kind).toBe('thing');
  });

  it('lists names in registration order; replacing keeps the place and takes the new spelling', () => {
    const r = new NameRegistry<string>('letter');
    r.register('alpha', 'a');
    r.register('beta', 'b');
    r.register('gamma', 'c');
    r.register('BETA', 'B');
    expect(r.list()).toEqual(['alpha', 'BETA', 'gamma']);
    expect(r.get('beta')).toBe('B');
  });

  it('an unlisted name resolves but is not listed', () => {
    const r = new NameRegistry<number>('initializer');
    r.register('zeros', 0);
    r.register('zero', 0, { listed: false });
    expect(r.list()).toEqual(['zeros']);
    expect(r.get('Zero')).toBe(0);
  });

  it('an unknown name names the kind, what was given, the closest name and every listed one', () => {
    const r = new NameRegistry<number>('optimizer');
    r.register('sgd', 1);
    r.register('adam', 2);
    r.register('old', 3, { listed: false });
    expect(() => r.get('adma')).toThrow(new Error("Unknown optimizer 'adma'. Did you mean 'adam'? Valid names: sgd, adam"));
    expect(() => r.resolve('zzzzzzzz')).toThrow(new Error("Unknown optimizer 'zzzzzzzz'. Valid names: sgd, adam"));
  });

  it('names the function when a registered name is empty or not a string', () => {
    const r = new NameRegistry<number>('loss');
    expect(() => r.register('', 1, { fn: 'registerLoss' })).toThrow(new Error('registerLoss: name must be a non-empty string, got '));
    expect(() => r.register('_-', 1)).toThrow(new Error('register: name must be a non-empty string, got _-'));
    expect(() => r.register(7 as unknown as string, 1)).toThrow(new Error('register: name must be a non-empty string, got 7'));
    expect(r.list()).toEqual([]);
    expect(r.has(7 as unknown as string)).toBe(false);
    expect(() => r.get(7 as unknown as string)).toThrow(new Error("Unknown loss '7'. Valid names: "));
  });

  it('with callable, refuses a value that is not a function, after checking the name', () => {
    const r = new NameRegistry<unknown>('loss');
    const opts = { fn: 'registerLoss', callable: 'factory' };
    expect(() => r.register('myLoss', 3, opts)).toThrow(new Error("registerLoss: factory for 'myLoss' must be a function, got number"));
    expect(() => r.register('', 3, opts)).toThrow(new Error('registerLoss: name must be a non-empty string, got '));
    expect(r.has('myLoss')).toBe(false);
    const make = (): number => 1;
    r.register('myLoss', make, opts);
    expect(r.get('my_loss')).toBe(make);
  });

  it('loads built-ins on first use, before a registration replaces one', () => {
    let loads = 0;
    const r = new NameRegistry<string>('layer class', () => {
      loads++;
      return [
        ['Dense', 'builtin dense'],
        ['Conv2D', 'builtin conv'],
      ];
    });
    expect(loads).toBe(0);
    r.register('dense', 'mine');
    expect(loads).toBe(1);
    expect(r.list()).toEqual(['dense', 'Conv2D']);
    expect(r.get('DENSE')).toBe('mine');
    expect(r.get('conv_2d')).toBe('builtin conv');
    expect(loads).toBe(1);
  });

  it('a name like a property of Object.prototype is unknown until registered', () => {
    const r = new NameRegistry<number>('regularizer');
    expect(r.has('constructor')).toBe(false);
    expect(() => r.get('toString')).toThrow(/Unknown regularizer 'toString'/);
    r.register('constructor', 5);
    expect(r.get('constructor')).toBe(5);
  });
});
