import type { Tensor } from '@descent/tensor';
import { concat, gather, reshape, slice, split, tensor, zeros } from '@descent/tensor';

// How an RNN's outputs come out of a fused trace (fused-recurrent.ts): every step's packed state
// `[b, T, S]`, state i in columns [i·u, (i+1)·u), the output being state 0.

/** An RNN's result: the output (last step, or every step) and the final states. */
export interface RecurrentResult {
  /** `[b, units]`, or `[b, steps, units]` when every step is returned. */
  output: Tensor;
  /** The final states, `[b, units]` each. */
  states: Tensor[];
}

/** The output and the `stateCount` final states of `units` each in `trace` (`[b, steps, S]`). */
export function traceOutputs(trace: Tensor, units: number, stateCount: number, returnSequences: boolean): RecurrentResult {
  const [b, steps] = trace.shape as [number, number, number];
  const u = units;
  const finals: Tensor[] = [];
  for (let i = 0; i < stateCount; i++) finals.push(reshape(slice(trace, [0, steps - 1, i * u], [b, 1, u]), [b, u]));
  return { output: returnSequences ? slice(trace, [0, 0, 0], [b, steps, u]) : finals[0]!, states: finals };
}

/**
 * The fused path with a mask (`m`, `[b, steps]` read as data, not all true). A masked step changes
 * nothing, so each row equals the fused recurrence over its unmasked steps alone: the input's steps
 * are permuted per row (unmasked ones first, in order), the sequence kernel (`runTrace`) runs once, and
 * the outputs are gathered back — step t reads the state after the row's k-th unmasked step, k the
 * number of unmasked steps up to t (k = 0: zeros for the output, the initial state for the states). The
 * steps after a row's k-th are never read, so they get no gradient. Gather is differentiable, so
 * gradients (of any order) follow.
 */
export function maskedTraceOutputs(
  x: Tensor,
  states: readonly Tensor[],
  m: ArrayLike<number | boolean>,
  units: number,
  returnSequences: boolean,
  runTrace: (packed: Tensor) => Tensor,
): RecurrentResult {
  const [b, steps, f] = x.shape as [number, number, number];
  const order = new Int32Array(b * steps);
  const count = new Int32Array(b * steps);
  const last = new Int32Array(b);
  for (let r = 0; r < b; r++) {
    let k = 0;
    for (let t = 0; t < steps; t++) if (m[r * steps + t] !== 0) order[r * steps + k++] = r * steps + t;
    let j = k;
    for (let t = 0; t < steps; t++) {
      if (m[r * steps + t] === 0) order[r * steps + j++] = r * steps + t;
    }
    // Row r of the [b, steps + 1] extension below: position 0 is the state before any step.
    let seen = 0;
    for (let t = 0; t < steps; t++) {
      if (m[r * steps + t] !== 0) seen++;
      count[r * steps + t] = r * (steps + 1) + seen;
    }
    last[r] = r * (steps + 1) + k;
  }
  const packed = reshape(gather(reshape(x, [b * steps, f]), tensor(order, [b * steps]), 0), [b, steps, f]);
  const trace = runTrace(packed);
  const u = units;
  const n = states.length;
  // [b, steps + 1, n·u]: the initial states, then the states after each (packed) step.
  const withInit = (head: Tensor, width: number): Tensor =>
    reshape(concat([reshape(head, [b, 1, width]), slice(trace, [0, 0, 0], [b, steps, width])], 1), [b * (steps + 1), width]);
  const finals = gather(withInit(concat([...states], 1), n * u), tensor(last, [b]), 0);
  const finalStates = n === 1 ? [finals] : split(finals, n, 1);
  const outputs = withInit(zeros([b, u]), u);
  const output = returnSequences
    ? reshape(gather(outputs, tensor(count, [b * steps]), 0), [b, steps, u])
    : gather(outputs, tensor(last, [b]), 0);
  return { output, states: finalStates };
}
