// Times the MLP's big matMuls on the wasm backend on 1 thread, on 2 threads, and on 2 threads with
// the column split off (rows only), interleaved:
// `tsx --conditions=@descent/source src/tools/mlp-matmul-times.ts [reps]` (inside apps/bench).
import '@descent/backend-wasm';
import { getWasmBackend, setNumThreads } from '@descent/backend-wasm';
import { matMul, randomUniform, setBackend } from '@descent/tensor';

setBackend('wasm');
const reps = Number(process.argv[2] ?? 200);
const x = randomUniform([64, 784]);
const w = randomUniform([784, 128]);
const dy = randomUniform([64, 128]);
const cases: [string, () => unknown][] = [
  ['x·W   [64,784]x[784,128]', () => matMul(x, w)],
  ['xᵀ·dy [784,64]x[64,128] ', () => matMul(x, dy, true, false)],
];
setNumThreads(2);
// "1t" keeps every matmul on the calling thread (minWork = ∞) so the worker stays up between rounds.
const pool = (getWasmBackend() as unknown as { ctx: { pool: { backoff: boolean; minWork: number; columnSplitRows: number } } }).ctx.pool;
const minWork = pool.minWork;
const columnSplitRows = pool.columnSplitRows;
pool.backoff = false;
for (const [, f] of cases) for (let i = 0; i < 50; i++) f();
const t: Record<string, number[]> = {};
for (let r = 0; r < reps; r++) {
  const modes = ['1t', '2t', '2t rows only'];
  for (let i = 0; i < modes.length; i++) {
    const mode = modes[(i + r) % modes.length]!;
    pool.minWork = mode === '1t' ? Infinity : minWork;
    pool.columnSplitRows = mode === '2t rows only' ? 0 : columnSplitRows;
    for (const [name, f] of cases) {
      const t0 = performance.now();
      for (let j = 0; j < 5; j++) f();
      (t[`${mode.padEnd(12)} ${name}`] ??= []).push((performance.now() - t0) / 5);
    }
  }
}
for (const [k, v] of Object.entries(t).sort()) {
  v.sort((a, b) => a - b);
  console.log(`${k}  median ${v[v.length >> 1]!.toFixed(3)} ms  min ${v[0]!.toFixed(3)} ms`);
}
getWasmBackend().close?.();
process.exit(0);
