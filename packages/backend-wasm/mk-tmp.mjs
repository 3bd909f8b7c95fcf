import { readFileSync } from 'node:fs';
const asc = (await import('assemblyscript/asc')).default;
async function build(file, extra) {
  let bin;
  const { error } = await asc.main([file, '--outFile', 'o.wasm', '--runtime', 'stub', '-O3', '--noAssert', '--enable', 'simd', ...extra, '--initialMemory', '4'], {
    readFile: (n, d) => { try { return readFileSync(n.startsWith('/') ? n : d + '/' + n, 'utf8'); } catch { return null; } },
    writeFile: (n, c) => { if (n.endsWith('.wasm')) bin = c; }, stdout: { write: () => true }, stderr: { write: (s) => { process.stderr.write(s); return true; } },
  });
  if (error) throw error;
  return new WebAssembly.Instance(new WebAssembly.Module(bin), {env: {abort(){}}}).exports;
}
const k = await build('/tmp/h9/mk/v.ts', []);
const relaxed = process.execArgv.includes('--experimental-wasm-relaxed-simd');
const kf = relaxed ? await build('/tmp/h9/mk/vf.ts', ['--enable', 'relaxed-simd']) : null;
for (const m of [k, kf]) if (m) { const f32 = new Float32Array(m.memory.buffer); for (let i = 0; i < 65536; i++) f32[i] = 1e-3 * (i % 13); }
const variants = [['k5x8', 5, 8, k], ['k4x8', 4, 8, k], ['k3x16', 3, 16, k], ['k6x8', 6, 8, k], ['k4x12', 4, 12, k], ['k2x16', 2, 16, k], ['k8x4', 8, 4, k]];
if (kf) variants.push(['k6x8f', 6, 8, kf], ['k5x8f', 5, 8, kf]);
for (const [name, mr, nr, m] of variants) m[name](1024, 16384, 256, 65536 * 2, 20000);
for (let r = 0; r < 3; r++) {
  const line = [];
  for (const [name, mr, nr, m] of variants) {
    const reps = 40000, kc = 256;
    const t0 = performance.now();
    m[name](1024, 16384, kc, 65536 * 2, reps);
    const t = performance.now() - t0;
    line.push(`${name} ${(2 * mr * nr * kc * reps / t / 1e6).toFixed(1)}`);
  }
  console.log(line.join(' | '));
}
