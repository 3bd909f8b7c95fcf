import { CONTROL, RANGE_KERNELS } from './threads.js';

// Node passes the job block through workerData; a Web Worker receives it as its first message.
const NODE_START = `const { workerData } = require('node:worker_threads');
const { module, memory, controlPtr } = workerData;`;
const BROWSER_START = `self.onmessage = (event) => {
const { module, memory, controlPtr } = event.data;`;
const BROWSER_END = '};';

/**
 * The body of a kernel worker, as source text so it runs from `src/` and `dist/` alike (no separate
 * worker file to locate). It gets `{ module, memory, controlPtr }`, waits for a job (a matmul or one of
 * the range kernels of threads.ts), claims chunks from the shared counter until none is left, and
 * reports how many it ran. After a job it spins briefly (a sleeping thread takes 25–50 µs to wake).
 */
export function workerSource(spinMs: number, platform: 'node' | 'browser'): string {
  const { STATE, READY, JOB, POSTED, RUNNING, DONE, QUIT, J_OP, J_ARGS, J_M, J_CHUNK, J_CHUNKS, J_NEXT, J_PACKED_B, RANGE_ARGS } = CONTROL;
  const rangeArgs = Array.from({ length: RANGE_ARGS }, (_, i) => `i32[a + ${i}]`).join(', ');
  return `
${platform === 'node' ? NODE_START : BROWSER_START}
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
const matmul = instance.exports.matmul;
const ranges = [null, ${RANGE_KERNELS.map((n) => `instance.exports.${n}`).join(', ')}];
const i32 = new Int32Array(memory.buffer);
const base = controlPtr >> 2;
const job = i32[base + ${JOB}] >> 2;
const work = i32[base + ${JOB} + 1];
Atomics.store(i32, base + ${READY}, 1);
for (;;) {
  let state = Atomics.load(i32, base + ${STATE});
  const until = performance.now() + ${spinMs};
  while (state !== ${POSTED} && state !== ${QUIT} && performance.now() < until) state = Atomics.load(i32, base + ${STATE});
  while (state !== ${POSTED} && state !== ${QUIT}) {
    Atomics.wait(i32, base + ${STATE}, state);
    state = Atomics.load(i32, base + ${STATE});
  }
  if (state === ${QUIT}) break;
  // The caller may have called this job off meanwhile: only a successful claim runs it.
  if (Atomics.compareExchange(i32, base + ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  const a = job + ${J_ARGS};
  const m = i32[job + ${J_M}], chunk = i32[job + ${J_CHUNK}], chunks = i32[job + ${J_CHUNKS}], packedB = i32[job + ${J_PACKED_B}];
  const op = i32[job + ${J_OP}];
  let ran = 0;
  if (op === 0) {
    for (let q = Atomics.add(i32, job + ${J_NEXT}, 1); q < chunks; q = Atomics.add(i32, job + ${J_NEXT}, 1)) {
      matmul(i32[a], i32[a + 1], i32[a + 2], i32[a + 3], i32[a + 4], i32[a + 5], i32[a + 6], i32[a + 7], i32[a + 8], i32[a + 9],
        q * chunk, Math.min(m, (q + 1) * chunk), work, packedB);
      ran++;
    }
  } else {
    const fn = ranges[op];
    for (let q = Atomics.add(i32, job + ${J_NEXT}, 1); q < chunks; q = Atomics.add(i32, job + ${J_NEXT}, 1)) {
      fn(q * chunk, Math.min(m, (q + 1) * chunk), work, ${rangeArgs});
      ran++;
    }
  }
  i32[base + ${JOB} + 2] = ran;
  Atomics.store(i32, base + ${STATE}, ${DONE});
  Atomics.notify(i32, base + ${STATE});
}
${platform === 'node' ? '' : BROWSER_END}
`;
}
