import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import type { CallKwargs, LayerInputs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { getMask, setMask } from '../engine/mask.js';
import { Functional } from '../engine/container.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import { Input } from './input-layer.js';
import { Masking } from './masking.js';
import { Add, Concatenate, Dot, Maximum, Minimum } from './merge.js';
import { Flatten } from './reshaping.js';
import { TimeDistributed } from './time-distributed.js';
import { bools, expectTensor, maskOf, setPseudoWeights } from './test-utils/helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Masking', () => {
  it('masks the steps whose features all equal maskValue and zeroes them', () => {
    // Sample 0: steps 0 and 2 hold data, step 1 is all -1; sample 1: step 2 is padding, step 0 has one -1 only.
    const x = tensor([
      [[1, 2], [-1, -1], [0, -1]],
      [[-1, 5], [3, 4], [-1, -1]],
    ]);
    const y = new Masking({ maskValue: -1 }).apply(x);
    expectTensor(y, [2, 3, 2], [[[1, 2], [0, 0], [0, -1]], [[-1, 5], [3, 4], [0, 0]]]);
    expect(maskOf(y)).toEqual([[true, false, true], [true, true, false]]);
    expect(getMask(y)!.dtype).toBe('bool');
    // The default maskValue is 0.
    const z = new Masking().apply(tensor([[[0, 0], [0, 1]]]));
    expect(maskOf(z)).toEqual([[false, true]]);
    expect(bools(new Masking({ maskValue: 2 }).computeMask(tensor([[[2, 2], [2, 3]]]))!.toArray())).toEqual([[false, true]]);
  });

  it('serializes maskValue and refuses a bad one', () => {
    const layer = new Masking({ maskValue: -1, name: 'pad' });
    const spec = JSON.parse(JSON.stringify(serializeLayer(layer))) as { className: string; config: Record<string, unknown> };
    expect(spec.className).toBe('Masking');
    expect(spec.config['maskValue']).toBe(-1);
    const copy = deserializeLayer(spec) as Masking;
    expect(copy.maskValue).toBe(-1);
    expect(copy.supportsMasking).toBe(true);
    expect(() => new Masking({ maskValue: 'zero' as unknown as number })).toThrow(/^Masking: maskValue must be a number, got "zero"$/);
    expect(() => new Masking({ maskValue: 0, maskVal: 1 } as never)).toThrow(/unknown option 'maskVal'/);
    expect(() => new Masking().apply(tensor([1, 2]))).toThrow(/^Masking 'masking(_\d+)?': expected input of rank ≥ 2/);
  });
});

describe('Embedding({ maskZero: true })', () => {
  it('gives the output the mask ids != 0 and keeps a row for index 0', () => {
    const e = new Embedding({ inputDim: 4, outputDim: 2, maskZero: true });
    const ids = tensor([[3, 1, 0, 0], [2, 0, 0, 0]], undefined, 'int32');
    const y = e.apply(ids);
    expect(y.shape).toEqual([2, 4, 2]);
    expect(maskOf(y)).toEqual([[true, true, false, false], [true, false, false, false]]);
    // Index 0 is still looked up (Keras: inputDim counts it), so padded steps hold row 0.
    const table = e.embeddings!.toArray() as number[][];
    expect(y.toArray()).toEqual([[3, 1, 0, 0].map((i) => table[i]), [2, 0, 0, 0].map((i) => table[i])]);
    expect(e.getConfig()['maskZero']).toBe(true);
    const copy = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(e))) as { className: string; config: Record<string, unknown> }) as Embedding;
    expect(copy.maskZero).toBe(true);
    expect(maskOf(copy.apply(ids))).toEqual([[true, true, false, false], [true, false, false, false]]);
  });

  it('without maskZero gives no mask', () => {
    const y = new Embedding({ inputDim: 4, outputDim: 2 }).apply(tensor([[1, 0]], undefined, 'int32'));
    expect(getMask(y)).toBeNull();
  });
});

describe('GlobalAveragePooling1D with a mask', () => {
  it('averages the unmasked steps only and passes no mask on', () => {
    const x = tensor([
      [[1, 10], [3, 30], [100, 100]],
      [[2, 4], [50, 50], [60, 60]],
    ]);
    const mask = tensor([[true, true, false], [true, false, false]], undefined, 'bool');
    const y = new GlobalAveragePooling1D().apply(x, { mask });
    // (1+3)/2, (10+30)/2; the second sample keeps only its first step.
    expectTensor(y, [2, 2], [[2, 20], [2, 4]]);
    expect(getMask(y)).toBeNull();
    // Without a mask it is the plain mean.
    expectTensor(new GlobalAveragePooling1D().apply(x), [2, 2], [[104 / 3, 140 / 3], [112 / 3, 114 / 3]]);
  });

  it('reads the mask the input carries, and refuses a mask of the wrong shape', () => {
    const x = new Masking().apply(tensor([[[2, 4], [0, 0], [6, 8]]]));
    expectTensor(new GlobalAveragePooling1D().apply(x), [1, 2], [[4, 6]]);
    expect(() => new GlobalAveragePooling1D({ name: 'gap' }).apply(tensor([[[1], [2]]]), { mask: tensor([[true, true, true]], undefined, 'bool') })).toThrow(
      /^GlobalAveragePooling1D 'gap': mask must have shape \[batch, steps\] = \[1,2\], got \[1,3\]$/,
    );
  });

  it('GlobalMaxPooling1D ignores the mask, as Keras 3 does (it does not support masking)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = new Masking().apply(tensor([[[1, 5], [0, 0], [3, 2]]]));
    const pool = new GlobalMaxPooling1D({ name: 'gmp' });
    expectTensor(pool.apply(x), [1, 2], [[3, 5]]);
    expect(pool.supportsMasking).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^GlobalMaxPooling1D 'gmp' was given an input with a mask, but does not support masking/);
  });
});

describe('mask propagation through layers', () => {
  it('Dense and Dropout pass the mask through; explicit masks win over carried ones', () => {
    const x = new Masking().apply(tensor([[[1, 2], [0, 0]]]));
    const d = new Dense({ units: 3 });
    const h = new Dropout({ rate: 0.5 }).apply(d.apply(x), { training: true });
    expect(maskOf(h)).toEqual([[true, false]]);
    const given = tensor([[false, true]], undefined, 'bool');
    expect(maskOf(d.apply(x, { mask: given }))).toEqual([[false, true]]);
    // `mask: null` says "no mask", even though x carries one.
    expect(getMask(d.apply(x, { mask: null }))).toBeNull();
  });

  it('TimeDistributed passes the mask on, and its inner layer sees the steps as samples with their mask', () => {
    const seen: unknown[] = [];
    class Spy extends Layer {
      override supportsMasking = true;
      call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
        // Read inside the call: the step mask is an intermediate of TimeDistributed's own call.
        const m = kwargs.mask as Tensor | null | undefined;
        seen.push(m ? bools(m.toArray()) : null);
        return inputs as Tensor;
      }
    }
    const x = new Masking().apply(tensor([[[1], [0], [2]], [[0], [3], [0]]]));
    const y = new TimeDistributed({ layer: new Spy() }).apply(x);
    expect(maskOf(y)).toEqual([[true, false, true], [false, true, false]]);
    expect(seen).toEqual([[true, false, true, false, true, false]]);
    expect(maskOf(new TimeDistributed({ layer: new Dense({ units: 2 }) }).apply(x))).toEqual([[true, false, true], [false, true, false]]);
  });

  it('a layer without mask support drops the mask and warns once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = new Masking().apply(tensor([[[1, 2], [0, 0]]]));
    const flatten = new Flatten({ name: 'flat' });
    const y = flatten.apply(x);
    flatten.apply(x);
    expect(getMask(y)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^Flatten 'flat' was given an input with a mask, but does not support masking \(supportsMasking is false\)/);
  });

  it('an identity layer that drops the mask gives a fresh output, so its input keeps its mask', () => {
    class PassThrough extends Layer {
      call(inputs: LayerInputs, _kwargs: CallKwargs): Tensor {
        return inputs as Tensor;
      }
    }
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = new Masking().apply(tensor([[[1], [0]]]));
    const y = new PassThrough().apply(x);
    expect(y).not.toBe(x);
    expect(getMask(y)).toBeNull();
    expect(maskOf(x)).toEqual([[true, false]]);
    expect(y.toArray()).toEqual([[[1], [0]]]);
  });

  it('a custom layer sets the output mask itself, or computes it in computeMask', () => {
    class FirstStepOnly extends Layer {
      override supportsMasking = true;
      call(inputs: LayerInputs, _kwargs: CallKwargs): Tensor {
        return inputs as Tensor;
      }
      override computeMask(inputs: LayerInputs): Tensor | null {
        const t = inputs as Tensor;
        return tensor([...Array<boolean>(t.shape[0]!)].map(() => [...Array<boolean>(t.shape[1]!)].map((_, i) => i === 0)), undefined, 'bool');
      }
    }
    expect(maskOf(new FirstStepOnly().apply(tensor([[[1], [2], [3]]])))).toEqual([[true, false, false]]);
    class OwnMask extends Layer {
      call(inputs: LayerInputs, _kwargs: CallKwargs): Tensor {
        const out = (inputs as Tensor).mul(2);
        setMask(out, tensor([[false, true]], undefined, 'bool'));
        return out;
      }
    }
    expect(maskOf(new OwnMask().apply(tensor([[[1], [2]]])))).toEqual([[false, true]]);
  });

  it('merge layers: Add ORs the masks (none unless every input has one), Concatenate joins them, Dot drops them', () => {
    const a = new Masking().apply(tensor([[[1], [0], [0]]]));
    const b = new Masking().apply(tensor([[[0], [2], [0]]]));
    const plain = tensor([[[5], [5], [5]]]);
    expect(maskOf(new Add().apply([a, b]))).toEqual([[true, true, false]]);
    expect(getMask(new Add().apply([a, plain]))).toBeNull();
    // Features joined: a step stays while any input keeps it; the unmasked input keeps every step.
    expect(maskOf(new Concatenate().apply([a, b]))).toEqual([[true, true, false]]);
    expect(maskOf(new Concatenate().apply([a, plain]))).toEqual([[true, true, true]]);
    // Steps joined: the masks are joined too.
    expect(maskOf(new Concatenate({ axis: 1 }).apply([a, b]))).toEqual([[true, false, false, false, true, false]]);
    expect(getMask(new Dot({ axes: 1 }).apply([a, b]))).toBeNull();
    expect(() => new Add({ name: 'plus' }).apply([a, b], { mask: tensor([[true]], undefined, 'bool') })).toThrow(
      /^Add 'plus': mask must be a list with one entry \(a tensor or null\) per input, 2 in all, got a single tensor$/,
    );
  });

  it("Maximum and Minimum leave masked entries out (Keras: the other input's value stands in)", () => {
    const a = new Masking().apply(tensor([[[1], [0], [0]]])); // steps: real, masked, masked
    const b = new Masking().apply(tensor([[[-3], [-2], [0]]])); // real, real, masked
    const c = new Masking().apply(tensor([[[3], [2], [0]]]));
    const max = new Maximum().apply([a, b]);
    // Step 1: a is masked, so b's -2 wins (unmasked, max(0, -2) would be 0); step 2: both masked, a's value.
    expectTensor(max, [1, 3, 1], [[[1], [-2], [0]]]);
    expect(maskOf(max)).toEqual([[true, true, false]]);
    expectTensor(new Minimum().apply([a, c]), [1, 3, 1], [[[1], [2], [0]]]);
    // Without masks, the plain element-wise results.
    expectTensor(new Maximum().apply([tensor([[[1], [0], [0]]]), tensor([[[-3], [-2], [0]]])]), [1, 3, 1], [[[1], [0], [0]]]);
  });

  it('the mask of an eager call survives the call (it is not released with the intermediates)', () => {
    const y = new Dense({ units: 2 }).apply(new Masking().apply(tensor([[[1], [0]]])));
    expect(getMask(y)!.dataSync()).toEqual(new Uint8Array([1, 0]));
  });
});

describe('masks in a functional graph', () => {
  /** Embedding(maskZero) → GlobalAveragePooling1D → Dense: padded ids must give the unpadded results. */
  function model(maskZero = true): Functional {
    const ids = Input({ shape: [null], dtype: 'int32' });
    const emb = new Embedding({ inputDim: 6, outputDim: 3, maskZero });
    const out = new Dense({ units: 2 }).apply(new GlobalAveragePooling1D().apply(emb.apply(ids)));
    const graph = new Functional({ inputs: ids, outputs: out });
    for (const layer of graph.layers) if (layer.weights.length > 0) setPseudoWeights(layer);
    return graph;
  }

  it('padded batches give the results of the unpadded sequences', () => {
    const graph = model();
    const padded = graph.apply(tensor([[4, 2, 5, 0, 0], [1, 0, 0, 0, 0], [3, 3, 1, 2, 5]], undefined, 'int32'));
    const rows = [[4, 2, 5], [1], [3, 3, 1, 2, 5]].map((r) => graph.apply(tensor([r], undefined, 'int32')).toArray() as number[][]);
    expectTensor(padded, [3, 2], rows.map((r) => r[0]!), 1e-6);
    // Without masking (same weights) the padding counts, so the padded row differs.
    const unmasked = model(false).apply(tensor([[4, 2, 5, 0, 0]], undefined, 'int32')).toArray() as number[][];
    expect(Math.abs(unmasked[0]![0]! - rows[0]![0]![0]!)).toBeGreaterThan(1e-3);
  });

  it('a graph takes a mask for its inputs and its output carries the mask of its last layer', () => {
    const x = Input({ shape: [3, 2] });
    const graph = new Functional({ inputs: x, outputs: new Dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' }).apply(x) });
    const data = tensor([[[1, 2], [3, 4], [5, 6]]]);
    const given = tensor([[true, false, true]], undefined, 'bool');
    const y = graph.apply(data, { mask: given });
    expect(maskOf(y)).toEqual([[true, false, true]]);
    expect(getMask(data)).toBeNull();
    expect(getMask(graph.apply(data))).toBeNull();
    // Nested in another graph, it passes its inner mask on.
    const ids = Input({ shape: [3] });
    const inner = new Functional({ inputs: ids, outputs: new Embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(ids) });
    const outer = Input({ shape: [3] });
    const wrap = new Functional({ inputs: outer, outputs: new GlobalAveragePooling1D().apply(inner.apply(outer)) });
    const table = (inner.layers[1] as Embedding).embeddings!.toArray() as number[][];
    const got = wrap.apply(tensor([[2, 4, 0]])).toArray() as number[][];
    expect(got[0]![0]).toBeCloseTo((table[2]![0]! + table[4]![0]!) / 2, 6);
    expect(got[0]![1]).toBeCloseTo((table[2]![1]! + table[4]![1]!) / 2, 6);
    // A graph with several outputs gives each its own mask, readable after applyOutputs returns.
    const i2 = Input({ shape: [3] });
    const e2 = new Embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(i2);
    const two = new Functional({ inputs: i2, outputs: [e2, new GlobalAveragePooling1D().apply(e2)] });
    const [perStep, pooled] = two.applyOutputs(tensor([[1, 0, 2]]));
    expect(maskOf(perStep!)).toEqual([[true, false, true]]);
    expect(getMask(pooled!)).toBeNull();
  });
});

it("README's masking example", () => {
  const ids = Input({ shape: [null], dtype: 'int32' });
  const emb = new Embedding({ inputDim: 10, outputDim: 4, maskZero: true });
  const h = emb.apply(ids);
  const y = new Dense({ units: 1 }).apply(new GlobalAveragePooling1D().apply(h));
  const model = new Functional({ inputs: ids, outputs: y });
  const padded = model.apply(tensor([[5, 2, 0, 0]], undefined, 'int32'));
  expectTensor(padded, [1, 1], model.apply(tensor([[5, 2]], undefined, 'int32')).dataSync() as unknown as number[], 1e-6);
  expect(getMask(emb.apply(tensor([[5, 2, 0]], undefined, 'int32')))!.dataSync()).toEqual(new Uint8Array([1, 1, 0]));
});
