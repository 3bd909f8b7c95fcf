import type { Tensor } from '@descent/tensor';
import { isReleased } from '@descent/tensor';

/** The activation that turned logits into the probabilities a cross-entropy receives. */
export type LogitsKind = 'softmax' | 'sigmoid';

interface LogitsSource {
  readonly kind: LogitsKind;
  readonly logits: Tensor;
}

// Keyed by the activation's output: an entry goes when that tensor is garbage-collected, and the
// Tensor class stays free of layer-level bookkeeping (Keras keeps the same link as `_keras_logits`).
const sources = new WeakMap<Tensor, LogitsSource>();

/**
 * Remember that `probs` is `softmax(logits)` over the last axis, or `sigmoid(logits)`, so that a
 * cross-entropy given `probs` can work from the logits instead (see `logitsOf`). Only float32
 * logits are remembered: the losses' logit formulas expect them. Returns `probs`.
 */
export function rememberLogits(probs: Tensor, logits: Tensor, kind: LogitsKind): Tensor {
  if (logits.dtype === 'float32' && probs !== logits) sources.set(probs, { kind, logits });
  return probs;
}

/**
 * The logits `probs` was computed from by the `kind` activation (see `rememberLogits`), or null
 * when `probs` did not come from it (a plain tensor, an array, a slice or copy of an output) or
 * the logits were released since: a scope that returns the probabilities (e.g. `predict`) releases
 * the logits it made, on every backend alike, so the caller then works from the probabilities.
 */
export function logitsOf(probs: unknown, kind: LogitsKind): Tensor | null {
  if (typeof probs !== 'object' || probs === null) return null;
  const source = sources.get(probs as Tensor);
  if (source === undefined || source.kind !== kind || isReleased(source.logits)) return null;
  return source.logits;
}
