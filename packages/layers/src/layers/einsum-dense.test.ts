import { gradCheck } from '@descent/autograd';
import { setSeed, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { EinsumDense, einsumDenseShapes } from './einsum-dense.js';
import { Input } from './input-layer.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => {
  resetLayerNames();
  setSeed(3);
});

describe('EinsumDense', () => {
  it("computes Keras's weight and output shapes for the documented equations", () => {
    expect(einsumDenseShapes('ab,bc->ac', 'c', [null, 32], [64])).toEqual({ kernel: [32, 64], bias: [64], output: [null, 64] });
    expect(einsumDenseShapes('abc,cd->abd', 'd', [null, 32, 128], [null, 64])).toEqual({ kernel: [128, 64], bias: [64], output: [null, 32, 64] });
    expect(einsumDenseShapes('abc,cde->abde', 'de', [null, 32, 128], [null, 16, 64])).toEqual({ kernel: [128, 16, 64], bias: [16, 64], output: [null, 32, 16, 64] });
    // Bias on a middle axis: from its letter to the end, 1 on the others.
    expect(einsumDenseShapes('abc,cde->abde', 'd', [null, 32, 128], [null, 16, 64]).bias).toEqual([16, 1]);
    expect(einsumDenseShapes('...b,bc->...c', 'c', [null, 32, 128], [64])).toEqual({ kernel: [128, 64], bias: [64], output: [null, 32, 64] });
    expect(einsumDenseShapes('ab...,bc->ac...', 'c', [null, 4, 5], [6])).toEqual({ kernel: [4, 6], bias: [6, 1], output: [null, 6, 5] });
    expect(() => einsumDenseShapes('ab,bc->ac', null, [null, 3], [4, 5])).toThrow(/outputShape must have 1 entry for output 'ac'/);
    expect(() => einsumDenseShapes('abc,cd->abd', null, [null, 3, 4], [7, 2])).toThrow(/output axis 'b' is input axis 'b', so its size must be 3, but outputShape gives 7/);
    expect(() => einsumDenseShapes('ab,bc->ae', null, [null, 3], [4])).toThrow(/output axis 'e' .* is in neither the input nor the kernel/);
    expect(() => einsumDenseShapes('ab,bc->ac', 'z', [null, 3], [4])).toThrow(/biasAxes 'z' names 'z', which is not an axis of the output 'ac'/);
    expect(() => einsumDenseShapes('ab,bc->ac', null, [null, 3, 4], [4])).toThrow(/names 2 input axes, but the input has rank 3.*use '...'/);
  });

  it('abc,cde->abde + bias de matches a float64 loop', () => {
    const layer = new EinsumDense({ equation: 'abc,cde->abde', outputShape: [null, 2, 3], biasAxes: 'de' });
    const x = pseudoTensor([2, 3, 4], 1);
    layer.apply(x);
    expect(layer.getWeightNames()).toEqual(['einsum_dense/kernel', 'einsum_dense/bias']);
    setPseudoWeights(layer, 5, 0.7);
    const xs = Array.from(x.dataSync());
    const k = Array.from(layer.kernel!.dataSync());
    const bias = Array.from(layer.bias!.dataSync());
    const want: number[] = [];
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 3; b++) {
        for (let d = 0; d < 2; d++) {
          for (let e = 0; e < 3; e++) {
            let acc = bias[d * 3 + e]!;
            for (let c = 0; c < 4; c++) acc += xs[(a * 3 + b) * 4 + c]! * k[(c * 2 + d) * 3 + e]!;
            want.push(acc);
          }
        }
      }
    }
    expectTensor(layer.apply(x), [2, 3, 2, 3], want);
    expect(layer.computeOutputShape([null, 3, 4])).toEqual([null, 3, 2, 3]);
  });

  it('ellipsis on the left and on the right, activation, and the Dense special case', () => {
    const x = pseudoTensor([2, 3, 4], 2);
    const left = new EinsumDense({ equation: '...b,bc->...c', outputShape: 5, biasAxes: 'c', activation: 'relu' });
    left.apply(x);
    setPseudoWeights(left, 7);
    const dense = x.matMul(left.kernel!).add(left.bias!).relu();
    expectTensor(left.apply(x), [2, 3, 5], Array.from(dense.dataSync()));
    // 'ab...,bc->ac...' contracts axis 1 and keeps the trailing axis last.
    const right = new EinsumDense({ equation: 'ab...,bc->ac...', outputShape: [6], biasAxes: 'c' });
    const y = right.apply(x);
    expect(y.shape).toEqual([2, 6, 4]);
    setPseudoWeights(right, 9);
    const moved = x.transpose([0, 2, 1]).matMul(right.kernel!).transpose([0, 2, 1]).add(right.bias!);
    expectTensor(right.apply(x), [2, 6, 4], Array.from(moved.dataSync()));
    expect(right.bias!.shape).toEqual([6, 1]);
    // Symbolic: output shape from the equation.
    expect(new EinsumDense({ equation: 'abc,cd->abd', outputShape: [null, 7] }).apply(Input({ shape: [5, 4] })).shape).toEqual([null, 5, 7]);
  });

  it('gradients match finite differences', () => {
    const layer = new EinsumDense({ equation: 'abc,cde->abde', outputShape: [null, 2, 2], biasAxes: 'e', activation: 'tanh' });
    const x = pseudoTensor([2, 2, 3], 3);
    layer.apply(x);
    setPseudoWeights(layer, 11, 0.6);
    checkLayerGrads(layer, x);
    gradCheck((xi) => layer.apply(xi), [x], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
  });

  it('validates options and serializes with Keras keys', () => {
    expect(() => new EinsumDense({ equation: 'ab->b', outputShape: 2 })).toThrow(/equation must be '<input>,<kernel>-><output>'/);
    expect(() => new EinsumDense({ equation: 'ab,bc->ac', outputShape: 0 })).toThrow(/outputShape must be a positive integer/);
    expect(() => new EinsumDense({ equation: 'ab,bc->ac', outputShape: 2, biasAxes: '1' })).toThrow(/biasAxes must be null or a string of output letters/);
    expect(() => new EinsumDense({ equation: 'ab,bc->ac', outputShape: 2, biasAxis: 'c' } as never)).toThrow(/unknown option 'biasAxis'. Did you mean 'biasAxes'\?/);
    const layer = new EinsumDense({ equation: 'abc,cd->abd', outputShape: [null, 3], biasAxes: 'd', activation: 'gelu', kernelRegularizer: 'l1' });
    const x = pseudoTensor([1, 2, 4], 4);
    const out = layer.apply(x);
    const spec = serializeLayer(layer);
    expect(spec.config).toMatchObject({ equation: 'abc,cd->abd', outputShape: [null, 3], biasAxes: 'd', activation: 'gelu' });
    const copy = deserializeLayer(JSON.parse(JSON.stringify(spec))) as EinsumDense;
    copy.apply(x);
    copy.setWeights(layer.getWeights());
    expectTensor(copy.apply(x), [1, 2, 3], Array.from(out.dataSync()), 1e-6);
    expect(copy.regularizationLosses()).toHaveLength(1);
    // A Keras 3 config (snake_case keys turned camelCase by the loader) with its LoRA/quantization keys at their defaults.
    const keras = deserializeLayer({ className: 'EinsumDense', config: { name: 'proj', equation: 'ab,bc->ac', outputShape: [4], biasAxes: 'c', activation: 'linear', loraRank: null, loraAlpha: null, gptqUnpackedColumnSize: null, quantizationConfig: null } });
    expect(keras.apply(pseudoTensor([2, 3], 5)).shape).toEqual([2, 4]);
    expect(() => deserializeLayer({ className: 'EinsumDense', config: { equation: 'ab,bc->ac', outputShape: [4], loraRank: 8 } })).toThrow(/config key 'loraRank' is 8, which Descent does not support/);
    expect(() => layer.apply(pseudoTensor([1, 2, 5]))).toThrow(/expected input with rank 3 and 4 features on the last axis/);
    expect(() => layer.apply(tensor([[[true]]]))).toThrow();
  });
});
