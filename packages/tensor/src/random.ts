import { isThenable } from './util/thenable.js';

/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit state words,
 * seeded through SplitMix32. It uses only 32-bit integer arithmetic (`Math.imul`, shifts), so the
 * same seed gives the same stream on every JavaScript engine and platform. Floats are built from
 * the top 24 bits (uniform) and Box–Muller in float64 (normal).
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the generator's sequence from `seed` (any finite number). */
  reseed(seed: number): void {
    if (!Number.isFinite(seed)) throw new Error(`setSeed: seed must be a finite number, got ${seed}`);
    // SplitMix32 over the seed's low and high 32-bit halves spreads any integer seed over the state.
    let x = (Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 bits of precision (exactly representable in float32). */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Uniform in (0, 1], safe for logarithms. */
  private nextOpenFloat(): number {
    return ((this.nextUint32() >>> 8) + 1) / 16777216;
  }

  /** Standard normal sample (Box–Muller, both values used). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u1 = this.nextOpenFloat();
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n) without modulo bias. */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let v: number;
    do v = this.nextUint32();
    while (v >= limit);
    return v % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function initialSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Date.now();
}

const globalGenerator = new Generator(initialSeed());

/** Seed the global generator: every random op and initializer without its own `seed` draws from it. */
export function setSeed(seed: number): void {
  globalGenerator.reseed(seed);
}

// Generators that `withGenerator` made current, innermost last. Only synchronous code runs between a
// push and its pop (withGenerator rejects async functions), so concurrent async work (two `fit`s in
// flight) never sees another's generator: each draws from its own stream whatever the interleaving.
const current: Generator[] = [];

function defaultGenerator(): Generator {
  return current.length > 0 ? current[current.length - 1]! : globalGenerator;
}

/**
 * The generator an op with an optional `seed` should use: a fresh one for a given seed, else the
 * current default (the one `withGenerator` made current, or the global one `setSeed` seeds).
 */
export function generatorFor(seed?: number | null): Generator {
  return seed === undefined || seed === null ? defaultGenerator() : new Generator(seed);
}

/**
 * A new seed drawn from the current default generator: how a training run (`fit`) derives a stream
 * of its own from `setSeed`, so its shuffles and dropout masks do not depend on what else draws
 * random numbers while it awaits.
 */
export function deriveSeed(): number {
  return defaultGenerator().nextUint32();
}

/**
 * Run `fn` with `gen` as the default generator: random ops and initializers without a `seed` draw
 * from it. `fn` must be synchronous (a generator cannot follow code across `await`; call
 * `withGenerator` again after each await instead).
 */
export function withGenerator<T>(gen: Generator, fn: () => T): T {
  if (!(gen instanceof Generator)) throw new Error(`withGenerator: expected a Generator, got ${describeValue(gen)}`);
  if (typeof fn !== 'function') throw new Error(`withGenerator: expected a function, got ${describeValue(fn)}`);
  current.push(gen);
  let result: T;
  try {
    result = fn();
  } finally {
    current.pop();
  }
  if (isThenable(result)) {
    throw new Error('withGenerator: fn returned a Promise; the generator applies to synchronous code only (call withGenerator again after each await)');
  }
  return result;
}

function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${x.constructor?.name ?? 'Object'})`;
  return typeof x;
}
