import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as descent from './node.js';

const nodeEntry = fileURLToPath(new URL('./node.ts', import.meta.url));

describe('descent (the umbrella package)', () => {
  it('re-exports every package and makes the wasm backend the default in Node', async () => {
    for (const name of ['tensor', 'grad', 'Variable', 'Dense', 'Conv2D', 'Adam', 'get', 'Sequential', 'loadModel', 'ready', 'setWasmPaths', 'getThreadsCount', 'fileSystem']) {
      expect(descent, name).toHaveProperty(name);
    }
    expect(await descent.ready()).toBe('wasm');
    expect(descent.getBackend().name).toBe('wasm');
    expect(descent.listIOSchemes()).toContain('file://');
  });

  it('require() of the package trains a model in a CommonJS program (no top-level await in the graph)', () => {
    // Seeded: the same program twice must print the same losses; the loss must fall.
    const code = `const d = require(${JSON.stringify(nodeEntry)});
d.setSeed(7);
const x = d.randomNormal([64, 4]); const y = x.matMul(d.tensor([[1], [-2], [0.5], [3]]));
const model = new d.Sequential([new d.Dense({ units: 8, activation: 'relu', inputShape: [4] }), new d.Dense({ units: 1 })]);
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
model.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 }).then((h) => {
  process.stdout.write(JSON.stringify({ backend: d.getBackend().name, loss: h.history.loss }));
});`;
    const runOnce = (): { backend: string; loss: number[] } =>
      JSON.parse(
        execFileSync(process.execPath, ['--conditions=@descent/source', '--require', 'tsx/cjs', '-e', code], { encoding: 'utf8', timeout: 60_000 }),
      ) as { backend: string; loss: number[] };
    const first = runOnce();
    expect(first.backend).toBe('wasm');
    expect(first.loss).toHaveLength(5);
    expect(first.loss[4]!).toBeLessThan(first.loss[0]!);
    expect(runOnce().loss).toEqual(first.loss);
  });
});

describe("the README's example", () => {
  it('runs as written (imports pointed at this checkout), saving and loading in a temporary folder', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // Inside the package, so that `--import tsx` resolves from the workspace's node_modules.
    const dir = mkdtempSync(fileURLToPath(new URL('../.readme-', import.meta.url)));
    try {
      const file = join(dir, 'example.mts');
      writeFileSync(file, block!.replace(/from 'descent'/g, `from ${JSON.stringify(nodeEntry)}`));
      const out = execFileSync(process.execPath, ['--conditions=@descent/source', '--import', 'tsx', file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      }).trim().split('\n');
      expect(out[0]).toBe('wasm');
      expect(existsSync(join(dir, 'xor-model', 'model.json'))).toBe(true);
      // A Float32Array of the four predictions, each a sigmoid output.
      const printed = out.slice(1).join(' ');
      expect(printed).toMatch(/^Float32Array\(4\) \[/);
      const values = printed.slice(printed.indexOf('[') + 1, printed.lastIndexOf(']')).split(',').map(Number);
      expect(values).toHaveLength(4);
      for (const v of values) expect(v > 0 && v < 1).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
