import type { KernelName, Tensor } from '@descent/tensor';
import { add, conv2d, matMul, randomNormal, relu, setKernelHook, sigmoid } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { float32Bits } from '@descent/test-utils';
import type { Activation } from '../activations/index.js';
import { getActivation } from '../activations/index.js';
import { Conv2D } from './conv.js';
import { Dense } from './dense.js';
import { kernelActivation } from './fused-activation.js';

/** The kernels `f` runs, and its result. */
function kernelsOf(f: () => Tensor): { seen: Set<KernelName>; out: Tensor } {
  const seen = new Set<KernelName>();
  const previous = setKernelHook((r) => {
    seen.add(r.kernel);
    previous?.(r);
  });
  try {
    return { seen, out: f() };
  } finally {
    setKernelHook(previous);
  }
}

describe('Dense and Conv2D take the fused bias + activation kernels', () => {
  it('only for the built-in linear and relu activations', () => {
    expect(kernelActivation(getActivation('relu'))).toBe('relu');
    expect(kernelActivation(getActivation(null))).toBe('linear');
    expect(kernelActivation(getActivation('sigmoid'))).toBeNull();
    // A user's own activation named 'relu' may compute something else: never fused.
    const own: Activation = { name: 'relu', apply: (x) => relu(x) };
    expect(kernelActivation(own)).toBeNull();
  });

  it('Dense: FusedMatMul with relu gives matMul → add → relu bit for bit; another activation is applied to FusedMatMul (linear); without a bias, the old kernels', () => {
    const x = randomNormal([5, 3, 7], 0, 1, 'float32', 1);
    const d = new Dense({ units: 6, activation: 'relu', biasInitializer: 'randomNormal' });
    const { seen, out } = kernelsOf(() => d.apply(x));
    expect(seen.has('FusedMatMul')).toBe(true);
    expect(seen.has('Add')).toBe(false);
    expect(out.shape).toEqual([5, 3, 6]);
    expect(float32Bits(out)).toEqual(float32Bits(relu(add(matMul(x, d.kernel!), d.bias!))));
    const plain = new Dense({ units: 6, useBias: false, activation: 'relu' });
    expect(kernelsOf(() => plain.apply(x)).seen.has('FusedMatMul')).toBe(false);
    const s = new Dense({ units: 6, activation: 'sigmoid', biasInitializer: 'randomNormal' });
    const run = kernelsOf(() => s.apply(x));
    expect(run.seen.has('FusedMatMul')).toBe(true);
    expect(run.seen.has('Add')).toBe(false);
    expect(run.seen.has('Sigmoid')).toBe(true);
    expect(float32Bits(run.out)).toEqual(float32Bits(sigmoid(add(matMul(x, s.kernel!), s.bias!))));
  });

  it('Conv2D: FusedConv2D gives conv2d → add → relu bit for bit', () => {
    const x = randomNormal([2, 9, 8, 3], 0, 1, 'float32', 2);
    const c = new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu', biasInitializer: 'randomNormal' });
    const { seen, out } = kernelsOf(() => c.apply(x));
    expect(seen.has('FusedConv2D')).toBe(true);
    expect(float32Bits(out)).toEqual(float32Bits(relu(add(conv2d(x, c.kernel!, 2, 'same'), c.bias!))));
  });
});
