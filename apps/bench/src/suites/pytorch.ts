import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Digits, InitialWeights, ModelKind } from './train-contenders.js';
import { BATCH } from './train-contenders.js';

/** Where PyTorch is looked for when no `--python` is given: Debian's python3-torch lives under /usr/bin/python3. */
export const DEFAULT_PYTHONS: readonly string[] = ['python3', '/usr/bin/python3'];

/** How to get PyTorch, for the note printed when none was found. */
export const TORCH_HINT =
  "install it (Debian: 'apt-get install -y python3-torch libopenblas0-pthread', used by /usr/bin/python3) or pass --python <interpreter with torch>";

/**
 * Below this many GFLOP/s for a 256×256 matmul on one thread, PyTorch is calling a reference BLAS:
 * Debian's python3-torch uses whatever libblas.so.3 points to, and without OpenBLAS installed that is
 * libblas3 (~2 GFLOP/s here, against ~100 with OpenBLAS), which made its MLP epoch 7× slower.
 */
export const SLOW_BLAS_GFLOPS = 10;

/**
 * The environment of a PyTorch process meant to use `threads` threads. `torch.set_num_threads` sets
 * PyTorch's own pool but not OpenBLAS's: Debian's PyTorch then runs its products on every core
 * (a "1 thread" worker used 2 cores' CPU time for its matmuls here) and its BLAS threads keep spinning
 * for ~50 ms after each call, taking a core from whichever contender runs next.
 */
export function torchEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

const found = new Map<string, boolean>();

/** Whether `python -c 'import torch'` works (checked once per interpreter; a missing interpreter counts as no). */
export function hasTorch(python: string): boolean {
  let ok = found.get(python);
  if (ok === undefined) {
    ok = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
    found.set(python, ok);
  }
  return ok;
}

/**
 * The interpreter to run PyTorch with: `python` when given (an error if it cannot import torch, since
 * it was asked for), else the first of DEFAULT_PYTHONS that can; null when none can.
 */
export function findTorchPython(python?: string): string | null {
  if (python !== undefined) {
    if (!hasTorch(python)) throw new Error(`bench: --python ${python} cannot 'import torch'; ${TORCH_HINT}`);
    return python;
  }
  return DEFAULT_PYTHONS.find(hasTorch) ?? null;
}

const SCRIPT = fileURLToPath(new URL('../../py/torch_bench.py', import.meta.url));

interface Reply {
  readonly ready?: boolean;
  readonly version?: string;
  readonly threads?: number;
  readonly gflops?: number;
  readonly loss?: number;
  readonly ms?: number;
  readonly error?: string;
}

/**
 * A python3 process (py/torch_bench.py) holding the PyTorch model, kept alive so that its runs can be
 * interleaved round by round with the other contenders' (one JSON line per command and per reply).
 * It exits when `close()` is called or this process's end closes its stdin.
 */
export class TorchWorker {
  private readonly pending: ((r: Reply) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;
  /** PyTorch's version and its intra-op thread count, as the worker reported them. */
  version = '';
  threads = 0;
  /** GFLOP/s of PyTorch's own 256×256 matmul at this thread count, measured at start. */
  gflops = NaN;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly dir: string,
  ) {}

  /** Start a worker training `kind` from `init` on `data` with `threads` intra-op threads. */
  static async start(python: string, kind: ModelKind, init: InitialWeights, data: Digits, threads: number): Promise<TorchWorker> {
    const dir = mkdtempSync(join(tmpdir(), 'descent-bench-torch-'));
    const file = (name: string, values: Float32Array): string => {
      const path = join(dir, name);
      writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return path;
    };
    const spec = {
      kind,
      batch: BATCH,
      trainSize: data.trainSize,
      x: file('x.bin', data.trainX),
      y: file('y.bin', data.trainY),
      weights: init.values.map((v, i) => file(`w${i}.bin`, v)),
      shapes: init.shapes,
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const proc = spawn(python, [SCRIPT, join(dir, 'spec.json'), String(threads)], { stdio: ['pipe', 'pipe', 'pipe'], env: torchEnv(threads) });
    const worker = new TorchWorker(proc, dir);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      worker.stderr = (worker.stderr + s).slice(-4000);
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const resolve = worker.pending.shift();
      if (resolve) resolve(JSON.parse(line) as Reply);
    });
    const fail = (why: string): void => {
      worker.exited = why;
      for (const resolve of worker.pending.splice(0)) resolve({ error: why });
    };
    proc.on('error', (e) => fail(`could not run ${python}: ${e.message}`));
    proc.on('exit', (code, signal) => fail(`${SCRIPT} exited (${signal ?? `status ${code}`}): ${worker.stderr.trim()}`));
    const ready = await worker.next();
    if (!ready.ready) {
      worker.close();
      throw new Error(`pytorch: ${ready.error ?? 'the worker did not start'}`);
    }
    worker.version = ready.version ?? '?';
    worker.threads = ready.threads ?? threads;
    worker.gflops = ready.gflops ?? NaN;
    return worker;
  }

  private next(): Promise<Reply> {
    if (this.exited !== null) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => this.pending.push(resolve));
  }

  /** Train `batches` more batches; PyTorch's own wall time for them (ms) and their mean loss. */
  async train(batches: number): Promise<{ loss: number; ms: number }> {
    const reply = this.next();
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'train', batches })}\n`);
    const r = await reply;
    if (r.error !== undefined || r.loss === undefined || r.ms === undefined) throw new Error(`pytorch: ${r.error ?? `unexpected reply ${JSON.stringify(r)}`}`);
    return { loss: r.loss, ms: r.ms };
  }

  /** Predict the first `n` training inputs in batches of `batchSize` (no gradients); PyTorch's own wall time (ms). */
  async predict(n: number, batchSize: number): Promise<number> {
    const reply = this.next();
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'predict', n, batch: batchSize })}\n`);
    const r = await reply;
    if (r.error !== undefined || r.ms === undefined) throw new Error(`pytorch: ${r.error ?? `unexpected reply ${JSON.stringify(r)}`}`);
    return r.ms;
  }

  close(): void {
    if (this.exited === null) {
      this.proc.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      this.proc.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
