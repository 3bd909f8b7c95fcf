// Per-kernel profile of the bench CNN's training step on Descent's wasm backend:
// `tsx --conditions=@descent/source src/profile-cnn.ts [steps]`.
import '@descent/backend-wasm';
import { getWasmBackend, setNumThreads } from '@descent/backend-wasm';
import { Conv2D, Dense, Flatten, MaxPooling2D } from '@descent/layers';
import { Sequential } from '@descent/models';
import { getBackend, randomUniform, setBackend, setSeed, tensor } from '@descent/tensor';

setBackend('wasm');
setSeed(1);
const steps = Number(process.argv[2] ?? 40);
if (process.argv[3] !== undefined) setNumThreads(Number(process.argv[3]));
const B = 64;
const model = new Sequential([
  new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
  new MaxPooling2D({ poolSize: 2 }),
  new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
  new MaxPooling2D({ poolSize: 2 }),
  new Flatten(),
  new Dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const n = B * steps;
const x = randomUniform([n, 28, 28, 1]);
const labels = new Float32Array(n * 10);
for (let i = 0; i < n; i++) labels[i * 10 + (i % 10)] = 1;
const y = tensor(labels, [n, 10]);

const backend = getBackend() as unknown as { kernels: Record<string, (...a: unknown[]) => unknown> };
const times = new Map<string, { ms: number; calls: number }>();
let profiling = false;
for (const [name, fn] of Object.entries(backend.kernels)) {
  backend.kernels[name] = (inputs: unknown, attrs: unknown) => {
    if (!profiling) return fn(inputs, attrs);
    const t0 = performance.now();
    const out = fn(inputs, attrs);
    const dt = performance.now() - t0;
    const shapes = (inputs as { shape: number[] }[]).map((t) => `[${t.shape.join(',')}]`).join(' ');
    const key = `${name} ${shapes}`;
    const e = times.get(key) ?? { ms: 0, calls: 0 };
    e.ms += dt;
    e.calls++;
    times.set(key, e);
    return out;
  };
}
console.log(`threads ${getWasmBackend().numThreads}`);
await model.fit(x, y, { batchSize: B, epochs: 2, shuffle: false, verbose: 0 });
profiling = true;
const t0 = performance.now();
await model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
const total = performance.now() - t0;
profiling = false;
let inKernels = 0;
const rows = [...times.entries()].sort((a, b) => b[1].ms - a[1].ms);
for (const [, v] of rows) inKernels += v.ms;
console.log(`step ${(total / steps).toFixed(2)} ms, in kernels ${(inKernels / steps).toFixed(2)} ms`);
for (const [k, v] of rows) {
  if (v.ms / steps < 0.02) continue;
  console.log(`${(v.ms / steps).toFixed(3).padStart(8)} ms/step  ${(v.calls / steps).toFixed(1).padStart(4)}×  ${k}`);
}
