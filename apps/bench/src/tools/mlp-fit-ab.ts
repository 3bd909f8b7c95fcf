// The bench MLP's fit epoch on the wasm backend in three modes, interleaved epoch by epoch: every kernel
// on the calling thread ("1t": minWork = minRangeWork = ∞, the worker stays up), both threads ("2t"),
// and both threads with short matmuls split by rows only ("2t rows"):
// `tsx --conditions=@descent/source src/tools/mlp-fit-ab.ts [rounds] [--mnist]` (inside apps/bench; `--mnist`: the bench's
// MNIST digits, whose zeros the sparse products skip, instead of uniform noise).
import '@descent/backend-wasm';
import { getWasmBackend, setNumThreads } from '@descent/backend-wasm';
import { Dense } from '@descent/layers';
import { Sequential } from '@descent/models';
import { randomUniform, setBackend, setSeed, tensor } from '@descent/tensor';
import { loadDigits } from '../suites/train-contenders.js';

setBackend('wasm');
setSeed(1);
setNumThreads(2);
const rounds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 6);
const model = new Sequential([
  new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
  new Dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const n = 8000;
const digits = process.argv.includes('--mnist') ? await loadDigits() : null;
const labels = new Float32Array(n * 10);
for (let i = 0; i < n; i++) labels[i * 10 + (i % 10)] = 1;
const x = digits !== null ? tensor(digits.trainX.subarray(0, n * 784), [n, 784]) : randomUniform([n, 784]);
const y = digits !== null ? tensor(digits.trainY.subarray(0, n * 10), [n, 10]) : tensor(labels, [n, 10]);
type Pool = { minWork: number; minRangeWork: number; columnSplitRows: number };
const pool = (getWasmBackend() as unknown as { ctx: { pool: Pool } }).ctx.pool;
const saved: Pool = { ...pool };
const modes = ['1t', '2t', '2t rows'] as const;
const times: Record<string, number[]> = {};
await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < modes.length; i++) {
    const mode = modes[(i + r) % modes.length]!;
    pool.minWork = mode === '1t' ? Infinity : saved.minWork;
    pool.minRangeWork = mode === '1t' ? Infinity : saved.minRangeWork;
    pool.columnSplitRows = mode === '2t rows' ? 0 : saved.columnSplitRows;
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
    (times[mode] ??= []).push((performance.now() - t0) / 1000);
  }
}
for (const mode of modes) {
  const v = [...times[mode]!].sort((a, b) => a - b);
  console.log(`${mode.padEnd(8)} s/epoch median ${v[v.length >> 1]!.toFixed(3)}  min ${v[0]!.toFixed(3)}`);
}
process.exit(0);
