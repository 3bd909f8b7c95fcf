import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// How the package loads its kernels in Node, each case in a fresh process (the loader's state is
// per process): through require() (no top-level await anywhere in the graph), from its own build/
// folder, and from elsewhere with setWasmPaths, falling back to the CPU backend with one warning
// when the files are not where it was told.

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
const tensorEntry = fileURLToPath(new URL('../../tensor/src/index.ts', import.meta.url));
const buildDir = fileURLToPath(new URL('../build/', import.meta.url));

/**
 * Run `body` (CommonJS, with `w` = this package and `t` = @descent/tensor required) in a new Node
 * process; what it puts in `out` comes back, with every console.warn of the process in `out.warnings`.
 */
function run(body: string): { out: Record<string, unknown> } {
  const code = `const w = require(${JSON.stringify(entry)}); const t = require(${JSON.stringify(tensorEntry)});
const out = {}; const warnings = []; console.warn = (...a) => { warnings.push(a.join(' ')); };
${body}; out.warnings = warnings; process.stdout.write(JSON.stringify(out));`;
  const stdout = execFileSync(process.execPath, ['--conditions=@descent/source', '--require', 'tsx/cjs', '-e', code], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { out: JSON.parse(stdout) as Record<string, unknown> };
}

describe('loading the kernels in Node', () => {
  it('require() works (no top-level await) and the wasm backend is the default, loaded on first use', () => {
    const { out } = run(`
      out.flavourBefore = typeof w.wasmFlavour;
      const y = t.tensor([1, 2, 3]).mul(2);
      out.backend = t.getBackend().name; out.values = Array.from(y.dataSync());
      out.flavour = w.wasmFlavour(); out.threads = w.getThreadsCount(); out.error = w.wasmLoadError();`);
    expect(out.backend).toBe('wasm');
    expect(out.values).toEqual([2, 4, 6]);
    expect(['simd', 'relaxed']).toContain(out.flavour);
    expect(out.threads).toBeGreaterThanOrEqual(1);
    expect(out.error).toBeNull();
    expect(out.warnings).toEqual([]);
  });

  it('kernels missing where setWasmPaths points: one warning naming the location, the CPU backend computes', () => {
    const { out } = run(`
      w.setWasmPaths('/nonexistent-descent-wasm');
      const y = t.tensor([1, 2]).add(1); const z = y.mul(3);
      out.backend = t.getBackend().name; out.values = Array.from(z.dataSync()); out.error = w.wasmLoadError();`);
    expect(out.backend).toBe('cpu');
    expect(out.values).toEqual([6, 9]);
    const warnings = out.warnings as string[];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/backend 'wasm' failed to start.*\/nonexistent-descent-wasm\/kernels-(simd|relaxed)\.wasm.*setWasmPaths/);
    expect(out.error).toMatch(/nonexistent-descent-wasm/);
  });

  it('setWasmPaths to a folder that holds the kernels (a path or a file URL) loads them from there', () => {
    for (const where of [buildDir, `file://${buildDir}`]) {
      const { out } = run(`
        w.setWasmPaths(${JSON.stringify(where)});
        out.values = Array.from(t.tensor([1, 2]).add(1).dataSync()); out.backend = t.getBackend().name;`);
      expect(out).toEqual({ values: [2, 3], backend: 'wasm', warnings: [] });
    }
  });

  it('after a failed load, setWasmPaths to the right folder brings the wasm backend back; tensors made meanwhile move', () => {
    const { out } = run(`
      w.setWasmPaths('/nonexistent-descent-wasm');
      const a = t.tensor([1, 2, 3]); a.add(0);
      out.first = t.getBackend().name;
      w.setWasmPaths(${JSON.stringify(buildDir)});
      const b = a.mul(2);
      out.second = t.getBackend().name; out.values = Array.from(b.dataSync()); out.moved = a.backend.name;`);
    expect(out).toMatchObject({ first: 'cpu', second: 'wasm', values: [2, 4, 6], moved: 'wasm' });
  });

  it('setWasmPaths refuses bad input and a call after the kernels are loaded, saying why', () => {
    const { out } = run(`
      try { w.setWasmPaths(42); } catch (e) { out.bad = e.message; }
      try { w.setWasmPaths({ smid: 'x' }); } catch (e) { out.badKey = e.message; }
      t.tensor([1]).add(1);
      try { w.setWasmPaths('/elsewhere'); } catch (e) { out.late = e.message; }`);
    expect(out.bad).toMatch(/setWasmPaths: expected a folder URL\/path or \{ simd, relaxed \}, got 42/);
    expect(out.badKey).toMatch(/setWasmPaths: .*got \{"smid":"x"\}/);
    expect(out.late).toMatch(/setWasmPaths: the wasm kernels are already loaded; call it before the first op/);
  });
});
