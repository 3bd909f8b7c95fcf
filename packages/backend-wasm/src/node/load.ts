import type { SpawnWorker } from '../threads.js';
import { workerSource } from '../worker-source.js';

/** Spin after each job for this long before sleeping (a sleeping worker takes 25–50 µs to wake). */
const WORKER_SPIN_MS = 0.2;

// Node's modules are reached through `process.getBuiltinModule` (Node ≥ 20.16), not `import 'node:…'`:
// this file is part of the package's one entry, and a browser bundle must never see a `node:` import.
// The slices of their APIs used here are typed locally for the same reason.
interface NodeFs {
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
  statSync(path: string): { mtimeMs: number };
  readdirSync(path: string): string[];
}
interface NodeUrl {
  fileURLToPath(url: URL | string): string;
  pathToFileURL(path: string): URL;
}
interface NodeWorker {
  terminate(): unknown;
  unref(): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}
interface NodeOs {
  availableParallelism(): number;
}
interface NodeChildProcess {
  execFileSync(file: string, args: string[], options: { stdio: ['ignore', 'ignore', 'inherit'] }): unknown;
}
interface NodeProcess {
  versions?: { node?: string };
  execPath: string;
  getBuiltinModule?: (name: string) => unknown;
}

/** What the Node loader needs from Node, or null outside Node (a browser, a worker, Deno without it). */
export interface NodeHost {
  fs: NodeFs;
  url: NodeUrl;
  os: NodeOs;
  workers: NodeWorkerThreads;
  childProcess: NodeChildProcess;
  execPath: string;
}

export function nodeHost(): NodeHost | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return null;
  const get = proc.getBuiltinModule.bind(proc);
  return {
    fs: get('node:fs') as NodeFs,
    url: get('node:url') as NodeUrl,
    os: get('node:os') as NodeOs,
    workers: get('node:worker_threads') as NodeWorkerThreads,
    childProcess: get('node:child_process') as NodeChildProcess,
    execPath: proc.execPath,
  };
}

/**
 * In a checkout of the repository (asm/ beside build/), rebuild build/*.wasm when it is missing or
 * older than asm/ or src/abi.ts, so src/ works without a build step. A published install has no asm/ and skips this.
 */
function rebuildIfStale(host: NodeHost, packageRoot: URL): void {
  const { fs, url } = host;
  const asmDir = url.fileURLToPath(new URL('asm/', packageRoot));
  const script = url.fileURLToPath(new URL('scripts/build-wasm.mjs', packageRoot));
  if (!fs.existsSync(asmDir) || !fs.existsSync(script)) return;
  let newest = 0;
  for (const name of fs.readdirSync(asmDir)) newest = Math.max(newest, fs.statSync(`${asmDir}/${name}`).mtimeMs);
  // src/abi.ts is compiled into the kernels too (scripts/compile.mjs SHARED_INPUTS).
  newest = Math.max(newest, fs.statSync(url.fileURLToPath(new URL('src/abi.ts', packageRoot))).mtimeMs);
  const stale = ['simd', 'relaxed'].some((f) => {
    const file = url.fileURLToPath(new URL(`build/kernels-${f}.wasm`, packageRoot));
    return !fs.existsSync(file) || fs.statSync(file).mtimeMs < newest;
  });
  if (stale) host.childProcess.execFileSync(host.execPath, [script, '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The kernel binary, read synchronously: from `location` (a file URL of the .wasm) — by default
 * build/kernels-<flavour>.wasm of this package — rebuilt first in a repository checkout when stale.
 */
export function readKernelBytes(host: NodeHost, location: URL, packageRoot: URL | null): Uint8Array {
  if (packageRoot !== null) rebuildIfStale(host, packageRoot);
  return host.fs.readFileSync(host.url.fileURLToPath(location));
}

export function nodeSpawner(host: NodeHost): SpawnWorker {
  return (module, memory, controlPtr) => {
    const worker = new host.workers.Worker(workerSource(WORKER_SPIN_MS, 'node'), { eval: true, workerData: { module, memory, controlPtr } });
    worker.unref();
    return { terminate: () => void worker.terminate() };
  };
}

export function nodeThreads(host: NodeHost): number {
  return Math.min(host.os.availableParallelism(), 4);
}
