// Fused bias + activation (FusedMatMul, FusedConv2D, BiasAddGrad) against the unfused kernels they
// replace, on the wasm backend, interleaved in one process so machine drift hits both alike:
// `tsx --conditions=@descent/source src/tools/fused-ab.ts [threads] [reps] [epochs]` (inside apps/bench).
// Part 1 times single passes of the bench CNN and MLP (batch 64); part 2 alternates training epochs of
// two models with the same weights, one whose layers take the fused path ('relu') and one forced onto
// the old path (an Activation object of its own that computes relu, which the layers do not fuse).
import '@descent/backend-wasm';
import { setNumThreads } from '@descent/backend-wasm';
import { Conv2D, Dense, Flatten, MaxPooling2D } from '@descent/layers';
import type { ActivationFunction } from '@descent/layers';
import { Sequential } from '@descent/models';
import type { Tensor } from '@descent/tensor';
import { dispose, randomNormal, randomUniform, relu, runKernel, setBackend, setSeed, tensor } from '@descent/tensor';

setBackend('wasm');
const threads = Number(process.argv[2] ?? 2);
const reps = Number(process.argv[3] ?? 40);
const epochs = Number(process.argv[4] ?? 6);
setNumThreads(threads);
await new Promise((resolve) => setTimeout(resolve, 300));

const valid = { strides: [1, 1] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const };
const r = (shape: number[], seed: number): Tensor => randomNormal(shape, 0, 1, 'float32', seed);
const x1 = r([64, 28, 28, 1], 1), f1 = r([3, 3, 1, 32], 2), b1 = r([32], 3), g1 = r([64, 26, 26, 32], 4);
const x2 = r([64, 13, 13, 32], 5), f2 = r([3, 3, 32, 64], 6), b2 = r([64], 7), g2 = r([64, 11, 11, 64], 8);
const xd = r([64, 784], 9), wd = r([784, 128], 10), bd = r([128], 11), gd = r([64, 128], 12);

/** Each case: [label, unfused, fused]; every function returns the tensors it made (all disposed after timing). */
const chain = (...steps: ((prev: Tensor | null) => Tensor)[]) => (): Tensor[] => {
  const out: Tensor[] = [];
  let prev: Tensor | null = null;
  for (const s of steps) out.push((prev = s(prev)));
  return out;
};
const cases: [string, () => Tensor[], () => Tensor[]][] = [
  ['conv1 forward + bias + relu',
    chain(() => runKernel('Conv2D', [x1, f1], valid), (p) => runKernel('Add', [p!, b1], {}), (p) => runKernel('Relu', [p!], {})),
    chain(() => runKernel('FusedConv2D', [x1, f1, b1], { ...valid, activation: 'relu' }))],
  ['conv2 forward + bias + relu',
    chain(() => runKernel('Conv2D', [x2, f2], valid), (p) => runKernel('Add', [p!, b2], {}), (p) => runKernel('Relu', [p!], {})),
    chain(() => runKernel('FusedConv2D', [x2, f2, b2], { ...valid, activation: 'relu' }))],
  ['dense 784→128 + bias + relu',
    chain(() => runKernel('MatMul', [xd, wd], { transposeA: false, transposeB: false }), (p) => runKernel('Add', [p!, bd], {}), (p) => runKernel('Relu', [p!], {})),
    chain(() => runKernel('FusedMatMul', [xd, wd, bd], { transposeA: false, transposeB: false, activation: 'relu' }))],
  ['conv1 bias gradient (Sum vs BiasAddGrad)',
    chain(() => runKernel('Sum', [g1], { axes: [0, 1, 2] })), chain(() => runKernel('BiasAddGrad', [g1], {}))],
  ['conv2 bias gradient',
    chain(() => runKernel('Sum', [g2], { axes: [0, 1, 2] })), chain(() => runKernel('BiasAddGrad', [g2], {}))],
  ['dense bias gradient',
    chain(() => runKernel('Sum', [gd], { axes: [0] })), chain(() => runKernel('BiasAddGrad', [gd], {}))],
];

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
const fmt = (v: number): string => v.toFixed(3).padStart(7);

for (const [, a, b] of cases) dispose([...a(), ...b()]);
console.log(`wasm, ${threads} thread(s), ${reps} interleaved reps; ms per call: median (min)`);
for (const [label, unfused, fusedRun] of cases) {
  const t: [number[], number[]] = [[], []];
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first.
    const order = rep % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const t0 = performance.now();
      const out = which === 0 ? unfused() : fusedRun();
      t[which]!.push(performance.now() - t0);
      dispose(out);
    }
  }
  console.log(`${label.padEnd(42)} unfused ${fmt(median(t[0]))} (${fmt(Math.min(...t[0]))})  fused ${fmt(median(t[1]))} (${fmt(Math.min(...t[1]))})`);
}

// Part 2: whole training epochs, fused layers against the same layers forced onto the old path.
const plainRelu: ActivationFunction = { name: 'relu', apply: (x: Tensor) => relu(x) };
function cnn(act: 'relu' | ActivationFunction): Sequential {
  setSeed(1);
  const m = new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: act, inputShape: [28, 28, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: act }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}
function mlp(act: 'relu' | ActivationFunction): Sequential {
  setSeed(1);
  const m = new Sequential([new Dense({ units: 128, activation: act, inputShape: [784] }), new Dense({ units: 10, activation: 'softmax' })]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}
const steps = 30;
const n = 64 * steps;
const labels = new Float32Array(n * 10);
for (let i = 0; i < n; i++) labels[i * 10 + (i % 10)] = 1;
const yl = tensor(labels, [n, 10]);
const xc = randomUniform([n, 28, 28, 1], 0, 1, 'float32', 13);
const xm = randomUniform([n, 784], 0, 1, 'float32', 14);
for (const [label, make, xs] of [['CNN step', cnn, xc], ['MLP step', mlp, xm]] as const) {
  const models = [make(plainRelu), make('relu')];
  const t: [number[], number[]] = [[], []];
  const losses: number[][] = [[], []];
  for (const m of models) await m.fit(xs, yl, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
  for (let e = 0; e < epochs; e++) {
    for (const which of e % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      const h = await models[which]!.fit(xs, yl, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
      t[which]!.push((performance.now() - t0) / steps);
      losses[which]!.push(h.history.loss![0] as number);
    }
  }
  const same = losses[0]!.every((v, i) => v === losses[1]![i]);
  console.log(`${label.padEnd(42)} unfused ${fmt(median(t[0]))} (${fmt(Math.min(...t[0]))})  fused ${fmt(median(t[1]))} (${fmt(Math.min(...t[1]))})  ms/step; losses identical: ${same}`);
}
process.exit(0);
