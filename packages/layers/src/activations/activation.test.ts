import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { expectClose } from '@descent/test-utils';
import { describe, expect, it } from 'vitest';
import { getActivation, listActivations, serializeActivation } from './activation.js';

const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => Math.log1p(Math.exp(x));
/** erf by its Maclaurin series, accurate to float64 for the |x| ≤ 3/√2 used here. */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Reference formulas written from the Keras 3 definitions. */
const REFERENCE: Record<string, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * (Math.exp(x) - 1)),
  sigmoid,
  hard_sigmoid: (x) => Math.min(1, Math.max(0, x / 6 + 0.5)),
  tanh: Math.tanh,
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  swish: (x) => x * sigmoid(x),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  mish: (x) => x * Math.tanh(softplus(x)),
  leaky_relu: (x) => (x > 0 ? x : 0.2 * x),
  exponential: Math.exp,
};

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

describe('activations', () => {
  for (const [name, f] of Object.entries(REFERENCE)) {
    it(`${name} matches its formula, by snake_case and camelCase name`, () => {
      for (const spelling of [name, camel(name)]) {
        const a = getActivation(spelling);
        expect(a.name).toBe(name);
        expectClose(a.apply(tensor(xs)).dataSync(), xs.map(f));
      }
    });
  }

  it('hard_sigmoid follows Keras 3 (relu6(x + 3) / 6), not TF.js 0.2x + 0.5', () => {
    const y = getActivation('hardSigmoid').apply(tensor([-4, -3, -1.5, 0, 1.5, 3, 4])).dataSync();
    expectClose(y, [0, 0, 0.25, 0.5, 0.75, 1, 1]);
  });

  it('softmax and log_softmax work over the last axis', () => {
    const x = tensor([[1, 2, 3], [0, 0, 0]]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0]! + e[1]! + e[2]!;
    const soft = [e[0]! / z, e[1]! / z, e[2]! / z, 1 / 3, 1 / 3, 1 / 3];
    expectClose(getActivation('softmax').apply(x).dataSync(), soft);
    expectClose(getActivation('logSoftmax').apply(x).dataSync(), soft.map(Math.log));
    expect(getActivation('log_softmax').name).toBe('log_softmax');
  });

  it('silu is swish; null and undefined are linear; objects pass through', () => {
    expect(getActivation('silu')).toBe(getActivation('swish'));
    expect(getActivation(null).name).toBe('linear');
    expect(getActivation().name).toBe('linear');
    const custom = { name: 'double', apply: (x: ReturnType<typeof tensor>) => x.mul(2) };
    expect(getActivation(custom)).toBe(custom);
    expect(serializeActivation(getActivation('LeakyReLU'))).toBe('leaky_relu');
  });

  it('lists every name and rejects unknown ones with the closest match', () => {
    expect(listActivations()).toEqual(expect.arrayContaining(['relu', 'hard_sigmoid', 'leaky_relu', 'log_softmax', 'swish', 'silu', 'mish']));
    expect(() => getActivation('rleu')).toThrow(/Unknown activation 'rleu'\. Did you mean 'relu'\? Valid names: .*sigmoid/);
    expect(() => getActivation(42 as never)).toThrow(/getActivation: expected an activation name/);
  });

  it('is differentiable through autograd', () => {
    const x = tensor([[-1.3, -0.4, 0.7], [1.9, 0.25, -2.2]]);
    for (const name of ['swish', 'mish', 'gelu', 'softsign', 'selu', 'elu', 'softmax', 'log_softmax', 'hard_sigmoid', 'leaky_relu']) {
      const a = getActivation(name);
      expect(gradCheck((t) => a.apply(t), [x]).ok, name).toBe(true);
    }
  });
});
