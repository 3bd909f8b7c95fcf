import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloads are cached: `$DESCENT_CACHE_DIR`, else `$XDG_CACHE_HOME/descent`, else `~/.cache/descent`. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.DESCENT_CACHE_DIR) return env.DESCENT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'descent');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface CachedFileOptions {
  url: string;
  /** Expected SHA-256 (hex) of the downloaded bytes. */
  sha256: string;
  /** Cache file path. */
  path: string;
  fetch?: typeof fetch;
}

/**
 * The bytes at `url`, from the cache when a file with the right checksum is there, else downloaded,
 * verified and then cached. A checksum mismatch throws and caches nothing; the cache file is written
 * under a temporary name and renamed, so an interrupted download never leaves a partial file.
 */
export async function fetchCached(opts: CachedFileOptions): Promise<Uint8Array> {
  const cached = await readFile(opts.path).catch(() => null);
  if (cached && sha256(cached) === opts.sha256) return new Uint8Array(cached);
  const doFetch = opts.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(opts.url);
  } catch (err) {
    throw new Error(`download: could not fetch ${opts.url}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) throw new Error(`download: ${opts.url} answered HTTP ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = sha256(bytes);
  if (actual !== opts.sha256) {
    throw new Error(`download: checksum mismatch for ${opts.url}: expected SHA-256 ${opts.sha256}, got ${actual} (${bytes.length} bytes); nothing was cached`);
  }
  const dir = opts.path.slice(0, Math.max(opts.path.lastIndexOf('/'), 0)) || '.';
  await mkdir(dir, { recursive: true });
  const tmp = `${opts.path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, opts.path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return bytes;
}
