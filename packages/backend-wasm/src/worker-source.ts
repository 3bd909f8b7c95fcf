import { CONTROL } from './threads.js';

/**
 * The body of a matmul worker, as source text so it runs from `src/` and `dist/` alike (no separate
 * worker file to locate). It gets `{ module, memory, controlPtr }` and serves matmul row ranges posted
 * in its control block; after a job it spins briefly (a sleeping thread takes 25–50 µs to wake).
 */
export function workerSource(spinMs: number): string {
  const { STATE, READY, ARGS, POSTED, DONE, QUIT } = CONTROL;
  return `
const { workerData } = require('node:worker_threads');
const { module, memory, controlPtr } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
const matmul = instance.exports.matmul;
const i32 = new Int32Array(memory.buffer);
const base = controlPtr >> 2;
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
  const a = base + ${ARGS};
  matmul(i32[a], i32[a + 1], i32[a + 2], i32[a + 3], i32[a + 4], i32[a + 5], i32[a + 6], i32[a + 7], i32[a + 8], i32[a + 9], i32[a + 10], i32[a + 11], i32[a + 12]);
  Atomics.store(i32, base + ${STATE}, ${DONE});
  Atomics.notify(i32, base + ${STATE});
}
`;
}
