import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@descent/backend-wasm';
import { mnist } from '@descent/datasets/node';
import { loadModel } from '@descent/models';
import '@descent/models/node';
import { afterAll, describe, expect, it } from 'vitest';
// Registers the app's augmentation layer, so that loadModel can rebuild the saved ViT.
import './random-shift.js';

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

const appArgs = ['--conditions=@descent/source', '--import', 'tsx', 'src/main.ts'];

/**
 * Start the app (or, with `shell`, a shell command line) and send `interrupt` once its output
 * matches `when`; resolves with the exit code and everything it wrote.
 */
function interruptApp(command: string, args: string[], when: RegExp, interrupt: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: appDir, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not finish: ${stdout}${stderr}`));
    }, 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && when.test(stdout)) {
        sent = true;
        interrupt(child);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** `script` (util-linux) runs a command on a pseudo-terminal: the app then sees a real TTY. */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

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
    // The optimizer line comes at the start, before the first epoch.
    const optimizerLine = run.stdout.indexOf('Optimizer: adam (learning rate 0.001');
    expect(optimizerLine).toBeGreaterThan(-1);
    expect(optimizerLine).toBeLessThan(run.stdout.indexOf('Epoch 1/1'));
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

  it('trains the residual CNN (--model resnet, a functional graph with Add) for one short epoch and saves it as a graph', async () => {
    const dir = join(out, 'resnet');
    const run = await runApp(['--model', 'resnet', '--limit', '256', '--epochs', '1', '--batch-size', '32', '--out', dir, '--verbose', '0', '--no-chart']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Training a RESNET on 256 MNIST digits/);
    expect(Number(/Test accuracy: ([\d.]+)%/.exec(run.stdout)?.[1])).toBeGreaterThanOrEqual(0);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as {
      modelTopology: { class_name: string; config: { layers: { class_name: string }[] } };
    };
    expect(modelJson.modelTopology.class_name).toBe('Functional');
    const classes = modelJson.modelTopology.config.layers.map((l) => l.class_name);
    // Three residual blocks, each joined by an Add; global average pooling before the classifier.
    expect(classes.filter((c) => c === 'Add')).toHaveLength(3);
    expect(classes).toContain('GlobalAveragePooling2D');
  });

  it('trains the Vision Transformer (--model vit) briefly: loss finite and falling, saved graph loads back with the same test results', async () => {
    const dir = join(out, 'vit');
    const run = await runApp(['--model', 'vit', '--limit', '256', '--validation-split', '0.25', '--epochs', '2', '--batch-size', '32', '--out', dir, '--verbose', '0', '--no-chart']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Training a VIT on 256 MNIST digits/);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as { history: Record<string, number[]>; test: { loss: number; accuracy: number } };
    const loss = history.history.loss!;
    expect(loss).toHaveLength(2);
    for (const l of loss) expect(Number.isFinite(l)).toBe(true);
    // Chance level for ten classes is ln 10 ≈ 2.30; the second epoch's mean loss is below the first's.
    expect(loss[1]!).toBeLessThan(loss[0]!);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as {
      modelTopology: { class_name: string; config: { layers: { class_name: string }[] } };
    };
    expect(modelJson.modelTopology.class_name).toBe('Functional');
    const classes = modelJson.modelTopology.config.layers.map((l) => l.class_name);
    // Two encoder blocks, each with self-attention and two residual Adds; patches embedded by EinsumDense.
    expect(classes.filter((c) => c === 'MultiHeadAttention')).toHaveLength(2);
    expect(classes.filter((c) => c === 'Add')).toHaveLength(4);
    expect(classes).toContain('EinsumDense');
    expect(classes[1]).toBe('RandomShift');
    expect(classes).toContain('GlobalAveragePooling1D');
    // Loaded here, in another process than the one that trained it, the model scores the 2,000 test
    // digits as the app did just after training (same backend): its predictions survived the round trip
    // (the augmentation layer passes images through outside training).
    const model = await loadModel(`file://${join(dir, 'model', 'model.json')}`);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const data = await mnist.load({ source: 'bundled', flatten: false });
    const again = model.evaluate(data.test.xs, data.test.ys, { batchSize: 256 });
    expect(again.accuracy).toBe(history.test.accuracy);
    expect(again.loss).toBeCloseTo(history.test.loss, 5);
  }, 120_000);

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
  it('prints one line for a bad flag and exits with status 1', async () => {
    const bad = [['--bad'], ['--optmizer', 'adam'], ['--verbose', '5'], ['--lr', 'fast']];
    const runs = await Promise.all(bad.map((args) => runApp(args)));
    expect(runs.map((r) => r.stderr)).toEqual([
      "classifier: unknown option '--bad'; see --help\n",
      "classifier: unknown option '--optmizer' (Did you mean --optimizer?); see --help\n",
      "classifier: option '-v, --verbose <level>' argument '5' is invalid. --verbose must be 0, 1 or 2, got '5'; see --help\n",
      "classifier: option '--lr <rate>' argument 'fast' is invalid. --lr must be a non-negative number, got 'fast'; see --help\n",
    ]);
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
    }
  });

  it('wraps --help only where a line is full (80 columns off a terminal)', async () => {
    const run = await runApp(['--help']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(2, 5).join(' ')).toBe(
      'Train an MNIST digit classifier with Descent. By default: an MLP on the bundled digits with Adam, a progress bar, ' +
        'the test accuracy, the saved model and a chart of loss/accuracy per epoch.',
    );
    expect(lines).toContain('  --out <dir>             output directory for the model, history and charts');
    for (const [i, line] of lines.entries()) {
      expect(line.length).toBeLessThanOrEqual(80);
      // A line that continues the one before it (same paragraph or same option) starts with a word
      // that would not have fitted on the line before: no break before the line is full.
      const previous = lines[i - 1];
      const continues = previous !== undefined && previous.trim() !== '' && line.trim() !== '' && !line.startsWith('  -') && line !== 'Options:';
      if (continues) {
        const word = line.trim().split(' ')[0]!;
        expect(`${previous} ${word}`.length, `line ${i + 1} could have joined line ${i}: ${JSON.stringify(previous)}`).toBeGreaterThan(80);
      }
    }
  });

  it('on Ctrl-C prints a one-line summary, removes the empty --out folder it made and exits with 130', async () => {
    const parent = join(out, 'interrupted');
    mkdirSync(parent);
    const dir = join(parent, 'made', 'by', 'the-run');
    const run = await interruptApp(process.execPath, [...appArgs, '--limit', '2000', '--epochs', '30', '--out', dir, '--verbose', '2'], /Epoch 1\/30\n/, (child) =>
      child.kill('SIGINT'),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(130);
    const last = run.stdout.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^Interrupted: adam stopped (in epoch \d+\/30 after \d+\/32 batches \(\d+ epochs? complete\)|after \d+\/30 epochs); last loss \d+\.\d{4}, accuracy \d+\.\d{2}%/);
    // The folders the run made are gone; the one that was there before stays.
    expect(existsSync(join(parent, 'made'))).toBe(false);
    expect(existsSync(parent)).toBe(true);
  });

  it.skipIf(!hasScript)('on a 60-column terminal draws the bar within 59 characters, and Ctrl-C ends its line', async () => {
    const dir = join(out, 'pty');
    const app = [process.execPath, ...appArgs, '--limit', '2000', '--epochs', '30', '--no-chart', '--out', dir].join(' ');
    // Ctrl-C typed into the terminal: the terminal sends SIGINT to the app, as for a person at a keyboard.
    const run = await interruptApp('script', ['-qec', `stty cols 60 rows 24; exec ${app}`, '/dev/null'], /\r +\d+\/32 \[/, (child) => child.stdin?.write('\x03'));
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Epoch 1/30');
    // Each bar line the app draws (the text between carriage returns and newlines, less the `^C`
    // the terminal echoes) stays off the last column.
    const bars = run.stdout.split(/\r\n|\r|\n/).filter((segment) => /^ *\d+\/32 /.test(segment));
    expect(bars.length).toBeGreaterThan(0);
    for (const segment of bars) expect(segment.replace('^C', '').length).toBeLessThan(60);
    // The summary starts on a line of its own: the bar's line was ended first.
    expect(run.stdout).toMatch(/\r *\d+\/32 \[[=>.]+\] - ETA: [^\r\n]*\r\nInterrupted: adam stopped in epoch 1\/30 after \d+\/32 batches/);
    expect(existsSync(dir)).toBe(false);
  });
});
