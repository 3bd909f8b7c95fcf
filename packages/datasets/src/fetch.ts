/**
 * Platform-neutral downloading: `fetch` with connect/idle timeouts, a size cap enforced while the
 * body streams, progress reports, SHA-256 checks through WebCrypto and gzip through
 * `DecompressionStream`. Nothing here imports a Node module, so it runs in browsers, workers and
 * Node alike; the Node cache (`fetchCached`) is built on the same streaming core.
 */

/** How long to wait for the response headers, by default (30 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** How long the body may go without sending a byte, by default (60 s). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** The cap on a download whose exact size is not known, by default (1 GiB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1 << 30;

/** How long a download may wait for the server, before and during the body. */
export interface DownloadLimits {
  /** Milliseconds to wait for the server to answer (connection and response headers). Default 30,000. */
  connectTimeoutMs?: number;
  /** Milliseconds the body may go without sending a byte before the download is abandoned. Default 60,000. */
  idleTimeoutMs?: number;
}

/** How far one file's download has come. */
export interface DownloadProgress {
  /** The URL being downloaded. */
  readonly url: string;
  /** Bytes of the body received so far. */
  readonly received: number;
  /** The file's size in bytes when known (from `Content-Length` or the expected size), else `undefined`. */
  readonly total: number | undefined;
}

/** What {@link fetchVerified} downloads and how it checks it. */
export interface FetchVerifiedOptions extends DownloadLimits {
  /** The URL to fetch (absolute, or relative to the page in a browser). */
  url: string;
  /** Expected SHA-256 (hex) of the bytes received. */
  sha256: string;
  /** Expected size in bytes, when known: a body longer than this is cut off and refused as it streams. */
  size?: number;
  /** The most bytes accepted when `size` is not given (default {@link DEFAULT_MAX_DOWNLOAD_BYTES}). */
  maxBytes?: number;
  /** The fetch implementation (default the global `fetch`). */
  fetch?: typeof fetch;
  /** Extra request options (headers, credentials, mode, …); its `signal`, if any, also cancels the download. */
  requestInit?: RequestInit;
  /** Called once the response headers arrive (0 bytes) and after every chunk of the body. */
  onProgress?: (progress: DownloadProgress) => void;
}

export function checkLimit(name: string, value: number | undefined, op = 'download'): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new Error(`${op}: ${name} must be a positive number, got ${String(value)}`);
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

/** @internal What the streaming core needs to know about one download. */
export interface StreamRequest extends DownloadLimits {
  url: string;
  /** The most bytes accepted. */
  cap: number;
  /** What the cap is, for messages: "the expected size of x.gz". */
  capWhat: string;
  /** The expected size, when known (reported as the progress total when there is no Content-Length). */
  size: number | undefined;
  fetch?: typeof fetch | undefined;
  requestInit?: RequestInit | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Appended to every failure message, e.g. `; nothing was cached`. */
  suffix: string;
  /** Called once the headers are accepted, before the first byte of the body is read. */
  begin?: () => Promise<void>;
  /** Called with every chunk of the body, in order. */
  chunk: (bytes: Uint8Array) => void | Promise<void>;
}

/** @internal What the streaming core saw. */
export interface StreamResult {
  received: number;
  /** The `Content-Encoding` the server declared (`identity` when none): `fetch` decoded such a body before we saw it. */
  encoding: string;
}

/**
 * @internal Fetch `url` and hand its body to `chunk`, enforcing the timeouts and the cap; every
 * failure names the URL (and how far the body got). The connection is released on any failure.
 */
export async function streamBody(req: StreamRequest): Promise<StreamResult> {
  const { url, cap, capWhat, suffix } = req;
  const connectMs = req.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleMs = req.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const doFetch = req.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw new Error(`download: no fetch implementation is available to get ${url}; pass one as the fetch option`);
  const controller = new AbortController();
  const outer = req.requestInit?.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer) {
    if (outer.aborted) onOuterAbort();
    else outer.addEventListener('abort', onOuterAbort, { once: true });
  }
  let finished = false;
  let received = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    let response: Response;
    try {
      response = await within(
        doFetch(url, { ...req.requestInit, signal: controller.signal }),
        connectMs,
        controller,
        () => new Error(`download: ${url} did not answer within ${connectMs} ms (connectTimeoutMs)${suffix}`),
      );
    } catch (err) {
      if (controller.signal.aborted && !outer?.aborted) throw err;
      throw new Error(`download: could not fetch ${url}: ${explain(err)}`, { cause: err });
    }
    if (!response.ok) throw new Error(`download: ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd());

    // Content-Length counts the bytes on the wire, which are the bytes we see unless the body is encoded.
    const lengthHeader = response.headers.get('content-length');
    const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase();
    const encoded = encoding !== 'identity';
    const announced = lengthHeader !== null && !encoded && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : undefined;
    if (announced !== undefined && announced > cap) {
      throw new Error(`download: ${url} announces ${announced} bytes (Content-Length), more than ${cap} bytes, ${capWhat}; not downloaded${suffix.replace(/^;/, ',')}`);
    }
    const total = announced ?? req.size;
    const progress = (): string => (total !== undefined ? `${received} of ${total}` : `${received} (of an unknown total)`);

    await req.begin?.();
    req.onProgress?.({ url, received: 0, total });
    if (response.body) {
      reader = response.body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await within(
            reader.read(),
            idleMs,
            controller,
            () => new Error(`download: ${url} stalled: no data for ${idleMs} ms (idleTimeoutMs) after ${progress()} bytes${suffix}`),
          );
        } catch (err) {
          if (controller.signal.aborted && !outer?.aborted) throw err;
          throw new Error(`download: the connection to ${url} was dropped after ${progress()} bytes: ${explain(err)}${suffix}`, { cause: err });
        }
        if (chunk.done) break;
        const bytes = chunk.value;
        if (received + bytes.length > cap) {
          throw new Error(`download: ${url} sent more than ${cap} bytes, ${capWhat}; cut off after ${received + bytes.length} bytes${suffix.replace(/^;/, ',')}`);
        }
        received += bytes.length;
        await req.chunk(bytes);
        req.onProgress?.({ url, received, total });
      }
    }
    if (announced !== undefined && received < announced) {
      throw new Error(`download: the connection to ${url} was dropped after ${received} of ${announced} bytes${suffix}`);
    }
    finished = true;
    return { received, encoding };
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
    if (!finished) {
      // Release the connection: a cut-off or failed body must not keep streaming in the background.
      if (!controller.signal.aborted) controller.abort(new Error(`download: ${url} abandoned`));
      reader?.cancel().catch(() => undefined);
    }
  }
}

function subtleCrypto(what: string): NonNullable<typeof globalThis.crypto>['subtle'] {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error(
      `${what} needs WebCrypto (globalThis.crypto.subtle), which is missing here; browsers provide it only on secure pages (https:// or http://localhost)`,
    );
  }
  return subtle;
}

/** The SHA-256 (lower-case hex) of `bytes`, through WebCrypto: works in browsers (secure pages) and Node. */
export async function digestSha256(bytes: Uint8Array): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed where lib.dom types BufferSource (ArrayBuffer-backed views only)
  return toHex(await subtleCrypto('digestSha256').digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function toHex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Join received chunks into one array of `length` bytes (also used by the Node cache). */
export function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The bytes at `url`, downloaded with `fetch` into memory and returned only when their SHA-256
 * matches `sha256` (checked with WebCrypto). Platform-neutral: no cache (in Node, `fetchCached` from
 * `@descent/datasets/node` adds one).
 *
 * - The server must answer within `connectTimeoutMs` and the body may not pause for longer than
 *   `idleTimeoutMs`; either failure names the URL (and the bytes received so far).
 * - The body is capped at `size` when it is known, else at `maxBytes`: a longer body (or a
 *   `Content-Length` announcing one) is cut off and refused, never buffered whole.
 * - `onProgress` hears the bytes received and the total (when known) after every chunk.
 */
export async function fetchVerified(opts: FetchVerifiedOptions): Promise<Uint8Array> {
  const { url } = opts;
  if (typeof url !== 'string' || url === '') throw new Error(`download: url must be a non-empty string, got ${JSON.stringify(url)}`);
  if (typeof opts.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(opts.sha256)) {
    throw new Error(`download: sha256 for ${url} must be 64 hex digits, got ${JSON.stringify(opts.sha256)}`);
  }
  checkLimit('size', opts.size);
  checkLimit('maxBytes', opts.maxBytes);
  checkLimit('connectTimeoutMs', opts.connectTimeoutMs);
  checkLimit('idleTimeoutMs', opts.idleTimeoutMs);
  const subtle = subtleCrypto(`download: verifying ${url}`);
  const name = fileName(url);
  const chunks: Uint8Array[] = [];
  const { received, encoding } = await streamBody({
    url,
    cap: opts.size ?? opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    capWhat: opts.size !== undefined ? `the expected size of ${name}` : `the declared maximum for ${name}, whose exact size is not known`,
    size: opts.size,
    fetch: opts.fetch,
    requestInit: opts.requestInit,
    onProgress: opts.onProgress,
    suffix: '',
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    chunk: (bytes) => void chunks.push(bytes),
  });
  const bytes = concat(chunks, received);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed where lib.dom types BufferSource (ArrayBuffer-backed views only)
  const actual = toHex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  if (actual !== opts.sha256.toLowerCase()) {
    const expectedSize = opts.size !== undefined ? ` (${opts.size} bytes)` : '';
    const hint =
      encoding !== 'identity'
        ? `; the server sent it with Content-Encoding: ${encoding}, so fetch decoded it before it could be checked: serve the file as is, without Content-Encoding`
        : '';
    throw new Error(`download: checksum mismatch for ${url}: expected SHA-256 ${opts.sha256}${expectedSize}, got ${actual} (${received} bytes)${hint}`);
  }
  return bytes;
}

/** The last path segment of a URL, for messages. */
export function fileName(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  return path.slice(path.lastIndexOf('/') + 1) || url;
}

/** The most bytes {@link gunzip} produces unless told otherwise (256 MiB; MNIST's largest file is 47 MB). */
export const DEFAULT_MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

/** Whether `bytes` start with the gzip magic number (`1f 8b`). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompress gzip data with `DecompressionStream` (browsers, workers, Node ≥ 18). `name` appears in
 * error messages; output beyond `maxBytes` (default 256 MiB) is refused rather than held in memory.
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', maxBytes = DEFAULT_MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  checkLimit('maxBytes', maxBytes, 'gunzip');
  if (typeof DecompressionStream !== 'function') {
    throw new Error(`gunzip: ${name} is gzip-compressed and this platform has no DecompressionStream to decompress it; serve the uncompressed file`);
  }
  const stream: ReadableStream<Uint8Array> = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) throw new Error(`gunzip: ${name} decompresses to more than ${maxBytes} bytes; refused`);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (err instanceof Error && err.message.startsWith('gunzip:')) throw err;
    throw new Error(`gunzip: ${name} is not valid gzip data: ${explain(err)}`, { cause: err });
  }
  return concat(chunks, length);
}
