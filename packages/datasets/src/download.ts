import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Where downloads are cached: `$DESCENT_CACHE_DIR`, else `$XDG_CACHE_HOME/descent`, else `~/.cache/descent`. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.DESCENT_CACHE_DIR) return env.DESCENT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'descent');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How long to wait for the response headers, by default (30 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** How long the body may go without sending a byte, by default (60 s). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** The cap on a download whose exact size is not known, by default (1 GiB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1 << 30;

export interface DownloadLimits {
  /** Milliseconds to wait for the server to answer (connection and response headers). Default 30,000. */
  connectTimeoutMs?: number;
  /** Milliseconds the body may go without sending a byte before the download is abandoned. Default 60,000. */
  idleTimeoutMs?: number;
}

export interface CachedFileOptions extends DownloadLimits {
  url: string;
  /** Expected SHA-256 (hex) of the downloaded bytes. */
  sha256: string;
  /** Cache file path. */
  path: string;
  /** Expected size in bytes, when known: a body longer than this is cut off and refused as it streams. */
  size?: number;
  /**
   * The most bytes accepted when `size` is not given (default {@link DEFAULT_MAX_DOWNLOAD_BYTES}):
   * a larger body is cut off and refused as it streams.
   */
  maxBytes?: number;
  fetch?: typeof fetch;
}

function checkLimit(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new Error(`download: ${name} must be a positive number, got ${value}`);
  }
}

/** Resolve `promise`, or reject with `onTimeout()` (and abort `controller`) after `ms` milliseconds. */
async function within<T>(promise: Promise<T>, ms: number, controller: AbortController, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = onTimeout();
      reject(err);
      controller.abort(err);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error's message with its causes, e.g. `terminated (other side closed)`. */
function explain(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    if (message && !parts.includes(message)) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.length ? `${parts[0]}${parts.length > 1 ? ` (${parts.slice(1).join(': ')})` : ''}` : 'unknown error';
}

/** The cached file, when it is there, not larger than the cap, and has the right checksum. */
async function readCached(path: string, expected: string, size: number | undefined, cap: number): Promise<Uint8Array | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  // Do not read a file that cannot be the right one (a poisoned entry may be huge).
  if (size !== undefined ? info.size !== size : info.size > cap) return null;
  const cached = await readFile(path).catch(() => null);
  return cached && sha256(cached) === expected ? new Uint8Array(cached) : null;
}

/**
 * The bytes at `url`, from the cache when a file with the right checksum is there, else downloaded,
 * verified and then cached.
 *
 * - The server must answer within `connectTimeoutMs` and the body may not pause for longer than
 *   `idleTimeoutMs`; either failure names the URL (and the bytes received so far).
 * - The body is capped at `size` when it is known, else at `maxBytes`: a longer body (or a
 *   `Content-Length` announcing one) is cut off and refused, never buffered whole.
 * - The body streams to a temporary file next to `path`, hashed as it arrives, and is renamed into
 *   place only once its SHA-256 matches; any failure (mismatch, timeout, dropped connection) removes
 *   the temporary file, so nothing partial or wrong is ever cached. A cached file with the wrong
 *   checksum is downloaded again and replaced.
 */
export async function fetchCached(opts: CachedFileOptions): Promise<Uint8Array> {
  const { url } = opts;
  checkLimit('size', opts.size);
  checkLimit('maxBytes', opts.maxBytes);
  checkLimit('connectTimeoutMs', opts.connectTimeoutMs);
  checkLimit('idleTimeoutMs', opts.idleTimeoutMs);
  const cap = opts.size ?? opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const capWhat =
    opts.size !== undefined
      ? `the expected size of ${basename(opts.path)}`
      : `the declared maximum for ${basename(opts.path)}, whose exact size is not known`;
  const cached = await readCached(opts.path, opts.sha256, opts.size, cap);
  if (cached) return cached;

  const connectMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let finished = false;
  let received = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let file: FileHandle | undefined;
  const dir = dirname(opts.path);
  const tmp = join(dir, `.${basename(opts.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    let response: Response;
    try {
      response = await within(
        doFetch(url, { signal: controller.signal }),
        connectMs,
        controller,
        () => new Error(`download: ${url} did not answer within ${connectMs} ms (connectTimeoutMs); nothing was cached`),
      );
    } catch (err) {
      if (controller.signal.aborted) throw err;
      throw new Error(`download: could not fetch ${url}: ${explain(err)}`, { cause: err });
    }
    if (!response.ok) throw new Error(`download: ${url} answered HTTP ${response.status} ${response.statusText}`);

    // Content-Length counts the bytes on the wire, which are the bytes we see unless the body is encoded.
    const lengthHeader = response.headers.get('content-length');
    const encoded = (response.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    const announced = lengthHeader !== null && !encoded && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : undefined;
    if (announced !== undefined && announced > cap) {
      throw new Error(
        `download: ${url} announces ${announced} bytes (Content-Length), more than ${cap} bytes, ${capWhat}; not downloaded, nothing was cached`,
      );
    }
    const total = announced ?? opts.size;
    const progress = (): string => (total !== undefined ? `${received} of ${total}` : `${received} (of an unknown total)`);

    await mkdir(dir, { recursive: true });
    file = await open(tmp, 'wx');
    const hash = createHash('sha256');
    const chunks: Uint8Array[] = [];
    if (response.body) {
      reader = response.body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await within(
            reader.read(),
            idleMs,
            controller,
            () =>
              new Error(
                `download: ${url} stalled: no data for ${idleMs} ms (idleTimeoutMs) after ${progress()} bytes; nothing was cached`,
              ),
          );
        } catch (err) {
          if (controller.signal.aborted) throw err;
          throw new Error(
            `download: the connection to ${url} was dropped after ${progress()} bytes: ${explain(err)}; nothing was cached`,
            { cause: err },
          );
        }
        if (chunk.done) break;
        const bytes = chunk.value;
        if (received + bytes.length > cap) {
          throw new Error(
            `download: ${url} sent more than ${cap} bytes, ${capWhat}; cut off after ${received + bytes.length} bytes, nothing was cached`,
          );
        }
        received += bytes.length;
        hash.update(bytes);
        chunks.push(bytes);
        await file.write(bytes);
      }
    }
    if (announced !== undefined && received < announced) {
      throw new Error(`download: the connection to ${url} was dropped after ${received} of ${announced} bytes; nothing was cached`);
    }
    finished = true;
    await file.close();
    file = undefined;
    const actual = hash.digest('hex');
    if (actual !== opts.sha256) {
      const expectedSize = opts.size !== undefined ? ` (${opts.size} bytes)` : '';
      throw new Error(
        `download: checksum mismatch for ${url}: expected SHA-256 ${opts.sha256}${expectedSize}, got ${actual} (${received} bytes); nothing was cached`,
      );
    }
    await rename(tmp, opts.path);
    const out = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } catch (err) {
    await file?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    if (!finished) {
      // Release the connection: a cut-off or failed body must not keep streaming in the background.
      if (!controller.signal.aborted) controller.abort(new Error(`download: ${url} abandoned`));
      reader?.cancel().catch(() => undefined);
    }
  }
}
