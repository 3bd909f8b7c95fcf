import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystem } from '../file-system.js';
import { artifactsFor, versionOf } from './versions.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..', '..', '..');

export interface KillReport {
  kills: number;
  /** Kills after which the folder held something besides model.json and its weights file. */
  withLeftovers: number;
  /** Most entries the model folder held after a kill (leftovers do not pile up: 2 or 3). */
  maxFiles: number;
  /** Kills after which the new version (being saved when killed) had already replaced the old. */
  newVersion: number;
  /** Kills that came before the child finished any save. */
  beforeFirstSave: number;
  failures: string[];
}

interface ChildRun {
  started: number[];
  done: number[];
}

/** Start a child saving in a loop, kill it `delayMs` after it is ready, and report what it said. */
function runChild(target: string, base: number, delayMs: number): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--conditions=@descent/source', '--import', 'tsx', join(here, 'save-loop.ts'), target, String(base)], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (timer === undefined && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`save loop exited by itself (code ${String(_code)}): ${err.slice(-2000)}`));
        return;
      }
      const run: ChildRun = { started: [], done: [] };
      for (const line of out.split('\n')) {
        const m = /^(start|done) (\d+)$/.exec(line);
        if (m) (m[1] === 'start' ? run.started : run.done).push(Number(m[2]));
      }
      resolvePromise(run);
    });
  });
}

/**
 * Save version 0, then `kills` times: start a child that saves new versions in a loop, SIGKILL it
 * at a random moment, and check that the folder loads as a complete version — the last one the
 * child finished, or the one it was writing (or, killed before finishing any, the one before).
 * Finally, one more save must leave no leftovers of the killed children.
 */
export async function killTest(dir: string, kills: number, maxDelayMs: number, log?: (line: string) => void): Promise<KillReport> {
  const target = join(dir, 'model');
  const handler = fileSystem(target);
  await handler.save!(artifactsFor(0));
  let current = 0;
  const report: KillReport = { kills: 0, withLeftovers: 0, maxFiles: 0, newVersion: 0, beforeFirstSave: 0, failures: [] };
  for (let i = 0; i < kills; i++) {
    // Versions stay below 2^24, so that float32 weights hold them exactly.
    const base = (i + 1) * 10_000;
    const run = await runChild(target, base, Math.random() * maxDelayMs);
    report.kills++;
    const lastDone = run.done.at(-1);
    const before = lastDone ?? current;
    const writing = run.started.find((k) => k > (lastDone ?? base - 1));
    const allowed = writing === undefined ? [before] : [before, writing];
    if (lastDone === undefined) report.beforeFirstSave++;
    const files = readdirSync(target);
    if (files.length !== 2 || readdirSync(dir).length !== 1) report.withLeftovers++;
    report.maxFiles = Math.max(report.maxFiles, files.length);
    try {
      const loaded = versionOf(await handler.load!());
      if (!allowed.includes(loaded)) throw new Error(`loaded version ${loaded}, expected one of ${allowed.join(', ')}`);
      if (loaded !== before) report.newVersion++;
      current = loaded;
    } catch (err) {
      report.failures.push(`kill ${i + 1}: ${err instanceof Error ? err.message : String(err)}; folder: ${files.join(', ')}`);
    }
    log?.(`kill ${i + 1}/${kills}: saved ${run.done.length}, loaded ${current}`);
  }
  await handler.save!(artifactsFor(1));
  const left = [...readdirSync(dir).filter((n) => n !== 'model'), ...readdirSync(target).filter((n) => n !== 'model.json' && !/^weights\..*\.bin$/.test(n))];
  if (left.length > 0 || readdirSync(target).length !== 2) report.failures.push(`leftovers after a final save: ${[...readdirSync(dir), ...readdirSync(target)].join(', ')}`);
  return report;
}
