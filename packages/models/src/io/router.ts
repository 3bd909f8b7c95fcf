import type { IOHandler, ModelArtifacts, SaveResult } from './artifacts.js';

/** Turns a URL such as `'file://./out/model'` into a handler, or returns null when it is not theirs. */
export type IORouter = (url: string) => IOHandler | null;

const routers = new Map<string, IORouter>();

/**
 * Make `scheme://…` URLs usable in `model.save(url)` and `loadModel(url)`. The Node entry
 * (`@descent/models/node`) registers `file://` when imported; a browser app could register
 * `indexeddb://` or `http://` the same way.
 */
export function registerIORouter(scheme: string, router: IORouter): void {
  routers.set(scheme.replace(/:\/\/$/, '').toLowerCase(), router);
}

/** The URL schemes registered with `registerIORouter`, e.g. `['file://']`. */
export function listIOSchemes(): string[] {
  return [...routers.keys()].map((s) => `${s}://`);
}

/** The handler for `destination` (an IOHandler is returned as is). */
export function resolveIOHandler(destination: string | IOHandler, op: string): IOHandler {
  if (typeof destination !== 'string') {
    if (typeof destination !== 'object' || destination === null) {
      throw new Error(`${op}: expected a URL string or an IOHandler object, got ${destination === null ? 'null' : typeof destination}`);
    }
    return destination;
  }
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(destination);
  if (!match) {
    throw new Error(
      `${op}: '${destination}' has no scheme; use a URL such as 'file://${destination}' (Node: import '@descent/models/node') or pass an IOHandler`,
    );
  }
  const scheme = match[1]!.toLowerCase();
  const router = routers.get(scheme);
  const handler = router ? router(destination) : null;
  if (!handler) {
    const hint = scheme === 'file' ? " — file:// works in Node after `import '@descent/models/node'`" : '';
    const known = listIOSchemes();
    throw new Error(`${op}: no handler for '${scheme}://' URLs${hint} (registered: ${known.length ? known.join(', ') : 'none'})`);
  }
  return handler;
}

/** A save handler that hands the artifacts to `fn` (like `tf.io.withSaveHandler`). */
export function withSaveHandler(fn: (artifacts: ModelArtifacts) => SaveResult | void | Promise<SaveResult | void>): IOHandler {
  return {
    async save(artifacts) {
      const result = await fn(artifacts);
      if (result) return result;
      const w = artifacts.weightData;
      const weightDataBytes = Array.isArray(w) ? w.reduce((n, b) => n + b.byteLength, 0) : w.byteLength;
      return { modelJSONBytes: JSON.stringify(artifacts.modelTopology).length, weightDataBytes };
    },
  };
}

/** A load handler serving artifacts already in memory (like `tf.io.fromMemory`). */
export function fromMemory(artifacts: ModelArtifacts): IOHandler {
  return { load: () => Promise.resolve(artifacts) };
}
