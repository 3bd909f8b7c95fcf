import { readFileSync } from 'node:fs';
const flavour = process.argv[2] ?? 'simd';
const bin = readFileSync(`build/kernels-${flavour}.wasm`);
const memory = new WebAssembly.Memory({ initial: 2000, maximum: 32768, shared: true });
const k = new WebAssembly.Instance(new WebAssembly.Module(bin), { env: { memory, abort() {} } }).exports;
const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < f32.length; i++) f32[i] = (i % 7) * 0.1;
const base = 1 << 20;
function run(m, n, kk, reps) {
  const a = base, b = a + m * kk * 4 + 64, c = b + kk * n * 4 + 64, work = c + m * n * 4 + 64;
  k.matmul(a, b, c, n, kk, kk, 1, n, 1, 0, 0, m, work);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) k.matmul(a, b, c, n, kk, kk, 1, n, 1, 0, 0, m, work);
  const t = (performance.now() - t0) / reps;
  return (2 * m * n * kk / t / 1e6).toFixed(1);
}
for (let r = 0; r < 3; r++) {
  console.log('tile-only 5x8x256 (L1):', run(flavour === 'simd' ? 5 : 6, 8, 256, 200000),
    '| 120x512x256 (one block):', run(120, 512, 256, 300),
    '| 512^3:', run(512, 512, 512, 20));
}
