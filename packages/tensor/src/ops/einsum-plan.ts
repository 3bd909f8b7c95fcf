// Planning for einsum (ops/einsum.ts): parse and check the equation against the operands' shapes and
// dtypes, then choose the kernel steps (diagonals, sums, and each pairwise contraction as one batched
// MatMul between reshapes). The result depends only on its inputs, so einsum caches it.
import type { DType } from '../dtype.js';
import { formatShape } from '../shape.js';

export const OP = 'einsum';

/** Throw an einsum error. */
export function fail(message: string): never {
  throw new Error(`${OP}: ${message}`);
}

/** One kernel call of a plan; it reads earlier values by number (operands first) and adds one value. */
type Step =
  | { kernel: 'Reshape'; x: number; shape: number[] }
  | { kernel: 'Transpose'; x: number; perm: number[] }
  | { kernel: 'Gather'; x: number; indices: Int32Array; axis: number }
  | { kernel: 'Sum'; x: number; axes: number[] }
  | { kernel: 'Cast'; x: number; dtype: DType }
  | { kernel: 'MatMul'; a: number; b: number; transposeA: boolean; transposeB: boolean }
  | { kernel: 'Mul'; a: number; b: number };

export interface Plan {
  readonly steps: readonly Step[];
  /** The value holding the result (an operand's own number when no kernel was needed). */
  readonly result: number;
  readonly outShape: readonly number[];
  readonly dtype: DType;
}

/** A value while planning: its number and one index per axis. */
interface Operand {
  id: number;
  labels: string[];
}

class Builder {
  readonly steps: Step[] = [];
  constructor(private readonly operands: number) {}
  add(step: Step): number {
    this.steps.push(step);
    return this.operands + this.steps.length - 1;
  }
}

interface Term {
  /** Letters before the ellipsis (all letters when there is none). */
  readonly before: string[];
  /** Letters after the ellipsis. */
  readonly after: string[];
  readonly ellipsis: boolean;
}

function parseTerm(term: string, equation: string, where: string): Term {
  const dots = term.indexOf('...');
  if (dots >= 0 && term.indexOf('...', dots + 3) >= 0) fail(`${where} '${term}' of '${equation}' has more than one '...'`);
  const parts = dots >= 0 ? [term.slice(0, dots), term.slice(dots + 3)] : [term];
  for (const part of parts) {
    for (const ch of part) {
      if (!/^[a-zA-Z]$/.test(ch)) {
        fail(`invalid character '${ch}' in ${where} '${term}' of '${equation}' (indices are letters a-z, A-Z; '...' broadcasts)`);
      }
    }
  }
  return { before: [...parts[0]!], after: [...(parts[1] ?? '')], ellipsis: dots >= 0 };
}

type SizeOf = (label: string) => number;

/** Does putting axes labelled `from` in `to` order move any data (size-1 axes do not count)? */
function moves(from: readonly string[], to: readonly string[], size: SizeOf): boolean {
  let last = -1;
  for (const label of to) {
    if (size(label) === 1) continue;
    const at = from.indexOf(label);
    if (at < last) return true;
    last = at;
  }
  return false;
}

/** `op` with its axes put in `to` order: nothing, a free reshape, or a Transpose. */
function arrange(b: Builder, op: Operand, to: readonly string[], size: SizeOf): number {
  const perm = to.map((label) => op.labels.indexOf(label));
  if (perm.every((p, i) => p === i)) return op.id;
  if (!moves(op.labels, to, size)) return b.add({ kernel: 'Reshape', x: op.id, shape: to.map(size) });
  return b.add({ kernel: 'Transpose', x: op.id, perm });
}

/** Value `id` (of shape `from`) viewed as `to`: no step when the shapes already agree. */
function view(b: Builder, id: number, from: readonly number[], to: number[]): number {
  return from.length === to.length && from.every((d, i) => d === to[i]) ? id : b.add({ kernel: 'Reshape', x: id, shape: to });
}

const sizeOfLabels = (labels: readonly string[], size: SizeOf): number => labels.reduce((n, l) => n * size(l), 1);

/** Take the diagonal of every index repeated within one operand (`ii->i`, `iij->ij`, ...). */
function takeDiagonals(b: Builder, op: Operand, size: SizeOf): Operand {
  let { id, labels } = op;
  for (;;) {
    const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
    if (repeated === undefined) return { id, labels };
    const others = labels.filter((l) => l !== repeated);
    const count = labels.length - others.length;
    const n = size(repeated);
    // Move the r copies to the end, flatten them to n^r, and pick element k·(1 + n + … + n^(r−1)).
    const perm = [...labels.flatMap((l, i) => (l === repeated ? [] : [i])), ...labels.flatMap((l, i) => (l === repeated ? [i] : []))];
    const moved = perm.every((p, i) => p === i) ? id : b.add({ kernel: 'Transpose', x: id, perm });
    const flat = b.add({ kernel: 'Reshape', x: moved, shape: [...others.map(size), n ** count] });
    let step = 0;
    for (let r = 0; r < count; r++) step += n ** r;
    const indices = Int32Array.from({ length: n }, (_, k) => k * step);
    id = b.add({ kernel: 'Gather', x: flat, indices, axis: others.length });
    labels = [...others, repeated];
  }
}

/** Sum the axes whose index satisfies `drop`. */
function sumOut(b: Builder, op: Operand, drop: (label: string) => boolean): Operand {
  const axes = op.labels.flatMap((l, i) => (drop(l) ? [i] : []));
  if (axes.length === 0) return op;
  return { id: b.add({ kernel: 'Sum', x: op.id, axes }), labels: op.labels.filter((l) => !drop(l)) };
}

/** Orders of `set` worth trying: as it appears in each of `orders` (deduplicated). */
function orderings(set: readonly string[], orders: readonly (readonly string[])[]): string[][] {
  const out: string[][] = [];
  for (const order of orders) {
    const o = order.filter((l) => set.includes(l));
    for (const l of set) if (!o.includes(l)) o.push(l);
    if (!out.some((p) => p.join() === o.join())) out.push(o);
  }
  return out;
}

interface Layout {
  left: Operand;
  right: Operand;
  batch: string[];
  m: string[];
  k: string[];
  n: string[];
  transposeA: boolean;
  transposeB: boolean;
  cost: number;
}

/**
 * Contract two operands: indices in both and needed later are batch dims, in both and not needed are
 * summed by the MatMul, in one only are its free dims. Tries both operand orders, the transposeA/B
 * flags and the index orders each side already has, and keeps the layout that moves the least data
 * (counting the final transpose to `finalOrder` when this is the last contraction).
 */
function contract(bld: Builder, a: Operand, b: Operand, needed: ReadonlySet<string>, finalOrder: readonly string[] | null, size: SizeOf): Operand {
  let best: Layout | null = null;
  for (const [left, right] of [[a, b], [b, a]] as const) {
    const inRight = new Set(right.labels);
    const inLeft = new Set(left.labels);
    const shared = left.labels.filter((l) => inRight.has(l));
    const batchSet = shared.filter((l) => needed.has(l));
    const kSet = shared.filter((l) => !needed.has(l));
    const mSet = left.labels.filter((l) => !inRight.has(l));
    const nSet = right.labels.filter((l) => !inLeft.has(l));
    const fin = finalOrder ?? [];
    const leftSize = sizeOfLabels(left.labels, size);
    const rightSize = sizeOfLabels(right.labels, size);
    const outSize = sizeOfLabels([...batchSet, ...mSet, ...nSet], size);
    for (const batch of orderings(batchSet, [fin, left.labels, right.labels])) {
      for (const m of orderings(mSet, [fin, left.labels])) {
        for (const n of orderings(nSet, [fin, right.labels])) {
          for (const k of orderings(kSet, [left.labels, right.labels])) {
            for (const transposeA of [false, true]) {
              for (const transposeB of [false, true]) {
                const leftLayout = transposeA ? [...batch, ...k, ...m] : [...batch, ...m, ...k];
                const rightLayout = transposeB ? [...batch, ...n, ...k] : [...batch, ...k, ...n];
                let cost = 0;
                if (moves(left.labels, leftLayout, size)) cost += leftSize;
                if (moves(right.labels, rightLayout, size)) cost += rightSize;
                if (finalOrder && moves([...batch, ...m, ...n], finalOrder, size)) cost += outSize;
                if (best === null || cost < best.cost) best = { left, right, batch, m, k, n, transposeA, transposeB, cost };
              }
            }
          }
        }
      }
    }
  }
  const { left, right, batch, m, k, n, transposeA, transposeB } = best!;
  const sB = sizeOfLabels(batch, size);
  const [sM, sK, sN] = [sizeOfLabels(m, size), sizeOfLabels(k, size), sizeOfLabels(n, size)];
  const lead = batch.length > 0 ? [sB] : [];
  let product: number;
  if (k.length === 0) {
    // Nothing to sum: an outer product per batch entry, as a broadcasting Mul.
    const l = bld.add({ kernel: 'Reshape', x: arrange(bld, left, [...batch, ...m], size), shape: [...lead, sM, 1] });
    const r = bld.add({ kernel: 'Reshape', x: arrange(bld, right, [...batch, ...n], size), shape: [...lead, 1, sN] });
    product = bld.add({ kernel: 'Mul', a: l, b: r });
  } else {
    const leftLayout = transposeA ? [...batch, ...k, ...m] : [...batch, ...m, ...k];
    const rightLayout = transposeB ? [...batch, ...n, ...k] : [...batch, ...k, ...n];
    const l = view(bld, arrange(bld, left, leftLayout, size), leftLayout.map(size), [...lead, ...(transposeA ? [sK, sM] : [sM, sK])]);
    const r = view(bld, arrange(bld, right, rightLayout, size), rightLayout.map(size), [...lead, ...(transposeB ? [sN, sK] : [sK, sN])]);
    product = bld.add({ kernel: 'MatMul', a: l, b: r, transposeA, transposeB });
  }
  const labels = [...batch, ...m, ...n];
  return { id: view(bld, product, [...lead, sM, sN], labels.map(size)), labels };
}

/** Parse and check `equation` against the operands' shapes and dtypes, and list the kernels to run. */
export function planEinsum(equation: string, shapes: readonly (readonly number[])[], dtypes: readonly DType[]): Plan {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  if (arrow >= 0 && eq.indexOf('->', arrow + 2) >= 0) fail(`equation '${equation}' has more than one '->'`);
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputTerms = lhs.split(',');
  const count = shapes.length;
  if (inputTerms.length !== count) {
    fail(`equation '${equation}' has ${inputTerms.length} input term${inputTerms.length === 1 ? '' : 's'} but ${count} operand${count === 1 ? ' was' : 's were'} given`);
  }
  const terms = inputTerms.map((term, i) => parseTerm(term, equation, `input term ${i}`));
  dtypes.forEach((d, i) => {
    if (d === 'bool') fail(`operand ${i} must be float32 or int32, got bool`);
  });
  const dtype: DType = dtypes.every((d) => d === 'int32') ? 'int32' : 'float32';

  // Ellipsis ranks and the broadcast ellipsis shape (right-aligned, NumPy rules).
  const ellipsisShapes: number[][] = terms.map((term, i) => {
    const shape = shapes[i]!;
    const named = term.before.length + term.after.length;
    if (!term.ellipsis) {
      if (shape.length !== named) {
        fail(`operand ${i} has rank ${shape.length} (shape ${formatShape(shape)}) but its term '${inputTerms[i]}' names ${named} ${named === 1 ? 'index' : 'indices'}`);
      }
      return [];
    }
    if (shape.length < named) {
      fail(`operand ${i} has rank ${shape.length} (shape ${formatShape(shape)}) but its term '${inputTerms[i]}' names ${named} indices besides '...'`);
    }
    return shape.slice(term.before.length, shape.length - term.after.length);
  });
  const ellipsisRank = Math.max(0, ...ellipsisShapes.map((s) => s.length));
  const ellipsisShape = new Array<number>(ellipsisRank).fill(1);
  const setBy = new Array<number>(ellipsisRank).fill(-1);
  ellipsisShapes.forEach((s, i) => {
    s.forEach((d, j) => {
      const p = ellipsisRank - s.length + j;
      const cur = ellipsisShape[p]!;
      if (d !== 1 && cur !== 1 && d !== cur) {
        const first = setBy[p]!;
        fail(`the '...' dimensions of operand ${first} ${formatShape(ellipsisShapes[first]!)} and operand ${i} ${formatShape(s)} cannot be broadcast together`);
      }
      if (d !== 1 && cur === 1) {
        ellipsisShape[p] = d;
        setBy[p] = i;
      }
    });
  });
  const ellipsisLabels = ellipsisShape.map((_, p) => `.${p}`);

  // Index sizes; letters must agree exactly wherever they appear.
  const sizes = new Map<string, number>();
  const seenAt = new Map<string, string>();
  ellipsisLabels.forEach((l, p) => sizes.set(l, ellipsisShape[p]!));
  const b = new Builder(count);
  const ops: Operand[] = terms.map((term, i) => {
    const shape = shapes[i]!;
    const e = ellipsisShapes[i]!;
    const labels = [...term.before, ...e.map((_, j) => ellipsisLabels[ellipsisRank - e.length + j]!), ...term.after];
    labels.forEach((l, axis) => {
      if (l.startsWith('.')) return;
      const d = shape[axis]!;
      const known = sizes.get(l);
      if (known === undefined) {
        sizes.set(l, d);
        seenAt.set(l, `operand ${i} (axis ${axis})`);
      } else if (known !== d) {
        fail(`index '${l}' has size ${known} in ${seenAt.get(l)!} but size ${d} in operand ${i} (axis ${axis}), shapes ${shapes.map((x) => formatShape(x)).join(' and ')}`);
      }
    });
    const id = dtypes[i] === dtype ? i : b.add({ kernel: 'Cast', x: i, dtype });
    // A size-1 ellipsis axis that broadcasts against a longer one is the same as no axis at all.
    const keep = labels.map((l, axis) => !(l.startsWith('.') && shape[axis] === 1 && sizes.get(l) !== 1));
    if (keep.every(Boolean)) return { id, labels };
    const kept = labels.filter((_, axis) => keep[axis]);
    return { id: b.add({ kernel: 'Reshape', x: id, shape: kept.map((l) => sizes.get(l)!) }), labels: kept };
  });
  const size = (label: string): number => sizes.get(label)!;

  // The output indices.
  let output: string[];
  if (arrow >= 0) {
    const term = parseTerm(eq.slice(arrow + 2), equation, 'output term');
    const letters = [...term.before, ...term.after];
    letters.forEach((l, i) => {
      if (letters.indexOf(l) !== i) fail(`index '${l}' appears more than once in the output of '${equation}'`);
      if (!sizes.has(l)) fail(`output index '${l}' of '${equation}' does not appear in any input term`);
    });
    output = [...term.before, ...(term.ellipsis ? ellipsisLabels : []), ...term.after];
  } else {
    const counts = new Map<string, number>();
    for (const term of terms) for (const l of [...term.before, ...term.after]) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l);
    output = [...ellipsisLabels, ...once.sort()];
  }
  const inOutput = new Set(output);

  // Diagonals, then indices nobody else needs are summed right away (the smallest tensors to carry).
  let current = ops.map((op) => takeDiagonals(b, op, size));
  current = current.map((op, i) =>
    sumOut(b, op, (l) => !inOutput.has(l) && !current.some((other, j) => j !== i && other.labels.includes(l))),
  );
  // Greedy order (as opt_einsum's 'greedy'): contract the pair whose result is smallest first, the
  // leftmost pair on ties, so 'ij,jk,k->i' never builds the [i, k] product of two large matrices.
  while (current.length > 1) {
    let pick: { i: number; j: number; needed: Set<string>; size: number } | null = null;
    for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const needed = new Set<string>(output);
        current.forEach((op, o) => {
          if (o !== i && o !== j) for (const l of op.labels) needed.add(l);
        });
        const kept = new Set([...current[i]!.labels, ...current[j]!.labels].filter((l) => needed.has(l)));
        const resultSize = sizeOfLabels([...kept], size);
        if (pick === null || resultSize < pick.size) pick = { i, j, needed, size: resultSize };
      }
    }
    const { i, j, needed } = pick!;
    const merged = contract(b, current[i]!, current[j]!, needed, current.length === 2 ? output : null, size);
    current = current.flatMap((op, o) => (o === i ? [merged] : o === j ? [] : [op]));
  }
  const last = sumOut(b, current[0]!, (l) => !inOutput.has(l));
  const result = arrange(b, last, output, size);
  return { steps: b.steps, result, outShape: output.map(size), dtype };
}
