import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Dense } from '@descent/layers';
import { LambdaCallback, Sequential } from '@descent/models';
import type { WasmMemoryInfo } from '@descent/backend-wasm';
import { getBackend, listBackends, setBackend, setSeed, tensor } from '@descent/tensor';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { BATCH, loadDigits } from './train-contenders.js';

interface Sample {
  step: number;
  heapMB: number;
  wasmInUseMB: number | null;
  wasmMemoryMB: number | null;
}

/** A full collection before each heap sample, so the samples show what is retained, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return typeof gc === 'function' ? gc : () => undefined;
}

const mb = (bytes: number): number => bytes / (1 << 20);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
}

/**
 * Soak test: train the MLP for `steps` batches with `fit` on the default backend (wasm when
 * @descent/backend-wasm loads) and sample the JS heap (after a full GC) and the wasm allocator.
 * Memory is flat when the last quarter of the samples holds no more than the second quarter (the
 * first warms up caches and size classes), within a small tolerance.
 */
export function soakSuite(steps: number): Suite {
  return {
    name: 'soak',
    description: `MLP training for ${steps} steps with heap and wasm memory sampled: does memory stay flat?`,
    async run({ log }: SuiteOptions): Promise<SuiteResult> {
      let wasm: { wasmMemoryInfo(): WasmMemoryInfo } | null = null;
      try {
        const mod = await import('@descent/backend-wasm');
        if (listBackends().includes('wasm')) {
          setBackend('wasm');
          wasm = mod;
        }
      } catch {
        wasm = null;
      }
      const backend = getBackend().name;
      const data = await loadDigits();
      const x = tensor(data.trainX, [data.trainSize, 784]);
      const y = tensor(data.trainY, [data.trainSize, 10]);
      setSeed(3);
      const model = new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [784] }), new Dense({ units: 10, activation: 'softmax' })]);
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const stepsPerEpoch = Math.ceil(data.trainSize / BATCH);
      const epochs = Math.max(1, Math.ceil(steps / stepsPerEpoch));
      const total = epochs * stepsPerEpoch;
      const every = Math.max(1, Math.round(total / 100));
      const gc = collector();
      const samples: Sample[] = [];
      let step = 0;
      const sample = (): void => {
        gc();
        const info = wasm?.wasmMemoryInfo();
        samples.push({
          step,
          heapMB: mb(process.memoryUsage().heapUsed),
          wasmInUseMB: info ? mb(info.bytesInUse) : null,
          wasmMemoryMB: info ? mb(info.memoryBytes) : null,
        });
      };
      const t0 = performance.now();
      const history = await model.fit(x, y, {
        batchSize: BATCH,
        epochs,
        verbose: 0,
        callbacks: [
          new LambdaCallback({
            onBatchEnd: () => {
              step++;
              if (step % every === 0 || step === 1) sample();
              if (step % (every * 10) === 0) log(`soak: step ${step}/${total}, heap ${samples[samples.length - 1]!.heapMB.toFixed(1)} MB`);
            },
          }),
        ],
      });
      const seconds = (performance.now() - t0) / 1000;
      const losses = history.history.loss!;
      const quarter = (q: number, pick: (s: Sample) => number): number => median(samples.slice(Math.floor((q * samples.length) / 4), Math.floor(((q + 1) * samples.length) / 4)).map(pick));
      const flatness = (pick: (s: Sample) => number, toleranceMB: number): { early: number; late: number; flat: boolean } => {
        const early = quarter(1, pick);
        const late = quarter(3, pick);
        return { early, late, flat: late <= early * 1.05 + toleranceMB };
      };
      const heap = flatness((s) => s.heapMB, 2);
      const inUse = wasm ? flatness((s) => s.wasmInUseMB!, 0.5) : null;
      const memory = wasm ? flatness((s) => s.wasmMemoryMB!, 0) : null;
      const flat = heap.flat && (inUse?.flat ?? true) && (memory?.flat ?? true);
      const first = samples[0]!;
      const last = samples[samples.length - 1]!;
      const row = (what: string, pick: (s: Sample) => number | null, f: { early: number; late: number; flat: boolean }): string[] => [
        what,
        pick(first)!.toFixed(1),
        f.early.toFixed(1),
        f.late.toFixed(1),
        pick(last)!.toFixed(1),
        f.flat ? 'flat' : 'GROWING',
      ];
      const rows = [row('JS heap used (MB, after GC)', (s) => s.heapMB, heap)];
      if (inUse && memory) {
        rows.push(row('wasm tensor storage in use (MB)', (s) => s.wasmInUseMB, inUse));
        rows.push(row('wasm memory size (MB)', (s) => s.wasmMemoryMB, memory));
      }
      log(`soak: ${total} steps in ${seconds.toFixed(1)} s; memory ${flat ? 'stayed flat' : 'GREW'}`);
      return {
        suite: 'soak',
        title: `Soak: ${total} MLP training steps on the ${backend} backend — memory ${flat ? 'stayed flat' : 'GREW'}`,
        columns: ['measure', 'step 1', '2nd quarter (median)', '4th quarter (median)', `step ${last.step}`, 'verdict'],
        rows,
        records: samples.map((s) => ({ ...s, wasmInUseMB: s.wasmInUseMB ?? '', wasmMemoryMB: s.wasmMemoryMB ?? '' })),
        notes: [
          `${total} steps (${epochs} epochs of ${stepsPerEpoch} batches of ${BATCH}) in ${seconds.toFixed(1)} s, ${samples.length} samples (every ${every} steps), loss ${losses[0]!.toFixed(4)} → ${losses[losses.length - 1]!.toFixed(4)}.`,
          'Flat = the 4th quarter median ≤ 1.05 × the 2nd quarter median + tolerance (heap 2 MB, wasm storage 0.5 MB, wasm memory 0): the 1st quarter is warm-up.',
        ],
      };
    },
  };
}
