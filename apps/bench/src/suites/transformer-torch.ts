// The PyTorch contender of the transformer-train suite: the same block in a python3 worker process.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Data, Weights } from './transformer-block.js';
import { BATCH, CLASSES, DATA_BATCHES, DIM, FF, HEADS, STEPS, WEIGHT_NAMES } from './transformer-block.js';
import { torchEnv } from './pytorch.js';

interface Reply {
  readonly ready?: boolean;
  readonly version?: string;
  readonly threads?: number;
  readonly loss?: number;
  readonly ms?: number;
  readonly probs?: number[];
  readonly error?: string;
}

const SCRIPT = fileURLToPath(new URL('../../py/torch_transformer.py', import.meta.url));

/**
 * The PyTorch block in a python3 process (py/torch_transformer.py), kept alive for the whole suite so
 * its runs interleave with the others'; one JSON line per command and per reply. PyTorch times its
 * own runs.
 */
export class TorchBlock {
  private readonly pending: ((r: Reply) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;
  version = '';
  threads = 0;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly dir: string,
  ) {}

  static async start(python: string, init: Weights, data: Data, threads: number): Promise<TorchBlock> {
    const dir = mkdtempSync(join(tmpdir(), 'descent-bench-transformer-'));
    const file = (name: string, values: Float32Array): string => {
      const path = join(dir, name);
      writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return path;
    };
    const spec = {
      batch: BATCH, steps: STEPS, dim: DIM, heads: HEADS, ff: FF, classes: CLASSES, batches: DATA_BATCHES,
      x: file('x.bin', data.x),
      y: file('y.bin', data.y),
      names: WEIGHT_NAMES,
      weights: init.values.map((v, i) => file(`w${i}.bin`, v)),
      shapes: init.shapes,
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const proc = spawn(python, [SCRIPT, join(dir, 'spec.json'), String(threads)], { stdio: ['pipe', 'pipe', 'pipe'], env: torchEnv(threads) });
    const worker = new TorchBlock(proc, dir);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      worker.stderr = (worker.stderr + s).slice(-4000);
    });
    createInterface({ input: proc.stdout }).on('line', (line) => worker.pending.shift()?.(JSON.parse(line) as Reply));
    const fail = (why: string): void => {
      worker.exited = why;
      for (const resolve of worker.pending.splice(0)) resolve({ error: why });
    };
    proc.on('error', (e) => fail(`could not run ${python}: ${e.message}`));
    proc.on('exit', (code, signal) => fail(`${SCRIPT} exited (${signal ?? `status ${code}`}): ${worker.stderr.trim()}`));
    const ready = await worker.reply();
    if (!ready.ready) {
      worker.close();
      throw new Error(`transformer-train: PyTorch worker: ${ready.error ?? 'it did not start'}`);
    }
    worker.version = ready.version ?? '?';
    worker.threads = ready.threads ?? threads;
    return worker;
  }

  private reply(): Promise<Reply> {
    if (this.exited !== null) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => this.pending.push(resolve));
  }

  async request(cmd: Record<string, unknown>): Promise<Reply> {
    const r = this.reply();
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    const reply = await r;
    if (reply.error !== undefined) throw new Error(`transformer-train: PyTorch worker: ${reply.error}`);
    return reply;
  }

  close(): void {
    if (this.exited === null) {
      this.proc.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      this.proc.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}