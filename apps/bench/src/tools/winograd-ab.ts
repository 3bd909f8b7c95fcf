// Winograd F(2×2, 3×3) and F(4×4, 3×3) against the direct / implicit-GEMM convolution kernels of the wasm
// backend, in the same process: `tsx --conditions=@descent/source src/tools/winograd-ab.ts [rounds] [same] [wide]`.
// Times the bench CNN's second layer (batch 64, [13,13,32] → [11,11,64], 'valid'; with `same`, also with
// 'same' padding; with `wide`, a 128 → 128-channel layer): the forward Conv2D, the input gradient
// Conv2DBackpropInput and the filter gradient Conv2DBackpropFilter, at 1 and 2 threads. Each round runs every
// (kernel, threads, path) once, in a rotating order, so machine drift hits every path alike; it prints the
// median and minimum in ms and the median of the per-round ratios to the direct path.
import '@descent/backend-wasm';
import { getWasmBackend } from '@descent/backend-wasm';
import type { Tensor } from '@descent/tensor';
import { dispose, randomNormal, runKernel, setBackend } from '@descent/tensor';

setBackend('wasm');
const backend = getWasmBackend();
const rounds = Number(process.argv[2] ?? 40);
const withSame = process.argv.includes('same');

const r = (shape: number[], seed: number): Tensor => randomNormal(shape, 0, 1, 'float32', seed);
const x = r([64, 13, 13, 32], 1);
const f = r([3, 3, 32, 64], 2);
const dyValid = r([64, 11, 11, 64], 3);
const dySame = r([64, 13, 13, 64], 4);
const valid = { strides: [1, 1] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const };
const same = { strides: [1, 1] as const, pad: [1, 1, 1, 1] as const, dilations: [1, 1] as const };

const kernels: [string, () => Tensor][] = [
  ['conv2 forward [64,13,13,32]·[3,3,32,64] valid', () => runKernel('Conv2D', [x, f], valid)],
  ['conv2 input gradient valid', () => runKernel('Conv2DBackpropInput', [dyValid, f], { ...valid, inputShape: [64, 13, 13, 32] })],
  ['conv2 filter gradient valid', () => runKernel('Conv2DBackpropFilter', [x, dyValid], { ...valid, filterShape: [3, 3, 32, 64] })],
];
if (process.argv.includes('wide')) {
  // A deeper layer than the bench's: 128 → 128 channels on 16×16 (groups of only ~15 tiles fit the scratch).
  const xw = r([16, 16, 16, 128], 5);
  const fw = r([3, 3, 128, 128], 6);
  const dyw = r([16, 16, 16, 128], 7);
  kernels.push(
    ['wide forward [16,16,16,128]·[3,3,128,128] same', () => runKernel('Conv2D', [xw, fw], same)],
    ['wide input gradient same', () => runKernel('Conv2DBackpropInput', [dyw, fw], { ...same, inputShape: [16, 16, 16, 128] })],
    ['wide filter gradient same', () => runKernel('Conv2DBackpropFilter', [xw, dyw], { ...same, filterShape: [3, 3, 128, 128] })],
  );
}
if (withSame) {
  kernels.push(
    ['conv2 forward same', () => runKernel('Conv2D', [x, f], same)],
    ['conv2 input gradient same', () => runKernel('Conv2DBackpropInput', [dySame, f], { ...same, inputShape: [64, 13, 13, 32] })],
    ['conv2 filter gradient same', () => runKernel('Conv2DBackpropFilter', [x, dySame], { ...same, filterShape: [3, 3, 32, 64] })],
  );
}

/** Path of a variant: the direct / implicit-GEMM kernels, or Winograd with 2×2 or 4×4 output tiles. */
type Path = 'direct' | 'F2' | 'F4';
interface Variant { label: string; kernel: number; threads: number; path: Path; times: number[] }
const variants: Variant[] = [];
for (const [i, [label]] of kernels.entries()) {
  for (const threads of [1, 2]) for (const path of ['direct', 'F2', 'F4'] as const) variants.push({ label, kernel: i, threads, path, times: [] });
}

function once(v: Variant): number {
  backend.setNumThreads(v.threads);
  backend.convWinograd = v.path !== 'direct';
  backend.convWinogradTile = v.path === 'F4' ? 4 : 2;
  const t0 = performance.now();
  const out = kernels[v.kernel]![1]();
  const ms = performance.now() - t0;
  dispose(out);
  return ms;
}

backend.setNumThreads(2);
await new Promise((resolve) => setTimeout(resolve, 300));
for (const v of variants) for (let i = 0; i < 3; i++) once(v);
for (let round = 0; round < rounds; round++) {
  // Rotate the order every round.
  for (let j = 0; j < variants.length; j++) {
    const v = variants[(j + round) % variants.length]!;
    v.times.push(once(v));
  }
}
backend.convWinograd = true;
backend.convWinogradTile = 0;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`${rounds} rounds, ${backend.flavour} build; ms per call: median (min); ratio = median of per-round time / direct's`);
for (const v of variants) {
  const base = variants.find((d) => d.kernel === v.kernel && d.threads === v.threads && d.path === 'direct')!;
  const ratio = median(v.times.map((t, k) => t / base.times[k]!));
  console.log(
    `${v.label.padEnd(48)} ${v.threads}T ${v.path.padEnd(6)} ${median(v.times).toFixed(2).padStart(6)} (${Math.min(...v.times).toFixed(2)})` +
      `${v.path === 'direct' ? '' : `  ratio ${ratio.toFixed(2)}`}`,
  );
}
process.exit(0);
