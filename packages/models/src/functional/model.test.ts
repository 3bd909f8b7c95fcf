import type { Layer } from '@descent/layers';
import { variableGrads } from '@descent/autograd';
import { Add, add, BatchNormalization, concatenate, Dense, getLoss, Input, resetLayerNames } from '@descent/layers';
import { get as getOptimizer } from '@descent/optimizers';
import type { KernelHook, Tensor } from '@descent/tensor';
import { oneHot, randomNormal, setKernelHook, setSeed, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelArtifacts } from '../io/artifacts.js';
import { fromMemory, withSaveHandler } from '../io/router.js';
import { fromJSON, loadModel } from '../io/load.js';
import { resetSequentialNames, Sequential } from '../sequential.js';
import { EarlyStopping } from '../callbacks/early-stopping.js';
import { LambdaCallback } from '../callbacks/lambda-callback.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { Model } from './model.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
});

function values(t: Tensor | Tensor[]): number[] {
  if (Array.isArray(t)) throw new Error('expected one tensor');
  return Array.from(t.dataSync());
}

function labels(n: number, classes: number): Tensor {
  return oneHot(tensor(Array.from({ length: n }, (_, i) => (i * 7) % classes), [n], 'int32'), classes);
}

/** Two inputs (a: [3], b: [2]), a shared Dense applied to both, a classification and a regression output. */
function twoHeaded(): Model {
  const a = Input({ shape: [3], name: 'a' });
  const b = Input({ shape: [3], name: 'b' });
  const shared = new Dense({ units: 4, activation: 'tanh', name: 'shared' });
  const h = concatenate([shared.apply(a), shared.apply(b)]);
  const cls = new Dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
  const reg = new Dense({ units: 1, name: 'reg' }).apply(add([shared.apply(a), shared.apply(b)]));
  return new Model({ inputs: [a, b], outputs: [cls, reg], name: 'two_headed' });
}

describe('Model: one input, one output behaves exactly like Sequential', () => {
  it('same initial weights, same history and same trained weights', async () => {
    setSeed(11);
    const seq = new Sequential([new Dense({ units: 5, activation: 'relu', inputShape: [4] }), new Dense({ units: 3, activation: 'softmax' })]);
    setSeed(11);
    const x = Input({ shape: [4] });
    const model = new Model({ inputs: x, outputs: new Dense({ units: 3, activation: 'softmax' }).apply(new Dense({ units: 5, activation: 'relu' }).apply(x)) });
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(seq.getWeights().map((w) => Array.from(w.dataSync())));
    const data = randomNormal([20, 4]);
    const y = labels(20, 3);
    for (const m of [seq, model]) m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    setSeed(5);
    const h1 = await seq.fit(data, y, { epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.25 });
    setSeed(5);
    const h2 = await model.fit(data, y, { epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.25 });
    expect(Object.keys(h2.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(h2.history).toEqual(h1.history);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(seq.getWeights().map((w) => Array.from(w.dataSync())));
    expect(model.evaluate(data, y)).toEqual(seq.evaluate(data, y));
    expect(values(model.predict(data, { batchSize: 7 }))).toEqual(Array.from(seq.predict(data, { batchSize: 7 }).dataSync()));
    expect(model.trainOnBatch(data, y)).toEqual(seq.trainOnBatch(data, y));
    expect(model.testOnBatch(data, y)).toEqual(seq.testOnBatch(data, y));
  });
});

describe('Model training', () => {
  it('a residual block trains: the loss falls', async () => {
    const x = Input({ shape: [4] });
    const h = new Dense({ units: 8, activation: 'relu' }).apply(x);
    const r = new Dense({ units: 8, activation: 'relu' }).apply(new Dense({ units: 8, activation: 'relu' }).apply(h));
    const out = new Dense({ units: 1 }).apply(add([h, r]));
    const model = new Model({ inputs: x, outputs: out });
    const data = randomNormal([64, 4]);
    const y = sum(data, 1, true);
    model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'mse' });
    const history = await model.fit(data, y, { epochs: 30, batchSize: 16, verbose: 0 });
    const loss = history.history.loss!;
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.2);
  });

  it('several inputs and outputs: per-output losses, weights and metrics; history keys as Keras names them', async () => {
    const model = twoHeaded();
    expect(model.inputNames).toEqual(['a', 'b']);
    expect(model.outputNames).toEqual(['cls', 'reg']);
    const a = randomNormal([24, 3]);
    const b = randomNormal([24, 3]);
    const yCls = labels(24, 3);
    const yReg = randomNormal([24, 1]);
    model.compile({ optimizer: 'adam', loss: { cls: 'categoricalCrossentropy', reg: 'mse' }, metrics: { cls: ['accuracy'] }, lossWeights: { cls: 1, reg: 0.5 } });
    const history = await model.fit({ a, b }, [yCls, yReg], { epochs: 2, batchSize: 8, verbose: 0, validationData: [[a, b], { cls: yCls, reg: yReg }] });
    expect(Object.keys(history.history).sort()).toEqual(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'val_cls_accuracy', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    const logs = model.evaluate([a, b], [yCls, yReg], { batchSize: 24 });
    // By hand: each output's loss on predict()'s outputs, and the weighted total.
    const [pCls, pReg] = model.predict({ a, b }) as Tensor[];
    const clsLoss = getLoss('categoricalCrossentropy').apply(yCls, pCls!).item();
    const regLoss = getLoss('mse').apply(yReg, pReg!).item();
    expect(logs.cls_loss).toBeCloseTo(clsLoss, 5);
    expect(logs.reg_loss).toBeCloseTo(regLoss, 5);
    expect(logs.loss).toBeCloseTo(clsLoss + 0.5 * regLoss, 5);
    expect(Object.keys(model.trainOnBatch([a, b], [yCls, yReg]))).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_accuracy']);
  });

  it('sample weights per output (array or object by output name) or one for every output', () => {
    const model = twoHeaded();
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], lossWeights: [1, 2] });
    const xs = [randomNormal([6, 3]), randomNormal([6, 3])];
    const yCls = labels(6, 3);
    const yReg = randomNormal([6, 1]);
    const w = tensor([1, 0, 2, 0.5, 1, 3]);
    const [pCls, pReg] = model.predict(xs) as Tensor[];
    const cce = getLoss('categoricalCrossentropy');
    const mse = getLoss('mse');
    const byName = model.evaluate(xs, [yCls, yReg], { sampleWeight: { reg: w } });
    expect(byName.cls_loss).toBeCloseTo(cce.apply(yCls, pCls!).item(), 5);
    expect(byName.reg_loss).toBeCloseTo(mse.apply(yReg, pReg!, w).item(), 5);
    expect(byName.loss).toBeCloseTo(cce.apply(yCls, pCls!).item() + 2 * mse.apply(yReg, pReg!, w).item(), 5);
    const both = model.evaluate(xs, [yCls, yReg], { sampleWeight: w });
    expect(both.cls_loss).toBeCloseTo(cce.apply(yCls, pCls!, w).item(), 5);
    expect(both.reg_loss).toBeCloseTo(mse.apply(yReg, pReg!, w).item(), 5);
    const list = model.testOnBatch(xs, [yCls, yReg], { sampleWeight: [w, [1, 1, 1, 1, 1, 1]] });
    expect(list.cls_loss).toBeCloseTo(cce.apply(yCls, pCls!, w).item(), 5);
    expect(list.reg_loss).toBeCloseTo(mse.apply(yReg, pReg!).item(), 5);
    expect(() => model.evaluate(xs, [yCls, yReg], { sampleWeight: { rge: w } })).toThrow("evaluate: sampleWeight has key 'rge', which is not one of the model's output names (cls, reg)");
  });

  it('fit on a dataset yielding { xs, ys } objects keyed by input and output names', async () => {
    const model = twoHeaded();
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'] });
    const batches = [0, 1, 2].map(() => ({ xs: { a: randomNormal([4, 3]), b: randomNormal([4, 3]) }, ys: { cls: labels(4, 3), reg: randomNormal([4, 1]) } }));
    const history = await model.fit(batches, { epochs: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(Object.keys(history.history).sort()).toEqual(['cls_loss', 'loss', 'reg_loss']);
  });

  it('callbacks see the model: EarlyStopping restores the best epoch by an output loss, ModelCheckpoint saves a graph model', async () => {
    const model = twoHeaded();
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.8 } }, loss: ['categoricalCrossentropy', 'mse'] });
    const xs = [randomNormal([12, 3]), randomNormal([12, 3])];
    const ys = [labels(12, 3), randomNormal([12, 1])];
    let saved: ModelArtifacts | null = null;
    const checkpoint = new ModelCheckpoint(() => withSaveHandler((a) => void (saved = a)), { monitor: 'loss' });
    const stop = new EarlyStopping({ monitor: 'reg_loss', patience: 2, restoreBestWeights: true });
    const snapshots: number[][][] = [];
    const record = new LambdaCallback({ onEpochEnd: () => void snapshots.push(model.getWeights().map((w) => Array.from(w.dataSync()))) });
    const history = await model.fit(xs, ys, { epochs: 6, batchSize: 4, verbose: 0, callbacks: [record, stop, checkpoint] });
    const regLoss = history.history.reg_loss!;
    const best = regLoss.indexOf(Math.min(...regLoss));
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(snapshots[best]);
    expect((saved!.modelTopology as { class_name: string }).class_name).toBe('Functional');
  });

  it('errors name the op, the inputs and outputs', async () => {
    const model = twoHeaded();
    expect(() => model.compile({ optimizer: 'sgd', loss: ['mse'] })).toThrow('compile: loss has 1 entries, but the model has 2 outputs (cls, reg)');
    expect(() => model.compile({ optimizer: 'sgd', loss: { cls: 'mse', regg: 'mse' } })).toThrow("compile: loss has key 'regg', which is not an output name (outputs: cls, reg)");
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const a = randomNormal([4, 3]);
    await expect(model.fit(a, [labels(4, 3), randomNormal([4, 1])], { verbose: 0 })).rejects.toThrow('fit: the model has 2 inputs (a, b), so x must be an array of 2 tensors or an object keyed by those names');
    await expect(model.fit({ a, c: a }, [labels(4, 3), randomNormal([4, 1])], { verbose: 0 })).rejects.toThrow("fit: x has key 'c', which is not one of the model's input names (a, b)");
    await expect(model.fit([a, randomNormal([4, 2])], [labels(4, 3), randomNormal([4, 1])], { verbose: 0 })).rejects.toThrow("fit: input shape mismatch: model 'two_headed' expects [null,3] for input 'b', got x.b of shape [4,2]");
    await expect(model.fit([a, a], [labels(4, 3), randomNormal([5, 1])], { verbose: 0 })).rejects.toThrow('fit: all inputs must have the same number of samples, got x.a [4,3] and y.reg [5,1]');
  });
});

describe('kernel count', () => {
  it("a residual model's training step runs exactly the kernels of the same step written by hand", () => {
    const x = Input({ shape: [4] });
    const d1 = new Dense({ units: 8, activation: 'relu' });
    const d2 = new Dense({ units: 8, activation: 'relu' });
    const sum = new Add();
    const out = new Dense({ units: 1 });
    const hidden = d1.apply(x);
    const model = new Model({ inputs: x, outputs: out.apply(sum.apply([hidden, d2.apply(hidden)])) });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const data = randomNormal([16, 4]);
    const y = randomNormal([16, 1]);
    const mse = getLoss('mse');
    const sgd = getOptimizer('sgd');
    const byHand = (): number => {
      const f = (): Tensor => {
        const h = d1.apply(data, { training: true });
        return mse.apply(y, out.apply(sum.apply([h, d2.apply(h, { training: true })]), { training: true }));
      };
      const { value, grads } = variableGrads(f, model.trainableWeights);
      sgd.applyGradients(grads);
      return value.item();
    };
    const count = (step: () => unknown): number => {
      let calls = 0;
      const previous: KernelHook | null = setKernelHook((record) => {
        calls++;
        previous?.(record);
      });
      try {
        step();
      } finally {
        setKernelHook(previous);
      }
      return calls;
    };
    // Warm both (optimizer slots, lazily made constants) before counting.
    model.trainStep(data, y, null);
    byHand();
    const inModel = count(() => model.trainStep(data, y, null));
    const manual = count(byHand);
    expect(manual).toBeGreaterThan(10);
    expect(inModel).toBe(manual);
  });
});

describe('nested models and trainable = false', () => {
  it('a frozen base keeps every weight (BatchNormalization statistics too) while the head trains', async () => {
    const inner = Input({ shape: [3] });
    const base = new Model({ inputs: inner, outputs: new BatchNormalization({ name: 'bn' }).apply(new Dense({ units: 4, name: 'base_dense' }).apply(inner)), name: 'base' });
    const x = Input({ shape: [3] });
    const head = new Dense({ units: 1, name: 'head' });
    const model = new Model({ inputs: x, outputs: head.apply(base.apply(x)) });
    base.trainable = false;
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.1 } }, loss: 'mse' });
    const baseBefore = base.getWeights().map((w) => Array.from(w.dataSync()));
    const headBefore = head.getWeights().map((w) => Array.from(w.dataSync()));
    await model.fit(randomNormal([16, 3], 3, 2), randomNormal([16, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
    expect(base.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(baseBefore);
    expect(head.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(headBefore);
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['head/kernel', 'head/bias']);
    // Unfreeze, recompile with a lower learning rate and fine-tune: now the base moves too.
    base.trainable = true;
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.01 } }, loss: 'mse' });
    await model.fit(randomNormal([16, 3], 3, 2), randomNormal([16, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
    expect(base.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(baseBefore);
  });
});

describe('a nested Sequential', () => {
  it('is one layer of the graph; freezing it keeps its weights; it saves and loads', async () => {
    const tower = new Sequential([new Dense({ units: 3, activation: 'relu', inputShape: [2] }), new Dense({ units: 2 })], { name: 'tower' });
    const x = Input({ shape: [2] });
    const head = new Dense({ units: 1, name: 'head' });
    const model = new Model({ inputs: x, outputs: head.apply(tower.apply(x)) });
    expect(model.layers.map((l) => `${l.name}:${l.className}`)).toEqual(['input_layer:InputLayer', 'tower:Sequential', 'head:Dense']);
    const data = randomNormal([6, 2]);
    expect(values(model.predict(data))).toEqual(Array.from(head.apply(tower.predict(data)).dataSync()));
    tower.trainable = false;
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = tower.getWeights().map((w) => Array.from(w.dataSync()));
    await model.fit(data, randomNormal([6, 1]), { epochs: 2, verbose: 0 });
    expect(tower.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    const { modelJSON, weightData } = model.toJSON();
    const back = fromJSON<Model>(modelJSON, weightData);
    expect(back.getLayer('tower').className).toBe('Sequential');
    expect(values(back.predict(data))).toEqual(values(model.predict(data)));
    const lines: string[] = [];
    model.summary({ printFn: (l) => lines.push(l) });
    expect(lines.find((l) => l.startsWith(' head (Dense)'))).toMatch(/tower\[1\]\[0\]$/);
  });
});

describe('summary', () => {
  it('shows the Connected to column', () => {
    const model = twoHeaded();
    const lines: string[] = [];
    model.summary({ printFn: (l) => lines.push(l) });
    expect(lines[0]).toBe('Model: "two_headed"');
    expect(lines[2]).toMatch(/^ Layer \(type\)\s+Output Shape\s+Param #\s+Connected to$/);
    const row = lines.findIndex((l) => l.startsWith(' concatenate (Concatenate)'));
    expect(lines[row]).toMatch(/\(None, 8\)\s+0\s+shared\[0\]\[0\]$/);
    expect(lines[row + 1]!.trim()).toBe('shared[1][0]');
    const shared = lines.findIndex((l) => l.startsWith(' shared (Dense)'));
    expect(lines[shared]).toMatch(/\(None, 4\)\s+16\s+a\[0\]\[0\]$/);
    expect(lines[shared + 1]!.trim()).toBe('b[0][0]');
    expect(lines).toContain(`Total params: ${16 + 27 + 5} (${(16 + 27 + 5) * 4} B)`);
  });
});

describe('save and load', () => {
  it('round trip: multi-input, multi-output, shared layer, nested model, compiled', async () => {
    const inner = Input({ shape: [4] });
    const sub = new Model({ inputs: inner, outputs: new Dense({ units: 4, activation: 'relu', name: 'sub_dense' }).apply(inner), name: 'sub' });
    const a = Input({ shape: [3], name: 'a' });
    const b = Input({ shape: [3], name: 'b' });
    const shared = new Dense({ units: 4, name: 'shared' });
    const s = add([shared.apply(a), shared.apply(b)]);
    const model = new Model({ inputs: [a, b], outputs: [new Dense({ units: 2, activation: 'softmax', name: 'p' }).apply(sub.apply(s)), new Dense({ units: 1, name: 'q' }).apply(s)] });
    model.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'mse'], metrics: { p: ['accuracy'] }, lossWeights: [1, 0.25] });
    await model.fit([randomNormal([8, 3]), randomNormal([8, 3])], [labels(8, 2), randomNormal([8, 1])], { epochs: 1, batchSize: 4, verbose: 0 });
    const { modelJSON, weightData } = model.toJSON({ includeOptimizer: true });
    const topology = modelJSON.modelTopology as { class_name: string; config: { layers: { name: string; inbound_nodes: unknown }[] } };
    expect(topology.class_name).toBe('Functional');
    expect(topology.config.layers.find((l) => l.name === 'shared')!.inbound_nodes).toEqual([[['a', 0, 0, {}]], [['b', 0, 0, {}]]]);
    const back = fromJSON<Model>(JSON.stringify(modelJSON), weightData);
    expect(back).toBeInstanceOf(Model);
    expect(back.inputNames).toEqual(['a', 'b']);
    expect(back.outputNames).toEqual(['p', 'q']);
    expect(back.getLayer('sub')).toBeInstanceOf(Model);
    const xs = [randomNormal([5, 3]), randomNormal([5, 3])];
    const want = model.predict(xs) as Tensor[];
    const got = back.predict(xs) as Tensor[];
    want.forEach((w, i) => expect(Array.from(got[i]!.dataSync())).toEqual(Array.from(w.dataSync())));
    expect(back.lossFunctions.map((l) => l.name)).toEqual(['categorical_crossentropy', 'mean_squared_error']);
    expect(back.metrics.map((m) => m.name)).toEqual(['p_loss', 'q_loss', 'p_accuracy']);
    const ys = [labels(5, 2), randomNormal([5, 1])];
    expect(back.evaluate(xs, ys)).toEqual(model.evaluate(xs, ys));
  });

  it('save/loadModel through an IOHandler', async () => {
    const x = Input({ shape: [2] });
    const model = new Model({ inputs: x, outputs: new Dense({ units: 3 }).apply(x) });
    let saved: ModelArtifacts | null = null;
    await model.save(withSaveHandler((art) => void (saved = art)));
    const back = await loadModel<Model>(fromMemory(saved!));
    const data = randomNormal([2, 2]);
    expect(values(back.predict(data))).toEqual(values(model.predict(data)));
    expect(back.layers.map((l: Layer) => l.className)).toEqual(['InputLayer', 'Dense']);
  });
});
