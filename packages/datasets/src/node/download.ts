import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { checkLimit, concat, DEFAULT_MAX_DOWNLOAD_BYTES, streamBody } from '../fetch.js';
import type { DownloadLimits, DownloadProgress } from '../fetch.js';

/** Where downloads are cached: `$DESCENT_CACHE_DIR`, else `$XDG_CACHE_HOME/descent`, else `~/.cache/descent`. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.DESCENT_CACHE_DIR) return env.DESCENT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'descent');
}

/** The SHA-256 (lower-case hex) of `bytes`, synchronously, through `node:crypto`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What {@link fetchCached} downloads, where it caches it and how it checks it. */
export interface CachedFileOptions extends DownloadLimits {
  /** The URL to fetch. */
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
  /** The fetch implementation (default the global `fetch`). */
  fetch?: typeof fetch;
  /** Extra request options (headers, credentials, …); its `signal`, if any, also cancels the download. */
  requestInit?: RequestInit;
  /** Called once the response headers arrive (0 bytes) and after every chunk; once with the whole size on a cache hit. */
  onProgress?: (progress: DownloadProgress) => void;
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
  const cached = await readCached(opts.path, opts.sha256, opts.size, cap);
  if (cached) {
    opts.onProgress?.({ url, received: cached.length, total: cached.length });
    return cached;
  }

  const dir = dirname(opts.path);
  const tmp = join(dir, `.${basename(opts.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // The temporary file, opened once the response headers are accepted.
  const sink: { file?: FileHandle | undefined } = {};
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  try {
    const { received } = await streamBody({
      url,
      cap,
      capWhat:
        opts.size !== undefined
          ? `the expected size of ${basename(opts.path)}`
          : `the declared maximum for ${basename(opts.path)}, whose exact size is not known`,
      size: opts.size,
      fetch: opts.fetch,
      requestInit: opts.requestInit,
      onProgress: opts.onProgress,
      suffix: '; nothing was cached',
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      begin: async () => {
        await mkdir(dir, { recursive: true });
        sink.file = await open(tmp, 'wx');
      },
      chunk: async (bytes) => {
        hash.update(bytes);
        chunks.push(bytes);
        await sink.file?.write(bytes);
      },
    });
    await sink.file?.close();
    sink.file = undefined;
    const actual = hash.digest('hex');
    if (actual !== opts.sha256) {
      const expectedSize = opts.size !== undefined ? ` (${opts.size} bytes)` : '';
      throw new Error(
        `download: checksum mismatch for ${url}: expected SHA-256 ${opts.sha256}${expectedSize}, got ${actual} (${received} bytes); nothing was cached`,
      );
    }
    await rename(tmp, opts.path);
    return concat(chunks, received);
  } catch (err) {
    await sink.file?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
