import { Tensor } from '@descent/tensor';
import type { InputSpec, LayerInputShapes } from './layer-types.js';
import { formatInputShapes, isShapeList } from './layer-types.js';
import { formatSymbolic } from './shape-utils.js';
import { showValue } from './show-value.js';

// The checks `Layer.apply` runs on its input before `call`: the kind of input (one tensor or a list),
// the declared batch input shape, and the layer's `InputSpec`. Each message starts with `label`, the
// layer as messages name it (`Dense 'dense_1'`).

/** Shape of one input, or of each input of a list. */
type Shapes = readonly (number | null)[] | readonly (readonly (number | null)[])[];

/** The message for a list of `count` inputs given to a layer that takes one. */
export function singleInputMessage(label: string, count: number): string {
  return `${label}: expects a single input tensor, got a list of ${count} (only layers that combine inputs, such as Add or Concatenate, take a list)`;
}

/** Throw unless `inputs` is a Tensor, or an array of Tensors for a layer that takes a list. */
export function checkInputKind(label: string, acceptsInputList: boolean, inputs: unknown): void {
  if (inputs instanceof Tensor) return;
  if (Array.isArray(inputs) && inputs.every((t) => t instanceof Tensor)) {
    if (!acceptsInputList) throw new Error(singleInputMessage(label, inputs.length));
    return;
  }
  if (Array.isArray(inputs) && acceptsInputList) {
    const i = inputs.findIndex((t) => !(t instanceof Tensor));
    throw new Error(`${label}: inputs[${i}] must be a Tensor, got ${showValue(inputs[i])}`);
  }
  const wanted = acceptsInputList ? 'an array of Tensors' : 'a Tensor';
  throw new Error(`${label}: expected ${wanted} as input, got ${showValue(inputs)} (make tensors with tensor(...))`);
}

/** Throw when `shape` does not fit the `expected` batch input shape (null: nothing declared). */
export function checkBatchInputShape(label: string, expected: readonly (number | null)[] | null, shape: readonly (number | null)[]): void {
  if (expected === null) return;
  const ok = expected.length === shape.length && expected.every((d, i) => d === null || shape[i] === null || d === shape[i]);
  if (!ok) throw new Error(`${label}: expected input shape ${formatSymbolic(expected)}, got ${formatSymbolic(shape)}`);
}

/**
 * The spec that fixes `axes` (negative counts from the end) to their sizes in `built`, the shape the
 * layer was built for; see `Layer.specFromBuild`. Null before the build or for a list of inputs.
 */
export function specFromShape(built: LayerInputShapes | null, axes: readonly number[], exactRank: boolean): InputSpec | null {
  if (built === null || isShapeList(built)) return null;
  const rank = built.length;
  const fixed: Record<number, number> = {};
  for (const a of axes) {
    const i = a < 0 ? a + rank : a;
    const d = built[i];
    if (d !== null && d !== undefined) fixed[a] = d;
  }
  if (exactRank) return { ndim: rank, axes: fixed };
  // The batch axis comes first, so a fixed last axis needs rank ≥ 2.
  const minNdim = Math.max(...axes.map((a) => (a < 0 ? 1 - a : a + 1)), 2);
  return { minNdim, axes: fixed };
}

/**
 * Check the input shape(s) against `spec`: one spec applies to every input of a list; a list of specs
 * (null for "any") gives one per input, and the inputs must then be as many. `built` is the shape the
 * layer was built for, quoted in the message.
 */
export function checkInputSpecs(label: string, built: LayerInputShapes | null, spec: InputSpec | readonly (InputSpec | null)[] | null, shapes: Shapes): void {
  if (spec === null) return;
  const isList = (x: readonly unknown[]): boolean => x.length > 0 && Array.isArray(x[0]);
  const given = isList(shapes) ? (shapes as readonly (readonly (number | null)[])[]) : null;
  if (!Array.isArray(spec)) {
    if (given === null) checkInputSpec(label, built, spec as InputSpec, shapes as readonly (number | null)[], '');
    else given.forEach((s, i) => checkInputSpec(label, built, spec as InputSpec, s, `input ${i}: `));
    return;
  }
  const specs = spec as readonly (InputSpec | null)[];
  if (given === null || given.length !== specs.length) {
    const got = given === null ? 'a single tensor' : `${given.length} tensors`;
    throw new Error(`${label}: expects a list of ${specs.length} input tensors, got ${got}`);
  }
  given.forEach((s, i) => {
    const one = specs[i];
    if (one !== null && one !== undefined) checkInputSpec(label, built, one, s, `input ${i}: `);
  });
}

/** Throw, naming the layer (and the input, `which`), when `shape` breaks `spec`. */
function checkInputSpec(label: string, built: LayerInputShapes | null, spec: InputSpec, shape: readonly (number | null)[], which: string): void {
  const rank = shape.length;
  let ok = (spec.ndim === undefined || rank === spec.ndim) && (spec.minNdim === undefined || rank >= spec.minNdim);
  const wanted: string[] = [];
  for (const [key, size] of Object.entries(spec.axes ?? {})) {
    const a = Number(key);
    const i = a < 0 ? a + rank : a;
    // An unknown dim (a symbolic tensor's) may be anything, as in Keras.
    if (i < 0 || i >= rank || (shape[i] !== size && shape[i] !== null)) ok = false;
    wanted.push(a === -1 ? `${size} features on the last axis` : `size ${size} on axis ${a}`);
  }
  if (ok) return;
  const rankText = spec.ndim !== undefined ? `rank ${spec.ndim}` : spec.minNdim !== undefined ? `rank ≥ ${spec.minNdim}` : '';
  const what = [rankText, ...wanted].filter((w) => w !== '').join(' and ');
  const builtFor = built !== null ? ` (it was built for input shape${isShapeList(built) ? 's' : ''} ${formatInputShapes(built)})` : '';
  throw new Error(`${label}: ${which}expected input with ${what}${builtFor}, got input shape ${formatSymbolic(shape)}`);
}
