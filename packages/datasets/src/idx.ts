/**
 * The IDX file format of the MNIST distribution: a 4-byte big-endian magic number
 * (`0x00 0x00 <type> <rank>`), `rank` big-endian uint32 dimensions, then the values row-major.
 * Only unsigned bytes (type 0x08) occur in MNIST, and only they are read here.
 */
export interface IdxArray {
  /** The dimensions from the header, e.g. `[60000, 28, 28]`. */
  readonly shape: number[];
  /** The values, row-major. */
  readonly data: Uint8Array;
}

const UBYTE = 0x08;

/** Parse an (uncompressed) IDX file; `name` appears in error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (bytes.length < 4) throw new Error(`parseIdx: ${name} is too short to be an IDX file (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`parseIdx: ${name} does not start with an IDX magic number (first bytes ${hex(bytes.subarray(0, 4))})`);
  }
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (type !== UBYTE) throw new Error(`parseIdx: ${name} holds element type 0x${type.toString(16)}, only unsigned bytes (0x08) are supported`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw new Error(`parseIdx: ${name} is truncated inside its header (${bytes.length} of ${headerLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    size *= d;
  }
  const expected = headerLength + size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'longer than its header says';
    throw new Error(`parseIdx: ${name} is ${what}: shape [${shape.join(',')}] needs ${expected} bytes, got ${bytes.length}`);
  }
  return { shape, data: bytes.slice(headerLength) };
}

/** Encode an IDX file of unsigned bytes (used to write test fixtures). */
export function encodeIdx(shape: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
