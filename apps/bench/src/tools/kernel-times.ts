// Times the bench CNN's biggest kernels one by one on the wasm backend (batch 64), each call repeated:
// `tsx --conditions=@descent/source src/tools/kernel-times.ts [threads] [reps]`. Prints the median and the
// minimum per kernel in ms (the minimum is the call least disturbed by other jobs on a shared machine).
// Used to compare two trees' kernels in alternating processes.
import '@descent/backend-wasm';
import { setNumThreads } from '@descent/backend-wasm';
import type { Tensor } from '@descent/tensor';
import { dispose, randomNormal, runKernel, setBackend } from '@descent/tensor';

setBackend('wasm');
const threads = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 30);
setNumThreads(threads);
await new Promise((resolve) => setTimeout(resolve, 300));

const valid = { strides: [1, 1] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const };
const pool = { filterSize: [2, 2] as const, strides: [2, 2] as const, pad: [0, 0, 0, 0] as const };
const r = (shape: number[], seed: number): Tensor => randomNormal(shape, 0, 1, 'float32', seed);
const x1 = r([64, 28, 28, 1], 1), f1 = r([3, 3, 1, 32], 2), y1 = r([64, 26, 26, 32], 3);
const x2 = r([64, 13, 13, 32], 4), f2 = r([3, 3, 32, 64], 5), y2 = r([64, 11, 11, 64], 6);
const p1 = r([64, 13, 13, 32], 7), b1 = r([32], 8);
const cases: [string, () => Tensor][] = [
  ['conv1 forward', () => runKernel('Conv2D', [x1, f1], valid)],
  ['conv1 filter gradient', () => runKernel('Conv2DBackpropFilter', [x1, y1], { ...valid, filterShape: [3, 3, 1, 32] })],
  ['conv2 forward', () => runKernel('Conv2D', [x2, f2], valid)],
  ['conv2 filter gradient', () => runKernel('Conv2DBackpropFilter', [x2, y2], { ...valid, filterShape: [3, 3, 32, 64] })],
  ['conv2 input gradient', () => runKernel('Conv2DBackpropInput', [y2, f2], { ...valid, inputShape: [64, 13, 13, 32] })],
  ['pool1 gradient', () => runKernel('MaxPoolGrad', [p1, y1], pool)],
  ['pool1', () => runKernel('MaxPool', [y1], pool)],
  ['relu1', () => runKernel('Relu', [y1], {})],
  ['bias add 1', () => runKernel('Add', [y1, b1], {})],
  ['mul 1', () => runKernel('Mul', [y1, y1], {})],
];
for (const [, run] of cases) dispose(run());
const times = cases.map(() => [] as number[]);
// Kernels interleaved within each repetition, so machine drift hits them alike.
for (let rep = 0; rep < reps; rep++) {
  cases.forEach(([, run], i) => {
    const t0 = performance.now();
    const out = run();
    times[i]!.push(performance.now() - t0);
    dispose(out);
  });
}
for (const [i, [label]] of cases.entries()) {
  const t = times[i]!.sort((a, b) => a - b);
  console.log(`${label.padEnd(24)} median ${t[t.length >> 1]!.toFixed(3).padStart(7)}  min ${t[0]!.toFixed(3).padStart(7)}`);
}
process.exit(0);
