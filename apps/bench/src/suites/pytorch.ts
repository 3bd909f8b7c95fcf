import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Digits, InitialWeights, ModelKind } from './train-contenders.js';
import { BATCH } from './train-contenders.js';

let available: boolean | null = null;

/** Whether `python3 -c 'import torch'` works here (checked once; no python3 counts as no). */
export function torchAvailable(): boolean {
  available ??= spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  return available;
}

export interface TorchResult {
  readonly version: string;
  readonly threads: number;
  readonly batches: number;
  readonly loss: number;
  /** Milliseconds per batch, one entry per run. */
  readonly times: readonly number[];
}

export interface TorchPlan {
  readonly checkBatches: number;
  readonly rounds: number;
  readonly budgetMs: number;
  readonly maxBatches: number;
}

const SCRIPT = fileURLToPath(new URL('../../py/torch_bench.py', import.meta.url));

/** Train `kind` in PyTorch from the same weights on the same batches (py/torch_bench.py). */
export function runTorch(kind: ModelKind, init: InitialWeights, data: Digits, plan: TorchPlan): TorchResult {
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-torch-'));
  try {
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
      ...plan,
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = spawnSync('python3', [SCRIPT, join(dir, 'spec.json')], { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 20 });
    if (out.status !== 0) throw new Error(`pytorch: ${SCRIPT} failed (status ${out.status}): ${out.stderr || out.error?.message || ''}`);
    const lines = out.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as TorchResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
