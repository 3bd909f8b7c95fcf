import { describe, expect, it } from 'vitest';
import { float32Bits } from '@descent/test-utils';
import { runKernel } from '../engine.js';
import { BIAS_GRAD_BLOCK } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import { add } from './binary.js';
import { conv2d as plainConv2d } from './conv.js';
import { tensor } from './convert.js';
import type { Activation } from './fused.js';
import { conv2d, matMul } from './fused.js';
import { matMul as plainMatMul } from './matmul.js';
import { randomNormal } from './random.js';
import { relu, relu6, sigmoid } from './unary.js';

const composed: Record<string, (x: Tensor) => Tensor> = { linear: (x) => x, relu: (x) => relu(x), relu6: (x) => relu6(x), sigmoid: (x) => sigmoid(x) };

describe('fused.matMul', () => {
  it('adds the bias and applies relu: a hand-checked 2×2 case', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[1, 0], [0, -1]]);
    const bias = tensor([0.5, -1]);
    // a·b = [[1, -2], [3, -4]]; + bias = [[1.5, -3], [3.5, -5]].
    expect(matMul({ a, b, bias }).toArray()).toEqual([[1.5, -3], [3.5, -5]]);
    expect(matMul({ a, b, bias, activation: 'relu' }).toArray()).toEqual([[1.5, 0], [3.5, 0]]);
  });

  const shapes: [number[], number[], boolean, boolean][] = [
    [[7, 5], [5, 13], false, false],
    [[64, 200], [200, 72], false, false],
    [[130, 600], [40, 600], false, true],
    [[9, 33], [9, 17], true, false],
    [[2, 3, 11], [11, 24], false, false],
    [[0, 4], [4, 3], false, false],
    [[3, 0], [0, 5], false, false],
  ];
  for (const [sa, sb, ta, tb] of shapes) {
    for (const activation of ['linear', 'relu'] as const) {
      it(`equals matMul → add → ${activation} bit for bit: [${sa.join(',')}]·[${sb.join(',')}] (transposes ${ta}, ${tb})`, () => {
        const a = randomNormal(sa, 0, 1, 'float32', 11);
        const b = randomNormal(sb, 0, 1, 'float32', 12);
        const n = tb ? sb[0]! : sb[1]!;
        const bias = randomNormal([n], 0, 1, 'float32', 13);
        const want = composed[activation]!(add(plainMatMul(a, b, ta, tb), bias));
        const got = matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation });
        expect(got.shape).toEqual(want.shape);
        expect(float32Bits(got)).toEqual(float32Bits(want));
      });
    }
  }

  it('passes NaN, and −0 from relu, as Add and Relu do', () => {
    const a = tensor([[Number.NaN, 0], [1, 0], [-1, 0]]);
    const b = tensor([[1, 1], [0, 0]]);
    const bias = tensor([0, -0]);
    for (const activation of ['linear', 'relu'] as const) {
      const want = composed[activation]!(add(plainMatMul(a, b), bias));
      expect(float32Bits(matMul({ a, b, bias, activation }))).toEqual(float32Bits(want));
    }
  });

  it('composes what the kernel does not fuse: other activations, a broadcast bias, no bias, int32 operands', () => {
    const a = randomNormal([6, 4], 0, 1, 'float32', 1);
    const b = randomNormal([4, 5], 0, 1, 'float32', 2);
    const bias = randomNormal([5], 0, 1, 'float32', 3);
    for (const activation of ['relu6', 'sigmoid'] as const) {
      expect(float32Bits(matMul({ a, b, bias, activation }))).toEqual(float32Bits(composed[activation]!(add(plainMatMul(a, b), bias))));
    }
    const row = randomNormal([6, 1], 0, 1, 'float32', 4);
    expect(float32Bits(matMul({ a, b, bias: row, activation: 'relu' }))).toEqual(float32Bits(relu(add(plainMatMul(a, b), row))));
    expect(float32Bits(matMul({ a, b, activation: 'relu' }))).toEqual(float32Bits(relu(plainMatMul(a, b))));
    const ai = tensor([[1, -2]], [1, 2], 'int32');
    const bi = tensor([[3], [1]], [2, 1], 'int32');
    expect(matMul({ a: ai, b: bi, bias: [0.5], activation: 'relu' }).toArray()).toEqual([[1.5]]);
  });

  it('names the op and the valid activations in its errors', () => {
    const a = tensor([[1, 2]]);
    expect(() => matMul({ a, b: a, activation: 'swish' as Activation })).toThrow(
      "fused.matMul: activation must be one of 'linear', 'relu', 'relu6', 'elu', 'sigmoid', 'tanh', got swish",
    );
    expect(() => matMul({ a, b: a, bias: [1] })).toThrow('matMul: inner dimensions must match');
  });
});

describe('fused.conv2d', () => {
  const cases: { x: number[]; f: number[]; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] }[] = [
    // Shallow patch, channels in eights: the wasm backend's direct kernel.
    { x: [3, 10, 9, 1], f: [3, 3, 1, 16], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
    // Deeper patch: implicit GEMM / Winograd on wasm.
    { x: [2, 9, 8, 20], f: [3, 3, 20, 24], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
    { x: [2, 7, 6, 3], f: [3, 2, 3, 5], strides: [2, 1], pad: 'same', dilations: [1, 1] },
    { x: [1, 8, 8, 2], f: [2, 2, 2, 8], strides: [1, 1], pad: 'valid', dilations: [2, 2] },
    { x: [2, 5, 5, 4], f: [1, 1, 4, 6], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  ];
  for (const c of cases) {
    for (const activation of ['linear', 'relu'] as const) {
      it(`equals conv2d → add → ${activation} bit for bit: x [${c.x.join(',')}], filter [${c.f.join(',')}], ${c.pad}, strides ${c.strides.join(',')}, dilations ${c.dilations.join(',')}`, () => {
        const x = randomNormal(c.x, 0, 1, 'float32', 21);
        const filter = randomNormal(c.f, 0, 1, 'float32', 22);
        const bias = randomNormal([c.f[3]!], 0, 1, 'float32', 23);
        const want = composed[activation]!(add(plainConv2d(x, filter, c.strides, c.pad, c.dilations), bias));
        const got = conv2d({ x, filter, strides: c.strides, pad: c.pad, dilations: c.dilations, bias, activation });
        expect(got.shape).toEqual(want.shape);
        expect(float32Bits(got)).toEqual(float32Bits(want));
      });
    }
  }

  it('takes an unbatched [h, w, c] input and refuses another data format', () => {
    const x = randomNormal([5, 5, 2], 0, 1, 'float32', 1);
    const filter = randomNormal([3, 3, 2, 8], 0, 1, 'float32', 2);
    const bias = randomNormal([8], 0, 1, 'float32', 3);
    const got = conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' });
    expect(got.shape).toEqual([5, 5, 8]);
    expect(float32Bits(got)).toEqual(float32Bits(relu(add(plainConv2d(x, filter, 1, 'same'), bias))));
    expect(() => conv2d({ x, filter, strides: 1, pad: 'same', dataFormat: 'NCHW' as 'NHWC' })).toThrow(
      "fused.conv2d: dataFormat must be 'NHWC' (channels last), got NCHW",
    );
  });
});

describe('BiasAddGrad', () => {
  it('sums over every axis but the last: a hand-checked case', () => {
    const dy = tensor([[[1, 2, 3], [4, 5, 6]], [[-1, 0.5, 0], [2, 2, 2]]]);
    expect(runKernel('BiasAddGrad', [dy], {}).toArray()).toEqual([6, 9.5, 11]);
  });

  it('adds blocks of BIAS_GRAD_BLOCK rows in block order, at every size around the block edges', () => {
    for (const rows of [1, BIAS_GRAD_BLOCK - 1, BIAS_GRAD_BLOCK, BIAS_GRAD_BLOCK + 1, 5 * BIAS_GRAD_BLOCK + 7]) {
      const c = 13;
      const dy = randomNormal([rows, c], 0, 1, 'float32', rows);
      const v = dy.dataSync();
      // The reference: float32 sums in the documented order.
      const want = new Float32Array(c);
      for (let r0 = 0; r0 < rows; r0 += BIAS_GRAD_BLOCK) {
        const part = Float32Array.from(v.subarray(r0 * c, r0 * c + c));
        for (let r = r0 + 1; r < Math.min(rows, r0 + BIAS_GRAD_BLOCK); r++) for (let j = 0; j < c; j++) part[j] = Math.fround(part[j]! + v[r * c + j]!);
        for (let j = 0; j < c; j++) want[j] = Math.fround(want[j]! + part[j]!);
      }
      expect(runKernel('BiasAddGrad', [dy], {}).dataSync()).toEqual(want);
    }
  });

  it('gives zeros for no rows', () => {
    expect(runKernel('BiasAddGrad', [tensor(new Float32Array(0), [0, 3])], {}).toArray()).toEqual([0, 0, 0]);
  });
});
