import type { F1Average, FBetaScoreArgs } from './fbeta.js';
import { FBetaScore } from './fbeta.js';

export type { F1Average } from './fbeta.js';

/** Options of `F1Score`: those of `FBetaScore` without `beta` (fixed at 1). */
export interface F1ScoreArgs extends Omit<FBetaScoreArgs, 'beta' | 'average'> {
  /** Name of the metric in logs (default `'f1_score'`). */
  name?: string;
  /**
   * How per-class scores combine: 'macro' (default, unweighted mean over classes), 'weighted'
   * (mean weighted by each class's support) or 'micro' (one score from counts summed over classes).
   * Keras's per-class vector (`average=None`) is not offered because results are single numbers.
   */
  average?: F1Average;
}

/**
 * F1 score (harmonic mean of precision and recall) for multi-class or multi-label outputs
 * `[batch, classes]`, from weighted per-class counts accumulated over every batch: `FBetaScore` with
 * beta 1, as in Keras.
 */
export class F1Score extends FBetaScore {
  constructor(args: F1ScoreArgs = {}) {
    const given: unknown = args;
    if (typeof given === 'object' && given !== null && 'beta' in given) throw new Error(`F1Score: beta is fixed at 1 (use FBetaScore for another beta)`);
    super({ ...args, beta: 1 }, 'F1Score', 'f1_score');
  }

  /** `{ name, average, threshold }`: beta is implied. */
  override getConfig(): Record<string, unknown> {
    const { beta: _beta, ...rest } = super.getConfig();
    return rest;
  }
}
