import { describe, expect, it } from 'vitest';
import { Generator, deriveSeed, generatorFor, randomUniform, setSeed, withGenerator } from './index.js';

describe('withGenerator', () => {
  it('makes unseeded random ops draw from the given generator, and leaves the global stream alone', () => {
    setSeed(5);
    const globalFirst = randomUniform([4]).dataSync();
    setSeed(5);
    const drawn = withGenerator(new Generator(99), () => randomUniform([4]).dataSync());
    // The same numbers as a fresh generator seeded 99 gives.
    expect(drawn).toEqual(randomUniform([4], 0, 1, 'float32', 99).dataSync());
    // The global stream did not advance while the other generator was current.
    expect(randomUniform([4]).dataSync()).toEqual(globalFirst);
  });

  it('nests, and restores the outer generator even when fn throws', () => {
    const outer = new Generator(1);
    const inner = new Generator(2);
    withGenerator(outer, () => {
      expect(generatorFor()).toBe(outer);
      withGenerator(inner, () => expect(generatorFor()).toBe(inner));
      expect(generatorFor()).toBe(outer);
      expect(() => withGenerator(inner, () => { throw new Error('boom'); })).toThrow('boom');
      expect(generatorFor()).toBe(outer);
    });
    expect(generatorFor()).not.toBe(outer);
  });

  it('gives interleaved users the same numbers as sequential ones', () => {
    const a1 = new Generator(11);
    const b1 = new Generator(12);
    const seqA = [withGenerator(a1, () => randomUniform([3]).dataSync()), withGenerator(a1, () => randomUniform([3]).dataSync())];
    const seqB = [withGenerator(b1, () => randomUniform([3]).dataSync()), withGenerator(b1, () => randomUniform([3]).dataSync())];
    const a2 = new Generator(11);
    const b2 = new Generator(12);
    const inter = [
      withGenerator(a2, () => randomUniform([3]).dataSync()),
      withGenerator(b2, () => randomUniform([3]).dataSync()),
      withGenerator(a2, () => randomUniform([3]).dataSync()),
      withGenerator(b2, () => randomUniform([3]).dataSync()),
    ];
    expect([inter[0], inter[2]]).toEqual(seqA);
    expect([inter[1], inter[3]]).toEqual(seqB);
  });

  it('refuses an async function and bad arguments', () => {
    expect(() => withGenerator(new Generator(1), () => Promise.resolve(1))).toThrow(/withGenerator: fn returned a Promise/);
    expect(() => withGenerator({} as Generator, () => 1)).toThrow(/withGenerator: expected a Generator, got an object \(Object\)/);
    expect(generatorFor()).toBe(generatorFor());
  });
});

describe('deriveSeed', () => {
  it('draws the next 32-bit value of the current default generator', () => {
    setSeed(3);
    const a = deriveSeed();
    const b = deriveSeed();
    const reference = new Generator(3);
    expect([a, b]).toEqual([reference.nextUint32(), reference.nextUint32()]);
    expect(withGenerator(new Generator(8), () => deriveSeed())).toBe(new Generator(8).nextUint32());
  });
});
