import type { DType, Tensor, TypedArray } from '@descent/tensor';
import { formatShape, makeTensor, sizeFromShape } from '@descent/tensor';
import { formatValue } from '../format.js';

/** One entry of a weights manifest, as in TF.js's `WeightsManifestEntry`. */
export interface WeightSpec {
  /** The weight's name (`dense/kernel`); optimizer state uses the variable's name plus the slot. */
  name: string;
  /** The tensor's shape. */
  shape: number[];
  /** 'float32', 'int32' or 'bool' (other dtypes are rejected when decoding). */
  dtype: string;
  /** `'model'` (default) or `'optimizer'` for optimizer state saved with `includeOptimizer`. */
  group?: string;
  /** How the stored values were quantized (TF.js's scheme); such weights are dequantized when read. */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

export interface NamedWeight {
  name: string;
  tensor: Tensor;
  group?: 'model' | 'optimizer';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool' || dtype === 'uint8') return 1;
  if (dtype === 'uint16' || dtype === 'float16') return 2;
  throw new Error(`weights: unsupported dtype '${dtype}' (supported: float32, int32, bool; quantized uint8, uint16, float16)`);
}

/** The largest weight one manifest entry may describe: 4 GiB, more than one ArrayBuffer holds in most engines. */
export const MAX_WEIGHT_BYTES = 2 ** 32;

const WEIGHT_DTYPES = new Set(['float32', 'int32', 'bool']);
const QUANTIZED_DTYPES = new Set(['uint8', 'uint16', 'float16']);

function describe(v: unknown): string {
  return formatValue(v, 80);
}

/**
 * Check one manifest entry before any byte is read: a string name, a shape of non-negative
 * integers, a supported dtype, and a size one buffer can hold. `where` names the file (and the
 * manifest group); the error says what was expected and what was given.
 */
export function validateWeightSpec(spec: unknown, where: string): WeightSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`${where}: expected a weights manifest entry { name, shape, dtype }, got ${describe(spec)}`);
  }
  const s = spec as Partial<WeightSpec>;
  if (typeof s.name !== 'string' || s.name === '') {
    throw new Error(`${where}: expected a weights manifest entry with a string 'name', got ${describe(spec)}`);
  }
  const shape: unknown = s.shape;
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: weight '${s.name}' has shape ${describe(shape)} in the weights manifest; expected a list of non-negative integers such as [784, 10]`);
  }
  if (typeof s.dtype !== 'string' || !WEIGHT_DTYPES.has(s.dtype)) {
    throw new Error(`${where}: weight '${s.name}' has dtype ${describe(s.dtype)} in the weights manifest; expected 'float32', 'int32' or 'bool'`);
  }
  const q: unknown = s.quantization;
  if (q !== undefined && q !== null) {
    const qd = (q as { dtype?: unknown }).dtype;
    if (typeof q !== 'object' || typeof qd !== 'string' || !QUANTIZED_DTYPES.has(qd)) {
      throw new Error(`${where}: weight '${s.name}' has quantization ${describe(q)}; expected { dtype: 'uint8' | 'uint16' | 'float16', scale, min }`);
    }
    for (const key of ['scale', 'min'] as const) {
      const v = (q as Record<string, unknown>)[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`${where}: weight '${s.name}' has quantization ${key} ${describe(v)}; expected a finite number`);
      }
    }
  }
  const bytes = (shape as number[]).reduce((n, d) => n * d, 1) * bytesPerElement(q ? (q as { dtype: string }).dtype : s.dtype);
  if (!(bytes <= MAX_WEIGHT_BYTES)) {
    throw new Error(`${where}: weight '${s.name}' has shape ${describe(shape)} (${bytes} bytes) in the weights manifest; expected at most ${MAX_WEIGHT_BYTES} bytes per weight`);
  }
  return spec as WeightSpec;
}

/** Bytes a spec takes in the weight data (quantized specs take their storage dtype's size). */
export function specByteLength(spec: WeightSpec, where = 'weights'): number {
  validateWeightSpec(spec, where);
  return sizeFromShape(spec.shape) * bytesPerElement(spec.quantization ? spec.quantization.dtype : spec.dtype);
}

/** Concatenate tensors as raw little-endian values in the given order (the weights.bin layout). */
export function encodeWeights(weights: readonly NamedWeight[]): { specs: WeightSpec[]; data: ArrayBuffer } {
  let total = 0;
  for (const w of weights) total += w.tensor.size * bytesPerElement(w.tensor.dtype);
  const data = new ArrayBuffer(total);
  const bytes = new Uint8Array(data);
  const view = new DataView(data);
  const specs: WeightSpec[] = [];
  let offset = 0;
  for (const w of weights) {
    const values = w.tensor.dataSync();
    const spec: WeightSpec = { name: w.name, shape: [...w.tensor.shape], dtype: w.tensor.dtype };
    if (w.group !== undefined && w.group !== 'model') spec.group = w.group;
    specs.push(spec);
    if (w.tensor.dtype === 'bool' || LITTLE_ENDIAN) {
      bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    } else if (w.tensor.dtype === 'float32') {
      for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i]!, true);
    } else {
      for (let i = 0; i < values.length; i++) view.setInt32(offset + 4 * i, values[i]!, true);
    }
    offset += values.byteLength;
  }
  return { specs, data };
}

/**
 * Weight data as an ArrayBuffer: a typed array or Node Buffer (`readFileSync('weights.bin')`) is
 * copied out of its (possibly shared, larger) backing buffer; anything else is refused by name.
 */
export function toArrayBuffer(data: unknown, where: string): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    const copy = new Uint8Array(data.byteLength);
    copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return copy.buffer;
  }
  const given = data === null ? 'null' : Array.isArray(data) ? 'an array of numbers' : typeof data === 'object' ? `a ${(data as { constructor?: { name?: string } }).constructor?.name ?? 'object'}` : typeof data;
  throw new Error(`${where}: expected the weight data as an ArrayBuffer (or a typed array / Buffer, or a list of them), got ${given}`);
}

/** Join shards into one buffer (TF.js's converter splits weights into 4 MB `group1-shardKofN.bin` files). */
export function concatBuffers(parts: readonly ArrayBuffer[], where = 'weights'): ArrayBuffer {
  if (parts.length === 1) return toArrayBuffer(parts[0], where);
  parts = parts.map((p, i) => toArrayBuffer(p, `${where}: shard ${i}`));
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeOne(spec: WeightSpec, view: DataView, offset: number): TypedArray {
  const n = sizeFromShape(spec.shape);
  const q = spec.quantization;
  if (q) {
    const out = new Float32Array(n);
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
    } else {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      if (q.dtype === 'uint8') for (let i = 0; i < n; i++) out[i] = view.getUint8(offset + i) * scale + min;
      else for (let i = 0; i < n; i++) out[i] = view.getUint16(offset + 2 * i, true) * scale + min;
    }
    if (spec.dtype === 'int32') return Int32Array.from(out, (v) => Math.round(v));
    return out;
  }
  if (spec.dtype === 'float32') {
    if (LITTLE_ENDIAN) return new Float32Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + 4 * n));
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, true);
    return out;
  }
  if (spec.dtype === 'int32') {
    if (LITTLE_ENDIAN) return new Int32Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + 4 * n));
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, true);
    return out;
  }
  if (spec.dtype === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getUint8(offset + i) !== 0 ? 1 : 0;
    return out;
  }
  throw new Error(`weight '${spec.name}' has dtype '${spec.dtype}'; only float32, int32 and bool weights are supported`);
}

/**
 * Slice `data` into tensors by the manifest `specs` (in order). `source` names the weight file(s)
 * for error messages. The byte count must match exactly: a short file is truncated, a long one
 * does not belong to this manifest.
 */
export function decodeWeights(data: ArrayBuffer, specs: readonly WeightSpec[], source: string): { spec: WeightSpec; tensor: Tensor }[] {
  let needed = 0;
  for (const spec of specs) needed += specByteLength(spec, source);
  if (data.byteLength < needed) {
    let offset = 0;
    for (const spec of specs) {
      const end = offset + specByteLength(spec);
      if (end > data.byteLength) {
        throw new Error(
          `${source}: weight data is truncated: it holds ${data.byteLength} bytes but the manifest needs ${needed}; ` +
            `weight '${spec.name}' ${formatShape(spec.shape)} ${spec.dtype} needs bytes ${offset}..${end}`,
        );
      }
      offset = end;
    }
  }
  if (data.byteLength > needed) {
    throw new Error(`${source}: weight data holds ${data.byteLength} bytes but the manifest describes only ${needed}; the weight file does not match the manifest`);
  }
  const view = new DataView(data);
  const out: { spec: WeightSpec; tensor: Tensor }[] = [];
  let offset = 0;
  for (const spec of specs) {
    const values = decodeOne(spec, view, offset);
    offset += specByteLength(spec);
    const dtype: DType = spec.quantization && spec.dtype !== 'int32' ? 'float32' : (spec.dtype as DType);
    out.push({ spec, tensor: makeTensor(values, spec.shape, dtype) });
  }
  return out;
}
