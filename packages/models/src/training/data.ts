import type { Tensor, TensorLike } from '@descent/tensor';
import { dispose, formatShape, gather, makeTensor, slice, toTensor } from '@descent/tensor';
import { formatValue } from '../format.js';

/**
 * Row access to a tensor's first axis. Batches are cut by the backend (`slice`, or `gather` for a
 * shuffled order), so the data never leaves the backend: reading it all to JS first cost a full
 * copy out of wasm memory per fit and per shape check.
 */
export class Rows {
  readonly n: number;
  readonly rowShape: readonly number[];
  private readonly zeros: readonly number[];

  constructor(readonly tensor: Tensor) {
    if (tensor.rank === 0) throw new Error('Rows: expected a tensor with a batch axis, got a scalar');
    this.n = tensor.shape[0]!;
    this.rowShape = tensor.shape.slice(1);
    this.zeros = new Array<number>(tensor.rank - 1).fill(0);
  }

  /** Rows `start … end-1`, or, with `order`, rows `order[start] … order[end-1]`. */
  take(start: number, end: number, order: Int32Array | null = null): Tensor {
    const k = end - start;
    if (order === null) {
      return slice(this.tensor, [start, ...this.zeros], [k, ...this.rowShape]);
    }
    return gather(this.tensor, makeTensor(order.slice(start, end), [k], 'int32'), 0);
  }
}

/**
 * The data of a model's inputs or outputs: one tensor, or one per input/output of a multi-input or
 * multi-output model (in the model's order).
 */
export type BatchData = Tensor | readonly Tensor[];

/** Tensor data of several inputs or outputs: an array (model order) or an object keyed by input/output name. */
export type DataStructure = TensorLike | readonly TensorLike[] | Readonly<Record<string, TensorLike>>;

/** The tensors of `data`, as a list. */
export function tensorsOf(data: BatchData): readonly Tensor[] {
  return Array.isArray(data) ? (data as readonly Tensor[]) : [data as Tensor];
}

/** Number of samples in `data` (its first tensor's first axis). */
export function batchLength(data: BatchData): number {
  return tensorsOf(data)[0]!.shape[0]!;
}

/** `[name, tensor]` pairs of `data` for `checkSameLength` (`x`, or `x.a`, `x.b` by input name). */
export function namedTensors(what: string, data: BatchData | null, names: readonly string[] | null = null): [string, Tensor][] {
  if (data === null) return [];
  if (!Array.isArray(data)) return [[what, data as Tensor]];
  return (data as readonly Tensor[]).map((t, i) => [`${what}.${names?.[i] ?? i}`, t]);
}

/** Row access to every tensor of `data` at once (see `Rows`). */
export class DataRows {
  private readonly rows: Rows[];
  private readonly list: boolean;

  constructor(data: BatchData) {
    this.list = Array.isArray(data);
    this.rows = tensorsOf(data).map((t) => new Rows(t));
  }

  take(start: number, end: number, order: Int32Array | null = null): BatchData {
    const cut = this.rows.map((r) => r.take(start, end, order));
    return this.list ? cut : cut[0]!;
  }
}

/**
 * `value` as the data of a model with inputs (or outputs) `names`: with one name (or none), one
 * tensor, as `asBatchTensor` makes it (an array holding just one Tensor is taken as that tensor); with
 * several, an array of one value per name in order, or an object keyed by the names. Tensors made
 * here from plain arrays are pushed to `made` (the caller disposes them).
 */
export function asBatchData(op: string, value: unknown, what: string, names: readonly string[] | null, made: Tensor[]): BatchData {
  const one = (v: unknown, label: string): Tensor => {
    const t = asBatchTensor(op, v as TensorLike, label);
    if (t !== v) made.push(t);
    return t;
  };
  if (names === null || names.length <= 1) {
    if (Array.isArray(value) && value.length === 1 && isTensorObject(value[0])) return one(value[0], what);
    if (names !== null && names.length === 1 && isPlainObject(value)) {
      const rec = value as Record<string, unknown>;
      if (Object.keys(rec).length === 1 && names[0]! in rec) return one(rec[names[0]!], `${what}.${names[0]}`);
      throw new Error(`${op}: ${what} is an object with keys ${formatValue(Object.keys(rec))}, but the model's only ${/\by/.test(what) ? 'output' : 'input'} is '${names[0]}'`);
    }
    return one(value, what);
  }
  const kind = /\by/.test(what) ? 'output' : 'input';
  if (Array.isArray(value) && value.length === names.length && value.every((v) => isTensorObject(v) || Array.isArray(v) || ArrayBuffer.isView(v))) {
    return value.map((v, i) => one(v, `${what}[${i}] ('${names[i]}')`));
  }
  if (isPlainObject(value)) {
    const rec = value as Record<string, unknown>;
    const extra = Object.keys(rec).filter((k) => !names.includes(k));
    if (extra.length > 0) throw new Error(`${op}: ${what} has key '${extra[0]}', which is not one of the model's ${kind} names (${names.join(', ')})`);
    return names.map((n) => {
      if (rec[n] === undefined) throw new Error(`${op}: ${what} has no entry for ${kind} '${n}' (the model's ${kind}s are ${names.join(', ')})`);
      return one(rec[n], `${what}.${n}`);
    });
  }
  const got = Array.isArray(value) ? `an array of ${value.length}` : formatValue(value);
  throw new Error(`${op}: the model has ${names.length} ${kind}s (${names.join(', ')}), so ${what} must be an array of ${names.length} tensors or an object keyed by those names, got ${got}`);
}

function isTensorObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'dataSync' in v && 'shape' in v;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !isTensorObject(v);
}

/** `x` as a tensor with a batch axis; `what` names it in errors ('x', 'y', 'sampleWeight'). */
export function asBatchTensor(op: string, value: TensorLike, what: string): Tensor {
  const t = toTensor(value, op, what);
  if (t.rank === 0) throw new Error(`${op}: ${what} must have a batch axis (rank ≥ 1), got a scalar`);
  return t;
}

/** Whether `t` has the rank and sizes of `expected` (its batch axis and `null` dimensions match any size). */
export function fitsShape(t: Tensor, expected: readonly (number | null)[]): boolean {
  return t.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === t.shape[i]);
}

/** A shape with unknown dimensions as shown in error messages: `[null,3]`. */
export function symbolicShapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

export function checkSameLength(op: string, named: readonly (readonly [string, Tensor | null])[]): number {
  let n: number | null = null;
  let first = '';
  for (const [name, t] of named) {
    if (t === null) continue;
    const len = t.shape[0]!;
    if (n === null) {
      n = len;
      first = `${name} ${formatShape(t.shape)}`;
    } else if (len !== n) {
      throw new Error(`${op}: all inputs must have the same number of samples, got ${first} and ${name} ${formatShape(t.shape)}`);
    }
  }
  return n ?? 0;
}

/**
 * Sample weights for a model with outputs `names`: one weight per sample for every output (a tensor or
 * array of shape [n]), or, for several outputs, one such weight per output (an array in output order,
 * or an object by output name; an output left out of the object weighs 1). Made tensors go to `made`.
 */
export function asSampleWeights(op: string, value: unknown, n: number, names: readonly string[] | null, made: Tensor[]): BatchData {
  const one = (v: unknown, label: string): Tensor => {
    const t = asSampleWeight(op, v as TensorLike, n, label);
    made.push(t);
    return t;
  };
  if (names !== null && names.length > 1) {
    const perOutput = Array.isArray(value) && value.length === names.length && value.every((v) => isTensorObject(v) || ((Array.isArray(v) || ArrayBuffer.isView(v)) && (v as ArrayLike<unknown>).length === n && typeof (v as ArrayLike<unknown>)[0] === 'number'));
    if (perOutput) return (value as unknown[]).map((v, i) => one(v, `sampleWeight[${i}] ('${names[i]}')`));
    if (isPlainObject(value)) {
      const rec = value as Record<string, unknown>;
      const extra = Object.keys(rec).filter((k) => !names.includes(k));
      if (extra.length > 0) throw new Error(`${op}: sampleWeight has key '${extra[0]}', which is not one of the model's output names (${names.join(', ')})`);
      return names.map((name) => (rec[name] === undefined ? one(new Float32Array(n).fill(1), `sampleWeight.${name}`) : one(rec[name], `sampleWeight.${name}`)));
    }
  }
  return one(value, 'sampleWeight');
}

/** The sample weights of output `i`: the one weight shared by every output, or output `i`'s own. */
export function outputWeight(sampleWeight: BatchData | null, i: number): Tensor | null {
  if (sampleWeight === null) return null;
  return Array.isArray(sampleWeight) ? (sampleWeight as readonly Tensor[])[i]! : (sampleWeight as Tensor);
}

/** Per-sample sample weights, flattened to shape [n]. */
export function asSampleWeight(op: string, value: TensorLike, n: number, what = 'sampleWeight'): Tensor {
  const t = toTensor(value, op, what);
  if (t.rank === 0 || t.shape[0] !== n || t.size !== n) {
    throw new Error(`${op}: ${what} must hold one weight per sample, shape [${n}] (or [${n},1]), got ${formatShape(t.shape)}`);
  }
  const values = t.dtype === 'float32' ? t.dataSync() : Float32Array.from(t.dataSync());
  // A tensor converted from arrays here is ours; one passed in as a Tensor is the caller's.
  if (t !== value) dispose(t);
  return makeTensor(values, [n], 'float32');
}

/** Extra weight per class index: an object `{ [classIndex]: weight }` or an array indexed by class. */
export type ClassWeight = Readonly<Record<number, number>> | readonly number[];

/** `classWeight` must be an object mapping class index -> weight, or an array of weights; every weight a finite number. */
function checkClassWeight(op: string, classWeight: unknown): asserts classWeight is ClassWeight {
  if (typeof classWeight !== 'object' || classWeight === null || ArrayBuffer.isView(classWeight)) {
    throw new Error(`${op}: classWeight must be an object such as { 0: 1, 1: 5 } or an array of weights, got ${formatValue(classWeight)}`);
  }
  for (const [k, w] of Object.entries(classWeight)) {
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new Error(`${op}: classWeight for class ${k} must be a finite number, got ${formatValue(w)}`);
    }
  }
}

/**
 * Per-sample weights from `classWeight`: the class of a sample is the argmax of a one-hot /
 * probability row, or the value of an integer label (also a binary 0/1 label of shape [n,1]).
 * Classes missing from `classWeight` weigh 1.
 */
export function classWeightsFor(op: string, y: Tensor, classWeight: ClassWeight): Tensor {
  checkClassWeight(op, classWeight);
  const n = y.shape[0] ?? 0;
  const width = y.rank <= 1 ? 1 : y.size / Math.max(1, n);
  const values = y.dataSync();
  const out = new Float32Array(n);
  const lookup = (c: number): number => {
    const w = Array.isArray(classWeight) ? (classWeight as readonly number[])[c] : (classWeight as Record<number, number>)[c];
    if (w === undefined) return 1;
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`${op}: classWeight for class ${c} must be a finite number, got ${formatValue(w)}`);
    return w;
  };
  for (let i = 0; i < n; i++) {
    let cls: number;
    if (width === 1) {
      cls = Math.round(values[i]!);
    } else {
      let best = 0;
      for (let j = 1; j < width; j++) if (values[i * width + j]! > values[i * width + best]!) best = j;
      cls = best;
    }
    out[i] = lookup(cls);
  }
  return makeTensor(out, [n], 'float32');
}

export function multiplyWeights(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (a === null) return b;
  if (b === null) return a;
  const av = a.dataSync();
  const bv = b.dataSync();
  const out = new Float32Array(av.length);
  for (let i = 0; i < out.length; i++) out[i] = av[i]! * bv[i]!;
  return makeTensor(out, [out.length], 'float32');
}

/** One batch from an iterable dataset: `{ xs, ys, sampleWeight? }` or a tuple `[x, y, sampleWeight?]`. */
export type Batch =
  | { xs: DataStructure; ys: DataStructure; sampleWeight?: DataStructure }
  | readonly [DataStructure, DataStructure]
  | readonly [DataStructure, DataStructure, DataStructure];

/** Batches for `fitDataset`/`evaluateDataset`: any iterable or async iterable of `Batch`es. */
export type Dataset = Iterable<Batch> | AsyncIterable<Batch>;

export interface BatchTensors {
  x: BatchData;
  y: BatchData;
  /** One weight per sample for every output, or one per output (a multi-output model's). */
  sampleWeight: BatchData | null;
}

/** A batch from a dataset, with the tensors that unpacking it made (see `unpackBatch`). */
interface UnpackedBatch extends BatchTensors {
  /**
   * Tensors made from the batch's plain arrays and weights: the caller's to dispose after the step.
   * The dataset's own tensors (passed as Tensors) are never listed: they belong to the user, who
   * may yield them again (an array dataset does, every epoch).
   */
  made: Tensor[];
}

/**
 * One batch of a training or evaluation loop, in the two halves a step needs: `next()` may await
 * (fetching from an async dataset), so it runs outside any scope; `tensors()` is synchronous and runs
 * inside the step's scope, so what it makes there (row slices of tensor data) is released with the step.
 */
export interface StepBatch {
  tensors(): BatchTensors;
  /** Tensors made for this batch before the step (outside its scope): disposed after the step. */
  readonly made: readonly Tensor[];
}

/**
 * `x`, `y` and the sample weights of a dataset's batch as tensors. Every tensor it makes (from plain
 * or typed arrays, and the float32 sample weights) is listed in `made`; a Tensor the dataset
 * yielded is returned as it is and not listed.
 */
export function unpackBatch(op: string, batch: Batch, index: number, names: DataNames = NO_NAMES): UnpackedBatch {
  let xs: DataStructure;
  let ys: DataStructure;
  let sw: DataStructure | undefined;
  if (Array.isArray(batch)) {
    const tuple = batch as readonly DataStructure[];
    if (tuple.length < 2 || tuple.length > 3) throw new Error(`${op}: batch ${index} must be [x, y] or [x, y, sampleWeight], got an array of ${tuple.length}`);
    [xs, ys, sw] = tuple as [DataStructure, DataStructure, DataStructure | undefined];
  } else if (typeof batch === 'object' && batch !== null && 'xs' in batch && 'ys' in batch) {
    xs = batch.xs;
    ys = batch.ys;
    sw = batch.sampleWeight;
  } else {
    throw new Error(`${op}: batch ${index} must be an object { xs, ys } or a tuple [x, y], got ${JSON.stringify(batch)?.slice(0, 80) ?? typeof batch}`);
  }
  const made: Tensor[] = [];
  try {
    const x = asBatchData(op, xs, `batch ${index} xs`, names.x, made);
    const y = asBatchData(op, ys, `batch ${index} ys`, names.y, made);
    const n = checkSameLength(op, [...namedTensors(`batch ${index} xs`, x, names.x), ...namedTensors(`batch ${index} ys`, y, names.y)]);
    const sampleWeight = sw === undefined ? null : asSampleWeights(op, sw, n, names.y, made);
    return { x, y, sampleWeight, made };
  } catch (err) {
    dispose(made);
    throw err;
  }
}

/** The input and output names of a multi-input/multi-output model (null: one tensor each). */
export interface DataNames {
  x: readonly string[] | null;
  y: readonly string[] | null;
}

export const NO_NAMES: DataNames = { x: null, y: null };

/** `y` as the one tensor `classWeight` needs: a multi-output model's y is refused, naming the op. */
export function singleY(op: string, y: BatchData): Tensor {
  if (Array.isArray(y)) throw new Error(`${op}: classWeight applies to a single-output model; this model has ${y.length} outputs (weight the samples with sampleWeight instead)`);
  return y as Tensor;
}

/** Multiply `classWeight` into a dataset batch's sample weights; the new weight tensors join `made`. */
export function applyClassWeight(op: string, batch: UnpackedBatch, classWeight: ClassWeight): void {
  const cw = classWeightsFor(op, singleY(op, batch.y), classWeight);
  const sw = multiplyWeights(batch.sampleWeight as Tensor | null, cw);
  batch.made.push(cw);
  // multiplyWeights returns cw itself when the batch had no weights; otherwise the old weights
  // (made by asSampleWeight, so ours) were only an input to the product.
  if (sw !== cw) batch.made.push(sw!);
  batch.sampleWeight = sw;
}

function isTensorLikeData(v: unknown): boolean {
  if (ArrayBuffer.isView(v) || typeof v === 'number' || typeof v === 'boolean') return true;
  if (typeof v === 'object' && v !== null && 'dataSync' in v && 'shape' in v) return true;
  // An array is data unless it holds batch objects ({ xs, ys }).
  if (Array.isArray(v)) return !(v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'xs' in v[0]);
  return false;
}

/** Whether `v` is a dataset of batches rather than tensor data (an array of `{ xs, ys }` objects counts as a dataset). */
export function isDataset(v: unknown): v is Dataset {
  if (isTensorLikeData(v)) return false;
  return typeof v === 'object' && v !== null && (Symbol.iterator in v || Symbol.asyncIterator in v);
}

export function iteratorOf(dataset: Dataset): Iterator<Batch> | AsyncIterator<Batch> {
  const asyncFn = (dataset as Partial<AsyncIterable<Batch>>)[Symbol.asyncIterator];
  if (typeof asyncFn === 'function') return asyncFn.call(dataset);
  return (dataset as Iterable<Batch>)[Symbol.iterator]();
}
