// Runs in the browser (bundled by esbuild in src/browser.test.ts). Hand-written training loops on
// the wasm backend with no withScope, keep or dispose: API calls free their own intermediates, and
// the tensors that reach this code ("loose") are evicted from wasm memory once left unused. Each
// loop is one synchronous `for`, so no event-loop turn (and no FinalizationRegistry callback) helps.
import { grad, variable, variableGrads } from '@descent/autograd';
import { getThreadsCount, getWasmBackend, setNumThreads, wasmFlavour, wasmMemoryInfo } from '@descent/backend-wasm';
import { Adam } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { engineMemoryInfo, getBackend, keep, matMul, mean, mul, randomNormal, ready, square, sub } from '@descent/tensor';
import type { LoopResult, MemorySnapshot, PageResults } from './results.js';

declare global {
  interface Window {
    __results?: PageResults;
  }
}

const params = new URLSearchParams(location.search);
const WARMUP = Number(params.get('warmup') ?? 100);
const STEPS = Number(params.get('steps') ?? 2000);

function snapshot(): MemorySnapshot {
  const m = wasmMemoryInfo();
  return { blocksInUse: m.blocksInUse, bytesInUse: m.bytesInUse, evicted: engineMemoryInfo().evicted, collectedByGc: m.collectedByGc };
}

interface Loop {
  name: string;
  step(): void;
  /** The current loss, read back to the host. */
  loss(): number;
}

function measure(loop: Loop): LoopResult {
  loop.step();
  const lossFirst = loop.loss();
  for (let i = 1; i < WARMUP; i++) loop.step();
  const afterWarmup = snapshot();
  let peakBlocks = afterWarmup.blocksInUse;
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) {
    loop.step();
    if (i % 50 === 0) peakBlocks = Math.max(peakBlocks, wasmMemoryInfo().blocksInUse);
  }
  const msPerStep = (performance.now() - started) / STEPS;
  const end = snapshot();
  peakBlocks = Math.max(peakBlocks, end.blocksInUse);
  return { name: loop.name, warmupSteps: WARMUP, steps: STEPS, afterWarmup, end, peakBlocks, lossFirst, lossLast: loop.loss(), msPerStep };
}

const x = randomNormal([16, 64], 0, 1, 'float32', 1);
const weights = (seed: number) => variable(randomNormal([64, 64], 0, 0.1, 'float32', seed));

function minimizeLoop(): Loop {
  const w = weights(2);
  const opt = new Adam();
  let last: Tensor | null = null;
  return {
    name: 'minimize (Adam)',
    step: () => {
      last = opt.minimize(() => mean(square(matMul(x, w))));
    },
    loss: () => last!.item(),
  };
}

function gradLoop(): Loop {
  const w = weights(3);
  const f = (z: Tensor) => mean(square(matMul(z, w)));
  const g = grad(f);
  // Gradient descent on the input: every step replaces z with a new loose tensor.
  let z: Tensor = x;
  return {
    name: 'grad(f)(x)',
    step: () => {
      z = sub(z, mul(g(z), 1));
    },
    loss: () => f(z).item(),
  };
}

function applyGradientsLoop(): Loop {
  const w = weights(4);
  const opt = new Adam();
  let last: Tensor | null = null;
  return {
    name: 'variableGrads + applyGradients (Adam)',
    step: () => {
      const { value, grads } = variableGrads(() => mean(square(matMul(x, w))));
      opt.applyGradients(grads);
      last = value;
    },
    loss: () => last!.item(),
  };
}

function assignLoop(): Loop {
  const w = weights(5);
  let last: Tensor | null = null;
  return {
    name: 'variableGrads + v.assign(v.sub(mul(g, 0.1)))',
    step: () => {
      const { value, grads } = variableGrads(() => mean(square(matMul(x, w))));
      for (const [v, g] of grads) v.assign(v.sub(mul(g!, 0.1)));
      last = value;
    },
    loss: () => last!.item(),
  };
}

/** The control: a loop that does leak (one kept tensor per step), to show the measurement sees a leak. */
function leakingLoop(): Loop {
  const w = weights(6);
  const leaked: Tensor[] = [];
  let last: Tensor | null = null;
  return {
    name: 'control: keep(value) every step (leaks)',
    step: () => {
      const { value } = variableGrads(() => mean(square(matMul(x, w))));
      leaked.push(keep(value));
      last = value;
    },
    loss: () => last!.item(),
  };
}

async function main(): Promise<PageResults> {
  // In a browser the wasm kernels arrive asynchronously: ready() resolves once they have (or failed).
  const backend = await ready();
  if (backend !== 'wasm') {
    throw new Error(
      `expected the wasm backend, got '${backend}' (crossOriginIsolated=${crossOriginIsolated}, ` +
        `SharedArrayBuffer ${typeof SharedArrayBuffer}, wasm flavour ${wasmFlavour()})`,
    );
  }
  const loops: LoopResult[] = [];
  for (const make of [minimizeLoop, gradLoop, applyGradientsLoop, assignLoop]) {
    loops.push(measure(make()));
    // Between loops only: let the page breathe (the measurement above had no event-loop turn).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const control = measure(leakingLoop());
  // Threads: on this cross-origin-isolated page the backend posts its memory to Web Workers.
  const threads = getThreadsCount();
  const a = randomNormal([512, 512]);
  const b = randomNormal([512, 512]);
  // Whether the workers run at all, not the pool's back-off: a busy machine (the whole test suite on two
  // cores) can stall a worker during the loops above and leave the pool on one thread for a while.
  const backoff = getWasmBackend().threadBackoff;
  getWasmBackend().threadBackoff = false;
  const before = getWasmBackend().threadJobs;
  const threaded = matMul(a, b).dataSync();
  const workerChunks = getWasmBackend().threadJobs - before;
  getWasmBackend().threadBackoff = backoff;
  setNumThreads(1);
  const single = matMul(a, b).dataSync();
  setNumThreads(threads);
  const threadedMatchesSingle = threaded.length === single.length && threaded.every((v, i) => Object.is(v, single[i]));
  return {
    ok: true,
    crossOriginIsolated,
    backend,
    flavour: wasmFlavour(),
    userAgent: navigator.userAgent,
    loops,
    control,
    threads,
    hardwareConcurrency: navigator.hardwareConcurrency,
    workerChunks,
    threadedMatchesSingle,
  };
}

main().then(
  (results) => {
    window.__results = results;
  },
  (err: unknown) => {
    let backend: string | null = null;
    try {
      backend = getBackend().name;
    } catch {
      // no backend at all
    }
    window.__results = { ok: false, crossOriginIsolated, backend, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  },
);
