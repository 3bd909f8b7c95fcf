// Per-kernel profile of the bench CNN's (or, with --mlp, the MLP's) training step on Descent's wasm backend:
// `tsx --conditions=@descent/source src/profile-cnn.ts [steps] [threads] [--ab | --ab-columns | --ab-winograd] [--mlp] [--mnist] [--all]`
// (`--all`: list every kernel, not only those over 0.02 ms/step; `--mnist`: train on the bench's MNIST digits, whose
// zeros the sparse products skip, instead of uniform noise; at most 125 steps).
import '@descent/backend-wasm';
import { getWasmBackend, setNumThreads } from '@descent/backend-wasm';
import { getBackend, randomUniform, setBackend, setSeed, tensor } from '@descent/tensor';
import { descentModel, loadDigits } from './suites/train-contenders.js';

setBackend('wasm');
setSeed(1);
const steps = Number(process.argv[2] ?? 40);
if (process.argv[3] !== undefined) setNumThreads(Number(process.argv[3]));
const B = 64;
// `--mlp`: the mlp-train suite's 784-128-10 MLP instead of the CNN.
const mlp = process.argv.includes('--mlp');
const model = descentModel(mlp ? 'mlp' : 'cnn');
const n = B * steps;
const shape = mlp ? [n, 784] : [n, 28, 28, 1];
const digits = process.argv.includes('--mnist') ? await loadDigits() : null;
if (digits !== null && n > digits.trainSize) throw new Error(`profile-cnn: --mnist has ${digits.trainSize / B} batches, asked for ${steps}`);
const x = digits !== null ? tensor(digits.trainX.subarray(0, n * 784), shape) : randomUniform(shape);
const labels = new Float32Array(n * 10);
for (let i = 0; i < n; i++) labels[i * 10 + (i % 10)] = 1;
const y = digits !== null ? tensor(digits.trainY.subarray(0, n * 10), [n, 10]) : tensor(labels, [n, 10]);

const backend = getBackend() as unknown as { kernels: Record<string, (...a: unknown[]) => unknown> };
const times = new Map<string, { ms: number; calls: number; each: number[] }>();
let profiling = false;
for (const [name, fn] of Object.entries(backend.kernels)) {
  backend.kernels[name] = (inputs: unknown, attrs: unknown) => {
    if (!profiling) return fn(inputs, attrs);
    const t0 = performance.now();
    const out = fn(inputs, attrs);
    const dt = performance.now() - t0;
    const shapes = (inputs as { shape: number[] }[]).map((t) => `[${t.shape.join(',')}]`).join(' ');
    const key = `${name} ${shapes}`;
    const e = times.get(key) ?? { ms: 0, calls: 0, each: [] };
    e.ms += dt;
    e.calls++;
    e.each.push(dt);
    times.set(key, e);
    return out;
  };
}
// `--ab`: alternate epochs with the range kernels threaded (A, the default) and kept on the calling
// thread (B, minRangeWork = ∞), so both are measured through the same stretch of machine load.
// `--ab-columns`: alternate epochs with short matmuls split by columns (A, the default) and by rows only
// (B, columnSplitRows = 0).
// `--ab-winograd`: alternate epochs with 3×3 convolutions by Winograd F(2×2, 3×3) (A, the default) and by
// the direct / implicit-GEMM kernels (B, convWinograd = false).
const abColumns = process.argv.includes('--ab-columns');
const abWinograd = process.argv.includes('--ab-winograd');
const ab = abColumns || abWinograd || process.argv.includes('--ab');
const pool = (getWasmBackend() as unknown as { ctx: { pool: { minRangeWork: number; columnSplitRows: number } } }).ctx.pool;
const defaultRangeWork = pool.minRangeWork;
const defaultColumnRows = pool.columnSplitRows;
const abWhat = abWinograd ? '3×3 convolutions by Winograd (A) or direct / implicit GEMM (B)'
  : abColumns ? 'short matmuls split by columns (A) or rows (B)' : 'range kernels threaded (A) or not (B)';
console.log(`threads ${getWasmBackend().numThreads}${ab ? `, A/B: ${abWhat}` : ''}`);
await model.fit(x, y, { batchSize: B, epochs: 2, shuffle: false, verbose: 0 });
const modes = ab ? ['A', 'B'] : [''];
const rounds = ab ? Number(process.env.AB_ROUNDS ?? 3) : 1;
const totals = new Map<string, number>();
const perMode = new Map<string, Map<string, { ms: number; calls: number; each: number[] }>>();
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
    if (abWinograd) getWasmBackend().convWinograd = mode !== 'B';
    else if (abColumns) pool.columnSplitRows = mode === 'B' ? 0 : defaultColumnRows;
    else pool.minRangeWork = mode === 'B' ? Infinity : defaultRangeWork;
    times.clear();
    profiling = true;
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
    totals.set(mode, (totals.get(mode) ?? 0) + performance.now() - t0);
    profiling = false;
    const acc = perMode.get(mode) ?? new Map<string, { ms: number; calls: number; each: number[] }>();
    for (const [k, v] of times) {
      const e = acc.get(k) ?? { ms: 0, calls: 0, each: [] };
      e.ms += v.ms;
      e.calls += v.calls;
      e.each.push(...v.each);
      acc.set(k, e);
    }
    perMode.set(mode, acc);
  }
}
const n1 = steps * rounds;
for (const mode of modes) {
  const rows = [...perMode.get(mode)!.entries()].sort((a, b) => b[1].ms - a[1].ms);
  let inKernels = 0;
  for (const [, v] of rows) inKernels += v.ms;
  console.log(`${mode ? `${mode}: ` : ''}step ${(totals.get(mode)! / n1).toFixed(2)} ms, in kernels ${(inKernels / n1).toFixed(2)} ms`);
  for (const [k, v] of rows) {
    if (v.ms / n1 < 0.02 && !process.argv.includes('--all')) continue;
    // Per call: median and minimum (the minimum is the call least disturbed by other jobs).
    const each = [...v.each].sort((p, q) => p - q);
    const med = each[each.length >> 1]!;
    const stats = `median ${med.toFixed(3).padStart(6)}  min ${each[0]!.toFixed(3).padStart(6)}`;
    console.log(`${(v.ms / n1).toFixed(3).padStart(8)} ms/step  ${(v.calls / n1).toFixed(1).padStart(4)}×  ${stats}  ${k}`);
  }
}
