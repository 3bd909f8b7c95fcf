// The race's parts in Node (no browser): the functions against hand-computed values and gradients,
// the optimizers built by name, divergence, the seeded noise, and the query string.
import { grads } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { runRacer } from '../src/race/engine.js';
import type { RaceSetup } from '../src/race/engine.js';
import { FUNCTION_NAMES, FUNCTIONS, paramsOf } from '../src/race/functions.js';
import { buildOptimizer, editableDefaults, PRESET_KERAS, PRESET_TUNING } from '../src/race/optimizers.js';
import { decodeSetup, defaultSetup, encodeSetup } from '../src/race/url.js';

const at = (name: (typeof FUNCTION_NAMES)[number], x: number, y: number, given: Record<string, number> = {}) => {
  const fn = FUNCTIONS[name];
  const params = paramsOf(fn, given);
  const [gx, gy] = grads((a, b) => fn.f(a, b, params))([tensor(x), tensor(y)]);
  return { value: fn.f(tensor(x), tensor(y), params).item(), gx: gx!.item(), gy: gy!.item() };
};

describe('test functions', () => {
  it('are zero (the saddle: −1) at their minima, with zero gradient there', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = FUNCTIONS[name];
      for (const [mx, my] of fn.minima(paramsOf(fn))) {
        const v = at(name, mx, my);
        expect(v.value, `${name} at (${mx}, ${my})`).toBeCloseTo(name === 'saddle' ? -1 : 0, 4);
        expect(Math.abs(v.gx) + Math.abs(v.gy), `${name} gradient at (${mx}, ${my})`).toBeLessThan(2e-3);
      }
    }
  });

  it('match hand-computed values and gradients at a point', () => {
    // Rosenbrock a = 1, b = 10 at (−1.5, 2): (2.5)² + 10·(2 − 2.25)² = 6.25 + 0.625;
    // ∂x = −2(1 − x) − 4bx(y − x²) = −5 − 15 = −20, ∂y = 2b(y − x²) = −5.
    expect(at('rosenbrock', -1.5, 2)).toEqual({ value: expect.closeTo(6.875, 5), gx: expect.closeTo(-20, 4), gy: expect.closeTo(-5, 4) });
    // Himmelblau at (0, 0): 121 + 49; ∂x = 4x(x² + y − 11) + 2(x + y² − 7) = −14, ∂y = 2(x² + y − 11) + 4y(…) = −22.
    expect(at('himmelblau', 0, 0)).toEqual({ value: expect.closeTo(170, 4), gx: expect.closeTo(-14, 4), gy: expect.closeTo(-22, 4) });
    // Beale at (1, 1): (1.5)² + (2.25)² + (2.625)² = 14.203125; ∂x = 2·1.5·0 + 2·2.25·0 + 2·2.625·0 = 0 (y = 1 zeroes −1 + y^k),
    // ∂y = 2·1.5·x + 2·2.25·2xy + 2·2.625·3xy² = 3 + 9 + 15.75.
    expect(at('beale', 1, 1)).toEqual({ value: expect.closeTo(14.203125, 4), gx: expect.closeTo(0, 4), gy: expect.closeTo(27.75, 4) });
    // Saddle at (1, 1): 1 − 1 + 0.25; ∂x = 2x = 2, ∂y = −2y + y³ = −1.
    expect(at('saddle', 1, 1)).toEqual({ value: expect.closeTo(0.25, 5), gx: expect.closeTo(2, 5), gy: expect.closeTo(-1, 5) });
    // Ill-conditioned (κ = 50) at (1, 0): u = v = 1/√2, f = ½(½ + 25) = 12.75; ∇ = (u + κv, u − κv)/√2 = (25.5, −24.5).
    expect(at('illConditioned', 1, 0)).toEqual({ value: expect.closeTo(12.75, 4), gx: expect.closeTo(25.5, 4), gy: expect.closeTo(-24.5, 4) });
  });
});

describe('racers', () => {
  it('build the registry classes with the preset options', () => {
    const tuning = PRESET_TUNING.map((r) => buildOptimizer(r).getConfig());
    expect(tuning.map((c) => c.learningRate)).toEqual([0.01, 0.01, 0.01, 0.001, 0.001]);
    expect(tuning[1]!.momentum).toBe(0.9);
    expect(tuning[2]!.initialAccumulatorValue).toBe(0.1);
    expect(tuning[3]!.rho).toBe(0.9);
    expect([tuning[4]!.beta1, tuning[4]!.beta2]).toEqual([0.9, 0.999]);
    expect(PRESET_KERAS.map((r) => buildOptimizer(r).getConfig().learningRate)).toEqual([0.01, 0.01, 0.001, 0.001, 0.001]);
    expect(editableDefaults('adam')).toMatchObject({ learningRate: 0.001, amsgrad: false, clipnorm: null });
    expect(() => buildOptimizer({ name: 'adam', options: { lr: 1 } })).toThrow(/optimizer 'adam' has no option 'lr'/);
    expect(() => buildOptimizer({ name: 'adma', options: {} })).toThrow(/Did you mean 'adam'/);
  });

  it('stop at divergence and report the step (SGD lr 0.01 on the textbook Rosenbrock, b = 100)', () => {
    const setup: RaceSetup = { ...defaultSetup('rosenbrock'), params: { a: 1, b: 100 } };
    const t = runRacer(setup, { name: 'sgd', options: {} });
    expect(t.divergedAt).not.toBeNull();
    expect(t.divergedAt!).toBeLessThan(10);
    expect(t.points.length).toBe(2 * t.divergedAt!);
    // The same rate on b = 10 converges towards (1, 1).
    const ok = runRacer(defaultSetup('rosenbrock'), { name: 'sgd', options: {} });
    expect(ok.divergedAt).toBeNull();
    expect(ok.losses[ok.losses.length - 1]!).toBeLessThan(0.05);
  });

  it('see the same noise for the same seed and different noise for another', () => {
    const base: RaceSetup = { ...defaultSetup('noisyQuadratic'), steps: 50 };
    const spec = { name: 'sgd', options: { learningRate: 0.1 } };
    const a = runRacer(base, spec);
    const b = runRacer(base, spec);
    const c = runRacer({ ...base, seed: 2 }, spec);
    expect(Array.from(b.points)).toEqual(Array.from(a.points));
    expect(Array.from(c.points)).not.toEqual(Array.from(a.points));
  });

  it('follow a schedule, and clipnorm limits the first step', () => {
    const setup = defaultSetup('rosenbrock');
    const clipped = runRacer({ ...setup, steps: 1 }, { name: 'sgd', options: { learningRate: 0.01, clipnorm: 1 } });
    // The gradient at the start is (−20, −5); clipped to norm 1, times lr 0.01: a step of length 0.01.
    const [x0, y0, x1, y1] = clipped.points;
    expect(Math.hypot(x1! - x0!, y1! - y0!)).toBeCloseTo(0.01, 6);
    const decayed = runRacer({ ...setup, steps: 1, schedule: { kind: 'exponential', steps: 1, rate: 0.5 } }, { name: 'sgd', options: {} });
    const plain = runRacer({ ...setup, steps: 1 }, { name: 'sgd', options: {} });
    // Step 0 of ExponentialDecay is the initial rate: the first step is the same.
    expect(Array.from(decayed.points)).toEqual(Array.from(plain.points));
  });
});

describe('the query string', () => {
  it('round-trips a setup and ignores what it cannot read', () => {
    const s: RaceSetup = {
      ...defaultSetup('beale'),
      start: [0.5, -1.25],
      steps: 123,
      seed: 7,
      schedule: { kind: 'cosine', steps: 50, rate: 0.1 },
      racers: [
        { name: 'adam', options: { learningRate: 0.05, amsgrad: true } },
        { name: 'sgd', options: { momentum: 0.8, nesterov: true, clipnorm: 2 } },
      ],
    };
    expect(decodeSetup(new URLSearchParams(encodeSetup(s).toString()))).toEqual(s);
    const bad = decodeSetup(new URLSearchParams('fn=nope&steps=-4&start=a,b&r=%3Cscript%3E&sched=weird,1,1'));
    expect(bad).toEqual(defaultSetup('rosenbrock'));
  });
});
