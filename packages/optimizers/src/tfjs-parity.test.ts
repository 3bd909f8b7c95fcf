/**
 * Parity with TensorFlow.js on 50 steps of identical gradients, for the optimizers whose math
 * agrees with Keras 3 (the package README lists where they differ): SGD, momentum (constant rate, where
 * TF.js's `accum = μ·accum + g; w −= η·accum` equals Keras's velocity form), Adagrad, RMSprop
 * (non-centered), Adamax (decay 0) and Adam with ε = 0. Hyperparameters are passed explicitly
 * because TF.js's defaults differ.
 */
import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const SHAPES: number[][] = [[3, 4], [5]];
const STEPS = 50;

/** Deterministic gradients that change sign and size from step to step, never zero. */
function gradients(step: number): Float32Array[] {
  return SHAPES.map((shape, v) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.sin(0.37 * step + 1.1 * i + 2.3 * v) * (0.5 + ((i * 7 + step) % 5) * 0.3) + 0.01;
    return out;
  });
}

function initial(v: number): Float32Array {
  const n = SHAPES[v]!.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.cos(0.9 * i + v) * 0.8);
}

function runDescent(opt: Optimizer): Float32Array[] {
  const vars = SHAPES.map((shape, v) => variable(tensor(initial(v), shape), { name: `p${v}` }));
  for (let s = 0; s < STEPS; s++) {
    const gs = gradients(s);
    opt.applyGradients(vars.map((w, v) => [tensor(gs[v]!, SHAPES[v]), w] as const));
  }
  return vars.map((w) => w.dataSync() as Float32Array);
}

function runTfjs(opt: tf.Optimizer, tag: string): Float32Array[] {
  const vars = SHAPES.map((shape, v) => tf.variable(tf.tensor(initial(v), shape), true, `${tag}_p${v}`));
  for (let s = 0; s < STEPS; s++) {
    const gs = gradients(s);
    const named: Record<string, tf.Tensor> = {};
    vars.forEach((w, v) => (named[w.name] = tf.tensor(gs[v]!, SHAPES[v])));
    opt.applyGradients(named);
    Object.values(named).forEach((t) => t.dispose());
  }
  const out = vars.map((w) => w.dataSync() as Float32Array);
  vars.forEach((w) => w.dispose());
  opt.dispose();
  return out;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, v) => x.forEach((value, i) => (m = Math.max(m, Math.abs(value - b[v]![i]!)))));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases: { name: string; descent: () => Optimizer; tfjs: () => tf.Optimizer }[] = [
  { name: 'SGD', descent: () => new SGD({ learningRate: 0.05 }), tfjs: () => tf.train.sgd(0.05) },
  { name: 'momentum', descent: () => new SGD({ learningRate: 0.02, momentum: 0.9 }), tfjs: () => tf.train.momentum(0.02, 0.9) },
  {
    name: 'Nesterov momentum',
    descent: () => new SGD({ learningRate: 0.02, momentum: 0.8, nesterov: true }),
    tfjs: () => tf.train.momentum(0.02, 0.8, true),
  },
  {
    name: 'Adagrad',
    descent: () => new Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.1 }),
    tfjs: () => tf.train.adagrad(0.1, 0.1),
  },
  {
    name: 'RMSprop',
    descent: () => new RMSprop({ learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7 }),
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false),
  },
  {
    name: 'RMSprop with momentum',
    descent: () => new RMSprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7 }),
    tfjs: () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7, false),
  },
  {
    name: 'Adamax',
    descent: () => new Adamax({ learningRate: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    tfjs: () => tf.train.adamax(0.02, 0.9, 0.999, 1e-7, 0),
  },
  {
    name: 'Adam (epsilon 0)',
    descent: () => new Adam({ learningRate: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 0 }),
    tfjs: () => tf.train.adam(0.02, 0.9, 0.999, 0),
  },
];

describe('parity with TF.js (CPU backend, 50 steps)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const ours = runDescent(c.descent());
      const theirs = runTfjs(c.tfjs(), c.name.replace(/\W/g, '_'));
      const initialDiff = maxAbsDiff(ours, SHAPES.map((_, v) => initial(v)));
      // The variables moved a long way, and both libraries agree on where to.
      expect(initialDiff).toBeGreaterThan(0.05);
      expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-5);
    });
  }
});
