import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'descent-classifier-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the app the way `pnpm start` does (tsx on the sources), with arguments. */
function runApp(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@descent/source', '--import', 'tsx', 'src/main.ts', ...args],
      { cwd: appDir, timeout: 240_000, env: { ...process.env, FORCE_COLOR: '0' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('classifier app, end to end', () => {
  it('trains an MLP on a slice, beats chance by far, saves the model, history and charts', async () => {
    const dir = join(out, 'single');
    const run = await runApp(['--limit', '1000', '--epochs', '1', '--out', dir, '--verbose', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const accuracy = Number(/Test accuracy: ([\d.]+)%/.exec(run.stdout)?.[1]);
    // Ten classes: chance is 10%. One epoch on 1,000 digits reaches well over 60%.
    expect(accuracy).toBeGreaterThan(60);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as { history: Record<string, number[]>; test: { accuracy: number } };
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.test.accuracy * 100).toBeCloseTo(accuracy, 1);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(modelJson.format).toBe('layers-model');
    // Every weight file the manifest names was written next to model.json (its name is per save).
    const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(existsSync(join(dir, 'model', p))).toBe(true);
    expect(readFileSync(join(dir, 'training.svg'), 'utf8')).toMatch(/^<svg/);
    expect([...readFileSync(join(dir, 'training.png')).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('compares optimizers from the same start and writes compare.svg and compare.png', async () => {
    const dir = join(out, 'compare');
    const run = await runApp(['--limit', '600', '--epochs', '1', '--out', dir, '--verbose', '0', '--compare', 'sgd,adam', '--no-save']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\| optimizer \| learning rate \| train loss \| val loss \| test accuracy \| s\/epoch \|/);
    expect(run.stdout).toMatch(/\| sgd \| 0\.1 \|/);
    expect(run.stdout).toMatch(/\| adam \| 0\.001 \|/);
    expect(run.stdout).toMatch(/Best on this task: (sgd|adam)/);
    expect(existsSync(join(dir, 'compare.svg'))).toBe(true);
    expect(existsSync(join(dir, 'compare.png'))).toBe(true);
  });

  it('rejects an unknown optimizer with the list of valid names and a non-zero exit', async () => {
    const run = await runApp(['--optimizer', 'adma', '--out', join(out, 'bad')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Unknown optimizer 'adma'\. Did you mean 'adam'\?/);
    expect(run.stderr).toMatch(/sgd.*momentum.*adagrad.*rmsprop.*adam/);
    expect(existsSync(join(out, 'bad'))).toBe(false);
  });

  it('lists every option in --help', async () => {
    const run = await runApp(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--optimizer', '--lr', '--model', '--epochs', '--batch-size', '--seed', '--dataset', '--out', '--compare']) {
      expect(run.stdout).toContain(flag);
    }
  });
});
