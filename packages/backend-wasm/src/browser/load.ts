import type { SpawnWorker } from '../threads.js';
import { workerSource } from '../worker-source.js';

/** Spin after each job for this long before sleeping (a sleeping worker takes 25–50 µs to wake). */
const WORKER_SPIN_MS = 0.2;

// The slices of the DOM API used here, typed locally: the package compiles without the DOM lib.
interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}
interface BrowserGlobals {
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?: (blob: object) => string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

const g = globalThis as unknown as BrowserGlobals;

/** Fetch a kernel binary, with an error that names the URL and the HTTP status. */
export async function fetchKernelBytes(url: string): Promise<Uint8Array> {
  if (typeof g.fetch !== 'function') throw new Error(`cannot fetch ${url}: this engine has no fetch()`);
  const response = await g.fetch(url);
  if (!response.ok) throw new Error(`fetching ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that answers 200 with an HTML page (a SPA fallback) would otherwise fail later as a
  // CompileError about bytes; say what arrived instead.
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error(`${url} is not a WebAssembly binary (${bytes.length} bytes, not starting with \\0asm)`);
  }
  return bytes;
}

/**
 * Workers share the wasm memory only on a cross-origin-isolated page (served with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`):
 * there a memory can be posted to a Web Worker. Elsewhere the backend runs on one thread.
 */
export function browserThreads(): number {
  if (g.crossOriginIsolated !== true || typeof g.Worker !== 'function') return 1;
  return Math.max(1, Math.min(g.navigator?.hardwareConcurrency ?? 1, 4));
}

export function browserSpawner(): SpawnWorker | null {
  const { Worker, Blob } = g;
  const createObjectURL = g.URL.createObjectURL;
  if (g.crossOriginIsolated !== true || typeof Worker !== 'function' || typeof Blob !== 'function' || typeof createObjectURL !== 'function') {
    return null;
  }
  let url: string | null = null;
  return (module, memory, controlPtr) => {
    url ??= createObjectURL(new Blob([workerSource(WORKER_SPIN_MS, 'browser')], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.postMessage({ module, memory, controlPtr });
    return { terminate: () => worker.terminate() };
  };
}
