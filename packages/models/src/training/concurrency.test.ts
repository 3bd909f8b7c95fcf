import { Dense, Dropout, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { add, getBackend, mul, oneHot, randomNormal, randomUniform, registerBackend, removeBackend, scopeDepth, setBackend, setSeed, tensor } from '@descent/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logs } from '../callbacks/callback.js';
import { LambdaCallback } from '../callbacks/lambda-callback.js';
import type { History } from '../callbacks/history.js';
import { resetSequentialNames, Sequential } from '../sequential.js';
import type { Batch } from './data.js';
import { CountingBackend } from '../test-utils/counting-backend.js';

/**
 * fit/evaluate await (datasets, callbacks, between epochs) while other async work runs: another fit,
 * timers, async generators. None of it may land in a fit's step scope (and be freed by it), and a
 * seeded fit must give the same numbers whether it runs alone or alongside others. These tests run
 * on every backend of the matrix; on one with manual memory (wasm) a tensor freed by the wrong
 * scope fails loudly when read.
 */

const N = 40;
const FEATURES = 8;

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
});

/** Inputs [N, 8] and one-hot labels of 3 classes, from fixed seeds (independent of setSeed). */
function makeData(seed: number): { x: Tensor; y: Tensor; xRows: number[][]; yRows: number[][] } {
  const x = randomNormal([N, FEATURES], 0, 1, 'float32', seed);
  const labels = Array.from({ length: N }, (_, i) => (i * 7 + seed) % 3);
  const y = oneHot(tensor(labels, [N], 'int32'), 3);
  return { x, y, xRows: x.toArray() as number[][], yRows: y.toArray() as number[][] };
}

/** Dense 8→16 relu, Dropout 0.3 (no seed: it draws from the fit's stream), Dense 3 softmax. */
function makeModel(opts: { lazy?: boolean } = {}): Sequential {
  const m = new Sequential([
    new Dense({ units: 16, activation: 'relu', ...(opts.lazy === true ? {} : { inputShape: [FEATURES] }) }),
    new Dropout({ rate: 0.3 }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function weightsOf(m: Sequential): number[][] {
  return m.getWeights().map((w) => Array.from(w.dataSync()));
}

/** Batches of `rows` as tensors made inside an async generator, with awaits between yields; re-iterable. */
function asyncDataset(xRows: number[][], yRows: number[][], batchSize: number, keep?: Tensor[], depths?: number[]): AsyncIterable<Batch> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let start = 0; start < xRows.length; start += batchSize) {
        await tick();
        depths?.push(scopeDepth());
        // One made directly, one by a kernel: both are the dataset's, not fit's.
        const xs = add(tensor(xRows.slice(start, start + batchSize)), 0);
        const ys = tensor(yRows.slice(start, start + batchSize));
        keep?.push(xs, ys);
        yield { xs, ys };
        depths?.push(scopeDepth());
      }
    },
  };
}

/** Run both thunks one after the other, or concurrently with Promise.all. */
async function both<A, B>(concurrent: boolean, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (concurrent) return Promise.all([a(), b()]);
  const ra = await a();
  const rb = await b();
  return [ra, rb];
}

describe('concurrent fits', () => {
  async function twoFits(concurrent: boolean) {
    resetLayerNames();
    const da = makeData(1);
    const db = makeData(2);
    setSeed(7);
    const a = makeModel();
    const b = makeModel();
    const order: string[] = [];
    const note = (who: string) => new LambdaCallback({ onBatchEnd: () => void order.push(who) });
    const [ha, hb] = await both(
      concurrent,
      () => a.fit(da.x, da.y, { epochs: 3, batchSize: 8, shuffle: true, verbose: 0, callbacks: [note('a')] }),
      () => b.fit(db.x, db.y, { epochs: 3, batchSize: 8, shuffle: true, verbose: 0, callbacks: [note('b')] }),
    );
    return { a: weightsOf(a), b: weightsOf(b), ha: ha.history, hb: hb.history, order };
  }

  it('two seeded fits run with Promise.all give bit-identical weights to the same fits run one after the other', async () => {
    const seq = await twoFits(false);
    const conc = await twoFits(true);
    // The concurrent run really interleaved the two fits' batches.
    expect(seq.order.lastIndexOf('a')).toBeLessThan(seq.order.indexOf('b'));
    expect(conc.order.indexOf('b')).toBeLessThan(conc.order.lastIndexOf('a'));
    expect(conc.a).toEqual(seq.a);
    expect(conc.b).toEqual(seq.b);
    expect(conc.ha).toEqual(seq.ha);
    expect(conc.hb).toEqual(seq.hb);
    expect(scopeDepth()).toBe(0);
    // And the randomness matters: the same model and data with another fit seed (shuffles, dropout) end elsewhere.
    resetLayerNames();
    const d = makeData(1);
    setSeed(7);
    const other = makeModel();
    setSeed(8);
    await other.fit(d.x, d.y, { epochs: 3, batchSize: 8, shuffle: true, verbose: 0 });
    expect(weightsOf(other)).not.toEqual(seq.a);
  });

  it('two dataset fits of models built from their first batch give the same weights concurrently as sequentially', async () => {
    async function run(concurrent: boolean) {
      resetLayerNames();
      const da = makeData(3);
      const db = makeData(4);
      setSeed(11);
      const a = makeModel({ lazy: true });
      const b = makeModel({ lazy: true });
      await both(
        concurrent,
        () => a.fit(asyncDataset(da.xRows, da.yRows, 10), { epochs: 2, verbose: 0 }),
        () => b.fit(asyncDataset(db.xRows, db.yRows, 10), { epochs: 2, verbose: 0 }),
      );
      return [weightsOf(a), weightsOf(b)];
    }
    const seq = await run(false);
    const conc = await run(true);
    expect(conc).toEqual(seq);
  });

  it('an unrelated timer making tensors every millisecond while two fits run: every tensor it made stays readable', async () => {
    async function run(withTimer: boolean) {
      resetLayerNames();
      const da = makeData(5);
      const db = makeData(6);
      setSeed(3);
      const a = makeModel();
      const b = makeModel();
      const made: { t: Tensor; v: number }[] = [];
      let k = 0;
      const timer = withTimer
        ? setInterval(() => {
            // A kernel output and an unseeded random draw (from the global generator, not the fits').
            made.push({ t: add(tensor([k, k, k, k]), 1), v: k + 1 });
            made.push({ t: add(mul(randomUniform([4]), 0), 0), v: 0 });
            k++;
          }, 1)
        : null;
      try {
        await Promise.all([
          a.fit(da.x, da.y, { epochs: 4, batchSize: 8, verbose: 0 }),
          // This fit awaits timers inside its epochs (an async dataset), so the interval fires mid-epoch.
          b.fit(asyncDataset(db.xRows, db.yRows, 8), { epochs: 4, verbose: 0 }),
        ]);
      } finally {
        if (timer !== null) clearInterval(timer);
      }
      return { made, weights: [weightsOf(a), weightsOf(b)] };
    }
    const quiet = await run(false);
    const busy = await run(true);
    expect(busy.made.length).toBeGreaterThan(4);
    for (const { t, v } of busy.made) expect(Array.from(t.dataSync())).toEqual([v, v, v, v]);
    // The timer's random draws did not change what the fits computed.
    expect(busy.weights).toEqual(quiet.weights);
    expect(scopeDepth()).toBe(0);
  });

  it('fit, evaluateDataset and predict in flight together compute exactly what each computes alone', async () => {
    async function run(concurrent: boolean) {
      resetLayerNames();
      const d = makeData(8);
      const de = makeData(9);
      setSeed(21);
      const f = makeModel();
      const e = makeModel();
      const p = makeModel();
      const fit = (): Promise<History> => f.fit(d.x, d.y, { epochs: 3, batchSize: 8, verbose: 0, validationData: asyncDataset(de.xRows, de.yRows, 16) });
      const evaluate = (): Promise<Logs> => e.evaluateDataset(asyncDataset(de.xRows, de.yRows, 8));
      // predict is synchronous: run it a few times from timers while the others are in flight; its
      // outputs are the caller's, read only once everything has finished.
      const predict = async (): Promise<Tensor[]> => {
        const outs: Tensor[] = [];
        for (let i = 0; i < 4; i++) {
          await tick();
          outs.push(p.predict(de.x, { batchSize: 16 }));
        }
        return outs;
      };
      const read = (outs: Tensor[]): number[][] => outs.map((t) => Array.from(t.dataSync()));
      if (concurrent) {
        const [h, logs, preds] = await Promise.all([fit(), evaluate(), predict()]);
        return { h: h.history, logs, preds: read(preds), w: weightsOf(f) };
      }
      const h = await fit();
      const logs = await evaluate();
      const preds = await predict();
      return { h: h.history, logs, preds: read(preds), w: weightsOf(f) };
    }
    const alone = await run(false);
    const together = await run(true);
    expect(together).toEqual(alone);
    expect(scopeDepth()).toBe(0);
  });
});

describe('async callbacks and datasets', () => {
  it('tensors an async onBatchBegin/onBatchEnd makes stay readable; the losses equal those of the same fit without the hooks', async () => {
    async function run(withHooks: boolean) {
      resetLayerNames();
      const d = makeData(12);
      setSeed(5);
      const m = makeModel();
      const made: { t: Tensor; want: number[] }[] = [];
      const depths: number[] = [];
      const hooks = new LambdaCallback({
        onBatchBegin: async (batch) => {
          depths.push(scopeDepth());
          await tick();
          depths.push(scopeDepth());
          made.push({ t: add(tensor([batch, batch]), 2), want: [batch + 2, batch + 2] });
          // An unseeded draw from the global generator must not change the fit's own stream.
          made.push({ t: add(mul(randomNormal([3]), 0), 0), want: [0, 0, 0] });
        },
        onBatchEnd: async (batch) => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          depths.push(scopeDepth());
          made.push({ t: mul(tensor([batch, batch]), 3), want: [batch * 3, batch * 3] });
        },
      });
      const h = await m.fit(d.x, d.y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: withHooks ? [hooks] : [] });
      return { h: h.history, made, depths, w: weightsOf(m) };
    }
    const plain = await run(false);
    const hooked = await run(true);
    expect(hooked.made.length).toBe(2 * 5 * 3);
    for (const { t, want } of hooked.made) expect(Array.from(t.dataSync())).toEqual(want);
    expect(hooked.depths.length).toBeGreaterThan(0);
    expect(hooked.depths.every((d) => d === 0)).toBe(true);
    expect(hooked.h).toEqual(plain.h);
    expect(hooked.w).toEqual(plain.w);
    expect(scopeDepth()).toBe(0);
  });

  it('an async-generator dataset that makes its tensors between awaits: fit works and the yielded tensors stay readable', async () => {
    resetLayerNames();
    const d = makeData(13);
    setSeed(9);
    const viaArrays = makeModel();
    setSeed(9);
    const viaGenerator = makeModel();
    // Reference: the same batches as an array of plain-array batches.
    const batches: Batch[] = [];
    for (let s = 0; s < N; s += 10) batches.push({ xs: d.xRows.slice(s, s + 10), ys: d.yRows.slice(s, s + 10) });
    setSeed(1);
    const ref = await viaArrays.fit(batches, { epochs: 2, verbose: 0 });
    const kept: Tensor[] = [];
    const depths: number[] = [];
    setSeed(1);
    const h = await viaGenerator.fit(asyncDataset(d.xRows, d.yRows, 10, kept, depths), { epochs: 2, verbose: 0 });
    expect(h.history).toEqual(ref.history);
    expect(weightsOf(viaGenerator)).toEqual(weightsOf(viaArrays));
    expect(kept).toHaveLength(2 * 4 * 2);
    for (let i = 0; i < kept.length; i += 2) {
      const s = ((i / 2) % 4) * 10;
      expect(kept[i]!.toArray()).toEqual(tensor(d.xRows.slice(s, s + 10)).toArray());
      expect(kept[i + 1]!.toArray()).toEqual(d.yRows.slice(s, s + 10));
    }
    expect(depths.every((x) => x === 0)).toBe(true);
    expect(scopeDepth()).toBe(0);
  });

  it('the tensors of an array dataset are the user’s: fit reuses them every epoch and leaves them readable', async () => {
    resetLayerNames();
    const d = makeData(14);
    const batches = [0, 10, 20, 30].map((s) => ({ xs: tensor(d.xRows.slice(s, s + 10)), ys: tensor(d.yRows.slice(s, s + 10)), sampleWeight: tensor(new Array<number>(10).fill(1)) }));
    setSeed(2);
    const m = makeModel();
    await m.fit(batches, { epochs: 3, verbose: 0, classWeight: { 0: 2 } });
    await m.evaluateDataset(batches);
    for (const [i, b] of batches.entries()) {
      expect(b.xs.toArray()).toEqual(tensor(d.xRows.slice(i * 10, i * 10 + 10)).toArray());
      expect(b.ys.toArray()).toEqual(d.yRows.slice(i * 10, i * 10 + 10));
      expect(Array.from(b.sampleWeight.dataSync())).toEqual(new Array<number>(10).fill(1));
    }
  });
});


describe('memory of dataset batches', () => {
  let previous = '';
  afterEach(() => {
    if (previous !== '') setBackend(previous);
    removeBackend('counting-concurrency');
  });

  it('tensors fit makes from a batch of plain arrays (and its weights) are released after the step', async () => {
    previous = getBackend().name;
    const backend = new CountingBackend();
    registerBackend('counting-concurrency', () => backend, 0);
    setBackend('counting-concurrency');
    resetLayerNames();
    const d = makeData(15);
    // Tuples [x, y, sampleWeight] of plain arrays (an iterable: a bare array of arrays would be tensor data).
    const tuples: Batch[] = [0, 10, 20, 30].map((s) => [d.xRows.slice(s, s + 10), d.yRows.slice(s, s + 10), new Array<number>(10).fill(0.5)]);
    const batches: Iterable<Batch> = { [Symbol.iterator]: () => tuples[Symbol.iterator]() };
    setSeed(4);
    const m = makeModel();
    const live: number[] = [];
    await m.fit(batches, {
      epochs: 4,
      verbose: 0,
      classWeight: [1, 2, 3],
      validationData: batches,
      callbacks: [new LambdaCallback({ onEpochEnd: () => void live.push(backend.live) })],
    });
    expect(live).toHaveLength(4);
    expect(new Set(live).size).toBe(1);
  });
});

describe('errors', () => {
  it('a callback that throws (after an await, or synchronously) rejects fit with its error and leaves no scope open', async () => {
    const d = makeData(16);
    setSeed(1);
    const m = makeModel();
    const asyncThrow = new LambdaCallback({
      onBatchBegin: async (batch) => {
        await tick();
        if (batch === 2) throw new Error('async hook failed');
      },
    });
    await expect(m.fit(d.x, d.y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [asyncThrow] })).rejects.toThrow('async hook failed');
    expect(scopeDepth()).toBe(0);
    const syncThrow = new LambdaCallback({
      onBatchEnd: (batch) => {
        if (batch === 1) throw new Error('sync hook failed');
      },
    });
    await expect(m.fit(d.x, d.y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [syncThrow] })).rejects.toThrow('sync hook failed');
    expect(scopeDepth()).toBe(0);
    const testHookThrow = new LambdaCallback({
      onTestBatchBegin: async () => {
        await tick();
        throw new Error('validation hook failed');
      },
    });
    await expect(m.fit(d.x, d.y, { epochs: 1, batchSize: 8, verbose: 0, validationSplit: 0.25, callbacks: [testHookThrow] })).rejects.toThrow('validation hook failed');
    expect(scopeDepth()).toBe(0);
    // The model is still usable.
    const h = await m.fit(d.x, d.y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Number.isFinite(h.history.loss![0]!)).toBe(true);
  });

  it('a dataset whose iterator throws (or yields a malformed batch) rejects fit and evaluateDataset and leaves no scope open', async () => {
    const d = makeData(17);
    setSeed(1);
    const m = makeModel();
    const failing: AsyncIterable<Batch> = {
      async *[Symbol.asyncIterator]() {
        for (let s = 0; s < N; s += 10) {
          await tick();
          if (s === 20) throw new Error('dataset failed');
          yield { xs: d.xRows.slice(s, s + 10), ys: d.yRows.slice(s, s + 10) };
        }
      },
    };
    await expect(m.fit(failing, { epochs: 1, verbose: 0 })).rejects.toThrow('dataset failed');
    expect(scopeDepth()).toBe(0);
    await expect(m.evaluateDataset(failing)).rejects.toThrow('dataset failed');
    expect(scopeDepth()).toBe(0);
    await expect(m.fit(d.x, d.y, { epochs: 1, verbose: 0, validationData: failing })).rejects.toThrow('dataset failed');
    expect(scopeDepth()).toBe(0);
    const syncFailing: Iterable<Batch> = {
      *[Symbol.iterator]() {
        yield { xs: d.xRows.slice(0, 10), ys: d.yRows.slice(0, 10) };
        throw new Error('sync dataset failed');
      },
    };
    await expect(m.fit(syncFailing, { epochs: 1, verbose: 0 })).rejects.toThrow('sync dataset failed');
    expect(scopeDepth()).toBe(0);
    const malformed: Batch[] = [
      { xs: d.xRows.slice(0, 10), ys: d.yRows.slice(0, 10) },
      { xs: d.xRows.slice(10, 20), ys: d.yRows.slice(10, 19) },
    ];
    await expect(m.fit(malformed, { epochs: 1, verbose: 0 })).rejects.toThrow(/same number of samples/);
    expect(scopeDepth()).toBe(0);
  });
});
