import { setSeed } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Constant, Identity, Ones, Zeros } from './constant.js';
import { computeFans } from './initializer.js';
import { Orthogonal } from './orthogonal.js';
import { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
import { getInitializer, listInitializers, serializeInitializer } from './registry.js';
import { GlorotNormal, GlorotUniform, HeNormal, HeUniform, LeCunNormal, LeCunUniform, VarianceScaling } from './variance-scaling.js';

function stats(values: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return { mean, variance: sq / values.length, min, max };
}

describe('computeFans', () => {
  it('follows Keras: dense [in, out], conv [...receptive, in, out]', () => {
    expect(computeFans([7, 5])).toEqual({ fanIn: 7, fanOut: 5 });
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(computeFans([5, 4, 8])).toEqual({ fanIn: 20, fanOut: 40 });
    expect(computeFans([6])).toEqual({ fanIn: 6, fanOut: 6 });
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });
});

describe('constant initializers', () => {
  it('fill with zeros, ones or a value, in the requested dtype', () => {
    expect(new Zeros().apply([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(new Ones().apply([3], 'int32').dtype).toBe('int32');
    expect(new Ones().apply([3]).toArray()).toEqual([1, 1, 1]);
    expect(new Constant({ value: 2.5 }).apply([2]).toArray()).toEqual([2.5, 2.5]);
    expect(new Constant({ value: 2.5 }).getConfig()).toEqual({ value: 2.5 });
  });

  it('identity is gain · I for 2-D shapes only', () => {
    expect(new Identity({ gain: 3 }).apply([2, 3]).toArray()).toEqual([[3, 0, 0], [0, 3, 0]]);
    expect(() => new Identity().apply([2, 2, 2])).toThrow('Identity: initializer needs a 2-D shape, got [2,2,2]');
  });
});

describe('random initializers', () => {
  const shape = [300, 200];

  it('RandomNormal, TruncatedNormal and RandomUniform have the requested moments', () => {
    const n = stats(new RandomNormal({ mean: 1, stddev: 0.5, seed: 1 }).apply(shape).dataSync());
    expect(n.mean).toBeCloseTo(1, 2);
    expect(Math.sqrt(n.variance)).toBeCloseTo(0.5, 2);

    const t = stats(new TruncatedNormal({ stddev: 2, seed: 2 }).apply(shape).dataSync());
    expect(t.min).toBeGreaterThanOrEqual(-4);
    expect(t.max).toBeLessThanOrEqual(4);
    // Variance of a normal truncated at ±2σ is 0.7737σ².
    expect(t.variance / 4).toBeCloseTo(0.7737, 1);

    const u = stats(new RandomUniform({ minval: -2, maxval: 4, seed: 3 }).apply(shape).dataSync());
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(4);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.variance).toBeCloseTo(36 / 12, 1);
  });

  it('Keras defaults: stddev 0.05, range ±0.05', () => {
    expect(new RandomNormal().getConfig()).toEqual({ mean: 0, stddev: 0.05, seed: null });
    expect(new TruncatedNormal().getConfig()).toEqual({ mean: 0, stddev: 0.05, seed: null });
    expect(new RandomUniform().getConfig()).toEqual({ minval: -0.05, maxval: 0.05, seed: null });
  });

  it('a seeded initializer gives the same tensor on every call; different seeds differ', () => {
    for (const make of [
      (seed: number) => new RandomNormal({ seed }),
      (seed: number) => new RandomUniform({ seed }),
      (seed: number) => new TruncatedNormal({ seed }),
      (seed: number) => new GlorotUniform({ seed }),
      (seed: number) => new HeNormal({ seed }),
      (seed: number) => new Orthogonal({ seed }),
    ]) {
      const a = make(7);
      const first = a.apply([6, 4]).dataSync();
      expect(a.apply([6, 4]).dataSync()).toEqual(first);
      expect(make(7).apply([6, 4]).dataSync()).toEqual(first);
      expect(make(8).apply([6, 4]).dataSync()).not.toEqual(first);
    }
  });

  it('without a seed, draws from the global generator (setSeed makes runs repeatable)', () => {
    const init = new GlorotNormal();
    setSeed(123);
    const a = init.apply([5, 5]).dataSync();
    const b = init.apply([5, 5]).dataSync();
    setSeed(123);
    expect(init.apply([5, 5]).dataSync()).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('rejects bad options with the class and option named', () => {
    expect(() => new RandomUniform({ minval: 1, maxval: 1 })).toThrow('RandomUniform: maxval must be greater than minval, got minval=1, maxval=1');
    expect(() => new RandomNormal({ stddev: -1 })).toThrow('RandomNormal: stddev must be >= 0, got -1');
    expect(() => new RandomNormal({ seed: 'x' as never })).toThrow('RandomNormal: seed must be a finite number or null, got "x"');
  });
});

describe('variance scaling', () => {
  const dense = [400, 250];
  const conv = [3, 3, 32, 64]; // fanIn 288, fanOut 576

  const cases: [string, () => VarianceScaling, number[], number, 'normal' | 'uniform'][] = [
    ['GlorotUniform', () => new GlorotUniform({ seed: 1 }), dense, 2 / (400 + 250), 'uniform'],
    ['GlorotNormal', () => new GlorotNormal({ seed: 2 }), dense, 2 / (400 + 250), 'normal'],
    ['HeNormal', () => new HeNormal({ seed: 3 }), conv, 2 / 288, 'normal'],
    ['HeUniform', () => new HeUniform({ seed: 4 }), conv, 2 / 288, 'uniform'],
    ['LeCunNormal', () => new LeCunNormal({ seed: 5 }), dense, 1 / 400, 'normal'],
    ['LeCunUniform', () => new LeCunUniform({ seed: 6 }), conv, 1 / 288, 'uniform'],
    ['fanOut untruncated', () => new VarianceScaling({ scale: 3, mode: 'fanOut', distribution: 'untruncatedNormal', seed: 7 }), conv, 3 / 576, 'normal'],
    ['fan_avg truncated', () => new VarianceScaling({ scale: 0.5, mode: 'fan_avg', distribution: 'truncated_normal', seed: 8 }), dense, 0.5 / 325, 'normal'],
  ];

  for (const [label, make, shape, variance, kind] of cases) {
    it(`${label}: mean 0 and variance scale / fan within 4%`, () => {
      const s = stats(make().apply(shape).dataSync());
      expect(Math.abs(s.mean)).toBeLessThan(0.02 * Math.sqrt(variance));
      expect(s.variance / variance).toBeGreaterThan(0.96);
      expect(s.variance / variance).toBeLessThan(1.04);
      if (kind === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        expect(s.max).toBeLessThanOrEqual(limit);
        expect(s.min).toBeGreaterThanOrEqual(-limit);
        expect(s.max).toBeGreaterThan(0.99 * limit);
      }
    });
  }

  it('the truncated normal is cut at two (corrected) standard deviations', () => {
    const variance = 2 / 288;
    const s = stats(new HeNormal({ seed: 9 }).apply([3, 3, 32, 64]).dataSync());
    const bound = (2 * Math.sqrt(variance)) / 0.87962566103423978;
    expect(s.max).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(s.min).toBeGreaterThanOrEqual(-bound * (1 + 1e-6));
  });

  it('config and validation', () => {
    expect(new VarianceScaling().getConfig()).toEqual({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: null });
    expect(new VarianceScaling({ distribution: 'normal' }).distribution).toBe('truncatedNormal');
    expect(new GlorotUniform({ seed: 3 }).getConfig()).toEqual({ seed: 3 });
    expect(() => new VarianceScaling({ mode: 'fanSum' as never })).toThrow(`VarianceScaling: mode must be one of 'fanIn', 'fanOut', 'fanAvg', got "fanSum"`);
    expect(() => new VarianceScaling({ scale: 0 })).toThrow('VarianceScaling: scale must be > 0, got 0');
    expect(() => new GlorotUniform().apply([2, 2], 'int32')).toThrow('GlorotUniform: only float32 weights can be initialized randomly, got dtype int32');
  });
});

describe('orthogonal', () => {
  function gram(values: ArrayLike<number>, rows: number, cols: number, byColumns: boolean): number[][] {
    const n = byColumns ? cols : rows;
    const g: number[][] = [];
    for (let a = 0; a < n; a++) {
      g.push([]);
      for (let b = 0; b < n; b++) {
        let dot = 0;
        const len = byColumns ? rows : cols;
        for (let k = 0; k < len; k++) {
          const va = byColumns ? values[k * cols + a]! : values[a * cols + k]!;
          const vb = byColumns ? values[k * cols + b]! : values[b * cols + k]!;
          dot += va * vb;
        }
        g[a]!.push(dot);
      }
    }
    return g;
  }

  function expectIdentity(g: number[][], scale = 1): void {
    for (let a = 0; a < g.length; a++) for (let b = 0; b < g.length; b++) expect(Math.abs(g[a]![b]! - (a === b ? scale : 0))).toBeLessThan(1e-5);
  }

  it('a tall matrix has orthonormal columns (QᵀQ = I)', () => {
    expectIdentity(gram(new Orthogonal({ seed: 1 }).apply([50, 20]).dataSync(), 50, 20, true));
  });

  it('a wide matrix has orthonormal rows (QQᵀ = I)', () => {
    expectIdentity(gram(new Orthogonal({ seed: 2 }).apply([20, 50]).dataSync(), 20, 50, false));
  });

  it('a square matrix is orthogonal both ways, scaled by gain', () => {
    const q = new Orthogonal({ gain: 2, seed: 3 }).apply([16, 16]).dataSync();
    expectIdentity(gram(q, 16, 16, true), 4);
    expectIdentity(gram(q, 16, 16, false), 4);
  });

  it('conv kernels are flattened to [prod(shape[:-1]), shape[-1]]', () => {
    const t = new Orthogonal({ seed: 4 }).apply([3, 3, 4, 8]);
    expect(t.shape).toEqual([3, 3, 4, 8]);
    expectIdentity(gram(t.dataSync(), 36, 8, true));
  });

  it('needs rank >= 2', () => {
    expect(() => new Orthogonal().apply([5])).toThrow('Orthogonal: initializer needs a shape of rank >= 2, got [5]');
  });
});

describe('getInitializer', () => {
  it('accepts camelCase, snake_case and class names', () => {
    expect(getInitializer('glorotUniform').className).toBe('GlorotUniform');
    expect(getInitializer('glorot_uniform').className).toBe('GlorotUniform');
    expect(getInitializer('he_normal').className).toBe('HeNormal');
    expect(getInitializer('lecun_normal').className).toBe('LeCunNormal');
    expect(getInitializer('LecunUniform').className).toBe('LeCunUniform');
    expect(getInitializer('zeros').className).toBe('Zeros');
    expect(getInitializer('truncated_normal').className).toBe('TruncatedNormal');
    for (const name of listInitializers()) expect(getInitializer(name)).toBeDefined();
  });

  it('round-trips every initializer through { className, config }', () => {
    const all = [
      new Zeros(),
      new Ones(),
      new Constant({ value: -1.5 }),
      new Identity({ gain: 0.5 }),
      new RandomNormal({ mean: 1, stddev: 2, seed: 5 }),
      new RandomUniform({ minval: 0, maxval: 3, seed: 5 }),
      new TruncatedNormal({ stddev: 0.1, seed: 5 }),
      new VarianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform', seed: 5 }),
      new GlorotUniform({ seed: 5 }),
      new GlorotNormal({ seed: 5 }),
      new HeNormal({ seed: 5 }),
      new HeUniform({ seed: 5 }),
      new LeCunNormal({ seed: 5 }),
      new LeCunUniform({ seed: 5 }),
      new Orthogonal({ gain: 1.5, seed: 5 }),
    ];
    for (const init of all) {
      const again = getInitializer(serializeInitializer(init));
      expect(again.className).toBe(init.className);
      expect(again.getConfig()).toEqual(init.getConfig());
      expect(again.apply([4, 4]).dataSync()).toEqual(init.apply([4, 4]).dataSync());
    }
    expect(serializeInitializer(new GlorotUniform())).toEqual({ className: 'GlorotUniform', config: { seed: null } });
  });

  it('reads the snake_case values TF.js and Keras write', () => {
    const vs = getInitializer({ className: 'VarianceScaling', config: { scale: 2, mode: 'fan_avg', distribution: 'untruncated_normal', seed: null } });
    expect(vs.getConfig()).toEqual({ scale: 2, mode: 'fanAvg', distribution: 'untruncatedNormal', seed: null });
  });

  it('returns instances as they are and names unknown initializers', () => {
    const g = new GlorotUniform();
    expect(getInitializer(g)).toBe(g);
    expect(() => getInitializer('glorot_unifrom')).toThrow(/Unknown initializer 'glorot_unifrom'\. Did you mean 'glorotUniform'\?/);
    expect(() => getInitializer({ className: 'Xavier' })).toThrow(/Unknown initializer 'Xavier'.*Valid names: zeros, ones/);
  });
});
