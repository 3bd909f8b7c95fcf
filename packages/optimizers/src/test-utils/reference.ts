/**
 * A float64 reference for the optimizers, written element by element straight from Keras 3's
 * update rules (rules.ts) and the order of operations the package README gives, independent of the tensor
 * ops the package uses. Tests run both on the same gradients and compare.
 */
import { variable } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { expect } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Optimizer } from '../optimizer.js';

export type Vec = Float64Array<ArrayBuffer>;

export interface RefContext {
  lr: number;
  t: number;
  constantLr: boolean;
  globals: Record<string, number>;
}

export interface RefRule {
  slots(w: Vec, shape: readonly number[]): Record<string, Vec>;
  globals?(): Record<string, number>;
  begin?(t: number, globals: Record<string, number>): void;
  update(w: Vec, g: Vec, s: Record<string, Vec>, shape: readonly number[], c: RefContext): Vec;
}

export interface RefOptions {
  learningRate: number | ((step: number) => number);
  weightDecay?: number;
  clipnorm?: number;
  clipvalue?: number;
  globalClipnorm?: number;
  useEma?: boolean;
  emaMomentum?: number;
  emaOverwriteFrequency?: number;
  gradientAccumulationSteps?: number;
}

export interface RefVar {
  shape: number[];
  values: number[];
}

const map = (a: Vec, f: (x: number, i: number) => number): Vec => Float64Array.from(a, f);
const zeros = (a: Vec): Vec => new Float64Array(a.length);
const sumSq = (a: Vec): number => a.reduce((s, x) => s + x * x, 0);

/** Runs the reference; returns the variables after every step, and the final slots / averages. */
export function referenceRun(rule: RefRule, vars: readonly RefVar[], gradSteps: readonly (readonly number[][])[], o: RefOptions) {
  let ws = vars.map((v) => Float64Array.from(v.values));
  const slots = ws.map((w, i) => rule.slots(w, vars[i]!.shape));
  const globals = rule.globals?.() ?? {};
  let acc = ws.map(zeros);
  let avg = ws.map((w) => Float64Array.from(w));
  const history: Vec[][] = [];
  let iterations = 0;
  for (const stepGrads of gradSteps) {
    const t = iterations + 1;
    let gs = stepGrads.map((g) => Float64Array.from(g));
    let update = true;
    const n = o.gradientAccumulationSteps;
    if (n !== undefined) {
      if (t % n !== 0) {
        acc = acc.map((a, i) => map(a, (x, j) => x + gs[i]![j]!));
        update = false;
      } else {
        gs = gs.map((g, i) => map(g, (x, j) => (x + acc[i]![j]!) / n));
        acc = ws.map(zeros);
      }
    }
    if (update) {
      if (o.clipnorm !== undefined) {
        const c = o.clipnorm;
        gs = gs.map((g) => map(g, (x) => (x * c) / Math.max(Math.sqrt(sumSq(g)), c)));
      } else if (o.globalClipnorm !== undefined) {
        const c = o.globalClipnorm;
        const norm = Math.sqrt(gs.reduce((s, g) => s + sumSq(g), 0));
        gs = gs.map((g) => map(g, (x) => (x * c) / Math.max(norm, c)));
      } else if (o.clipvalue !== undefined) {
        const c = o.clipvalue;
        gs = gs.map((g) => map(g, (x) => Math.min(c, Math.max(-c, x))));
      }
      const lr = typeof o.learningRate === 'number' ? o.learningRate : o.learningRate(iterations);
      if (o.weightDecay !== undefined) {
        const wd = o.weightDecay;
        ws = ws.map((w) => map(w, (x) => x - x * wd * lr));
      }
      rule.begin?.(t, globals);
      const ctx: RefContext = { lr, t, constantLr: typeof o.learningRate === 'number', globals };
      ws = ws.map((w, i) => rule.update(w, gs[i]!, slots[i]!, vars[i]!.shape, ctx));
    }
    if (o.useEma === true) {
      const m = iterations === 0 ? 0 : (o.emaMomentum ?? 0.99);
      avg = avg.map((a, i) => map(a, (x, j) => m * x + (1 - m) * ws[i]![j]!));
      if (o.emaOverwriteFrequency !== undefined && t % o.emaOverwriteFrequency === 0) ws = avg.map((a) => Float64Array.from(a));
    }
    iterations = t;
    history.push(ws.map((w) => Float64Array.from(w)));
  }
  return { history, slots, averages: avg, globals };
}

/** Runs a Descent optimizer on the same variables and gradients; returns the variables after every step. */
export function descentRun(opt: Optimizer, vars: readonly RefVar[], gradSteps: readonly (readonly number[][])[], prefix = 'v') {
  const vs: Variable[] = vars.map((v, i) => variable(tensor(v.values, v.shape), { name: `${prefix}${i}` }));
  const history: Float32Array[][] = [];
  for (const stepGrads of gradSteps) {
    opt.applyGradients(stepGrads.map((g, i) => [tensor(g, vars[i]!.shape), vs[i]!] as const));
    history.push(vs.map((v) => v.dataSync() as Float32Array));
  }
  return { history, vars: vs };
}

/** Elementwise `|a − b| ≤ atol + rtol·|b|`, with a message naming the step, variable and element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rtol = 2e-5, atol = 2e-6): void {
  closeTo(actual, expected, { atol, rtol, label });
}

/** Two variables (a matrix and a vector) and three steps of fixed, varied gradients. */
export const TWO_VARS: RefVar[] = [
  { shape: [2, 3], values: [0.5, -1.2, 0.8, 1.5, -0.3, 0.9] },
  { shape: [3], values: [0.1, -0.7, 2.0] },
];

export function gradientSteps(steps: number): number[][][] {
  const out: number[][][] = [];
  for (let s = 0; s < steps; s++) {
    out.push(
      TWO_VARS.map((v, vi) =>
        v.values.map((_, j) => {
          // Deterministic, sign-varying, not all the same magnitude; never exactly zero.
          const x = Math.sin(1.3 * (j + 1) + 0.7 * s + 2.1 * vi) * (1 + 0.5 * j) + 0.05;
          return Number(Math.fround(x));
        }),
      ),
    );
  }
  return out;
}

/** The option sets every optimizer is checked with (besides its own flags). */
export const OPTION_CASES: { label: string; options: Omit<RefOptions, 'learningRate'>; steps: number }[] = [
  { label: 'no options', options: {}, steps: 3 },
  { label: 'clipnorm', options: { clipnorm: 0.5 }, steps: 3 },
  { label: 'clipvalue', options: { clipvalue: 0.3 }, steps: 3 },
  { label: 'globalClipnorm', options: { globalClipnorm: 1 }, steps: 3 },
  { label: 'weightDecay', options: { weightDecay: 0.1 }, steps: 3 },
  { label: 'EMA', options: { useEma: true, emaMomentum: 0.9 }, steps: 3 },
  { label: 'EMA with overwrite', options: { useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2 }, steps: 3 },
  { label: 'gradient accumulation', options: { gradientAccumulationSteps: 2 }, steps: 4 },
];

/**
 * Three (or four) steps of `make(options)` against the reference rule, for every option case:
 * variables after every step, then the EMA averages.
 */
export function checkAgainstReference(
  make: (options: Record<string, unknown>) => Optimizer,
  rule: () => RefRule,
  learningRate: number,
  tol: { rtol?: number; atol?: number } = {},
): void {
  for (const c of OPTION_CASES) {
    const grads = gradientSteps(c.steps);
    const ref = referenceRun(rule(), TWO_VARS, grads, { learningRate, ...c.options });
    const opt = make({ learningRate, ...c.options });
    const got = descentRun(opt, TWO_VARS, grads);
    for (let s = 0; s < c.steps; s++) {
      for (let v = 0; v < TWO_VARS.length; v++) {
        expectClose(got.history[s]![v]!, ref.history[s]![v]!, `${c.label}, step ${s + 1}, variable ${v}`, tol.rtol, tol.atol);
      }
    }
    if (c.options.useEma === true) {
      const averages = opt.getWeights().filter((w) => w.name.endsWith('/average'));
      expect(averages.length).toBe(TWO_VARS.length);
      averages.forEach((a, v) => expectClose(a.tensor.dataSync(), ref.averages[v]!, `${c.label}, average ${v}`, tol.rtol, tol.atol));
    }
  }
}
