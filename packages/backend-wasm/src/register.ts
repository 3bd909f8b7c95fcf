import { registerBackend, registerBackendLoading } from '@descent/tensor';
import { MAX_PAGES } from './abi.js';
import type { KernelModule, WasmMemoryInfo } from './backend.js';
import { WasmBackend } from './backend.js';
import { browserSpawner, browserThreads, fetchKernelBytes } from './browser/load.js';
import { detectFlavour, sharedMemoryAvailable } from './detect.js';
import type { NodeHost } from './node/load.js';
import { nodeHost, nodeSpawner, nodeThreads, readKernelBytes } from './node/load.js';
import { wasmApi } from './wasm-api.js';
import type { WasmModule } from './wasm-api.js';

// No top-level await anywhere in this entry: `require()` of the package works on Node ≥ 20.19 and
// bundlers keep it a plain module. Node reads and compiles the kernels synchronously on first use;
// a browser fetches them asynchronously (`ready()` of @descent/tensor waits for that).

type Flavour = 'simd' | 'relaxed';

/** Where the kernel binaries are: a folder (URL or, in Node, a path) or one location per build. */
export type WasmPaths = string | URL | { simd?: string | URL; relaxed?: string | URL };

const flavour: Flavour | null = detectFlavour();
const usable = flavour !== null && sharedMemoryAvailable();
const host: NodeHost | null = nodeHost();

let paths: WasmPaths | null = null;
let loaded: KernelModule | null = null;
let instance: WasmBackend | null = null;
/** Why the last load failed (the backend is then not registered and the CPU backend is used). */
let failure: string | null = null;
let warned = false;
/** Counts browser loads, so a load that `setWasmPaths` superseded is ignored when it ends. */
let generation = 0;

/**
 * The default location of each build, written as literal `new URL('…', import.meta.url)` expressions:
 * Vite, webpack 5, Rollup and Parcel recognise that form and copy the .wasm into the output. The URL
 * is built only when asked for (in a CommonJS bundle, `import.meta.url` is undefined).
 */
function defaultLocation(f: Flavour): URL {
  return f === 'simd' ? new URL('../build/kernels-simd.wasm', import.meta.url) : new URL('../build/kernels-relaxed.wasm', import.meta.url);
}

function isUrlLike(s: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !/^[a-zA-Z]:[\\/]/.test(s);
}

/** The location of build `f`: the override of `setWasmPaths`, else the package's own build/ folder. */
function location(f: Flavour): URL {
  if (paths === null) return defaultLocation(f);
  const page = (globalThis as { location?: { href?: unknown } }).location;
  const base = typeof page?.href === 'string' ? page.href : undefined;
  const asUrl = (p: string | URL): URL => {
    if (p instanceof URL) return p;
    if (host !== null && !isUrlLike(p)) return host.url.pathToFileURL(p);
    return new URL(p, base);
  };
  if (typeof paths === 'string' || paths instanceof URL) {
    let folder = String(paths);
    if (!folder.endsWith('/')) folder += '/';
    return new URL(`kernels-${f}.wasm`, asUrl(folder));
  }
  const given = paths[f];
  if (given === undefined) throw new Error(`setWasmPaths: no location given for the '${f}' build this engine runs (pass { ${f}: url })`);
  return asUrl(given);
}

function packageRootOf(loc: URL): URL | null {
  return paths === null ? new URL('../', loc) : null;
}

function warnFallback(reason: string): void {
  failure = reason;
  if (warned) return;
  warned = true;
  console.warn(`@descent/backend-wasm: ${reason}; using the CPU backend. Where the .wasm files are served from elsewhere, call setWasmPaths() before the first op.`);
}

function makeInstance(module: WasmModule, f: Flavour): WasmBackend {
  loaded = { module, flavour: f, maxPages: MAX_PAGES };
  const spawn = host !== null ? nodeSpawner(host) : browserSpawner();
  const threads = host !== null ? nodeThreads(host) : browserThreads();
  return new WasmBackend(loaded, spawn, spawn === null ? 1 : threads);
}

/** Node: read and compile synchronously (the binary is ~45 KB; compiling takes milliseconds). */
function loadInNode(h: NodeHost, f: Flavour): WasmBackend {
  const loc = location(f);
  let bytes: Uint8Array;
  try {
    bytes = readKernelBytes(h, loc, packageRootOf(loc));
  } catch (e) {
    throw new Error(
      `cannot read the wasm kernels at ${loc.href} (${(e as Error).message}); a bundle must ship @descent/backend-wasm/build/*.wasm and call setWasmPaths(folder)`,
      { cause: e },
    );
  }
  const Module = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => WasmModule } }).WebAssembly.Module;
  return makeInstance(new Module(bytes), f);
}

function registerNode(h: NodeHost, f: Flavour): void {
  registerBackend(
    'wasm',
    () => {
      try {
        instance ??= loadInNode(h, f);
        return instance;
      } catch (e) {
        failure = (e as Error).message;
        throw e;
      }
    },
    2,
  );
}

/** Browser (or any engine without Node's modules): fetch, compile, then register. */
function startBrowserLoad(f: Flavour): void {
  const mine = ++generation;
  let settle!: () => void;
  registerBackendLoading('wasm', new Promise<void>((resolve) => (settle = resolve)));
  // Start after the importing module's top-level code has run, so a `setWasmPaths()` there applies.
  queueMicrotask(() => {
    // A setWasmPaths() since this load was queued started another: leave the fetch to that one.
    if (mine !== generation) {
      settle();
      return;
    }
    let url: string;
    try {
      url = location(f).href;
    } catch (e) {
      warnFallback((e as Error).message);
      settle();
      return;
    }
    void fetchKernelBytes(url)
      .then((bytes) => wasmApi()!.compile(bytes))
      .then(
        (module) => {
          if (mine !== generation) return;
          instance = makeInstance(module, f);
          failure = null;
          const made = instance;
          registerBackend('wasm', () => made, 2);
        },
        (e: unknown) => {
          if (mine !== generation) return;
          warnFallback(`could not load the wasm kernels (${(e as Error).message})`);
        },
      )
      .finally(settle);
  });
}

if (usable) {
  if (host !== null) registerNode(host, flavour);
  else startBrowserLoad(flavour);
}

/**
 * Load the kernel binaries from elsewhere than this package's build/ folder, like TF.js's
 * `setWasmPaths`: a folder holding `kernels-simd.wasm` and `kernels-relaxed.wasm` (a URL, or a path in
 * Node), or `{ simd, relaxed }` with one location each. Call it before the first op (in a browser:
 * in the same top-level code as the import, or before `await ready()`); for a CDN, a Node bundle
 * that does not ship build/, or a dev server that does not serve node_modules.
 */
export function setWasmPaths(where: WasmPaths): void {
  const valid =
    typeof where === 'string' ||
    where instanceof URL ||
    (typeof where === 'object' && where !== null && Object.keys(where).every((k) => k === 'simd' || k === 'relaxed'));
  if (!valid) throw new Error(`setWasmPaths: expected a folder URL/path or { simd, relaxed }, got ${JSON.stringify(where)}`);
  if (instance !== null) {
    throw new Error('setWasmPaths: the wasm kernels are already loaded; call it before the first op (and before ready())');
  }
  paths = where;
  failure = null;
  warned = false;
  if (usable && host === null) startBrowserLoad(flavour);
  else if (usable && host !== null) registerNode(host, flavour);
}

/** The wasm backend instance (created on first use); throws, saying why, where it is unavailable. */
export function getWasmBackend(): WasmBackend {
  if (instance !== null) return instance;
  if (!usable) throw new Error('wasm backend: this engine lacks WebAssembly SIMD or shared memory; the CPU backend is used');
  if (host !== null) {
    try {
      instance = loadInNode(host, flavour);
      return instance;
    } catch (e) {
      failure = (e as Error).message;
      throw new Error(`wasm backend: ${failure}`, { cause: e });
    }
  }
  if (failure !== null) throw new Error(`wasm backend: ${failure}`);
  throw new Error('wasm backend: the kernels are still loading; `await ready()` (from @descent/tensor) first');
}

/** Which kernel build was loaded ('relaxed' = FMA), or null where the wasm backend is unavailable. */
export function wasmFlavour(): Flavour | null {
  if (instance === null && host !== null && usable && failure === null) {
    try {
      getWasmBackend();
    } catch {
      return null;
    }
  }
  return loaded?.flavour ?? null;
}

/** Why the wasm backend is not in use (a failed load, or an engine without wasm SIMD), or null. */
export function wasmLoadError(): string | null {
  if (!usable) return 'this engine lacks WebAssembly SIMD or shared memory';
  return failure;
}

/** Threads for large matMul/conv products, the calling thread included (1 = single-threaded). */
export function setNumThreads(n: number): void {
  getWasmBackend().setNumThreads(n);
}

/**
 * Threads the wasm backend uses for large products, the calling one included: `min(cores, 4)` in
 * Node and on a cross-origin-isolated page, 1 on other pages (like TF.js's `getThreadsCount`).
 */
export function getThreadsCount(): number {
  return getWasmBackend().numThreads;
}

/** How many times each kernel ran on the CPU fallback (copy out, CPU kernel, copy back). */
export function fallbackCounts(): Record<string, number> {
  return Object.fromEntries(getWasmBackend().fallback.counts);
}

/** Sets every count of `fallbackCounts()` back to zero. */
export function resetFallbackCounts(): void {
  getWasmBackend().fallback.counts.clear();
}

/** Memory figures of the wasm backend (see `WasmMemoryInfo`). */
export function wasmMemoryInfo(): WasmMemoryInfo {
  return getWasmBackend().memoryInfo();
}
