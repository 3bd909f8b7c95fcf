import type { TensorLike } from '@descent/tensor';
import { showValue } from '../engine/show-value.js';
import { confusionInputs } from './confusion.js';
import { Metric } from './metric.js';

/** Options of `TruePositives`, `FalsePositives`, `TrueNegatives` and `FalseNegatives`. */
export interface ConfusionCountArgs {
  /** Name of the metric in logs (default the Keras name, e.g. `'true_positives'`). */
  name?: string;
  /**
   * A prediction counts as positive when strictly above this (default 0.5). Keras also takes a list and
   * then returns one count per threshold; as training logs hold one number per metric, Descent takes
   * one threshold (a one-element list is accepted): use one metric per threshold.
   */
  thresholds?: number | readonly number[];
}

type Cell = 'tp' | 'fp' | 'tn' | 'fn';

/** Weighted count of one cell of the binary confusion matrix, over every entry of every batch. */
abstract class ConfusionCount extends Metric {
  /** A prediction counts as positive when strictly above this. */
  readonly thresholds: number;
  private count = 0;

  protected constructor(
    className: string,
    defaultName: string,
    private readonly cell: Cell,
    args: ConfusionCountArgs,
  ) {
    super(args.name ?? defaultName);
    const given: unknown = args.thresholds ?? 0.5;
    const thr = Array.isArray(given) && given.length === 1 ? (given[0] as unknown) : given;
    if (typeof thr !== 'number' || Number.isNaN(thr)) {
      throw new Error(
        `${className}: thresholds must be a number (or a list of one), got ${showValue(given)}` +
          (Array.isArray(given) && given.length > 1 ? ' (metric results are single numbers: use one metric per threshold)' : ''),
      );
    }
    this.thresholds = thr;
  }

  /** Adds the weighted count of entries in this metric's cell; labels are positive when non-zero. */
  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const { labels, preds, weights } = confusionInputs(this.name, yTrue, yPred, sampleWeight, null);
    const thr = this.thresholds;
    let c = 0;
    for (let i = 0; i < preds.length; i++) {
      const predicted = preds[i]! > thr;
      const positive = labels[i] !== 0;
      const hit =
        this.cell === 'tp' ? predicted && positive : this.cell === 'fp' ? predicted && !positive : this.cell === 'tn' ? !predicted && !positive : !predicted && positive;
      if (hit) c += weights ? weights[i]! : 1;
    }
    this.count += c;
  }

  /** The weighted count so far. */
  result(): number {
    return this.count;
  }

  reset(): void {
    this.count = 0;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.thresholds };
  }
}

/** Weighted count of entries predicted positive (above `thresholds`) whose label is positive. */
export class TruePositives extends ConfusionCount {
  constructor(args: ConfusionCountArgs = {}) {
    super('TruePositives', 'true_positives', 'tp', args);
  }
}

/** Weighted count of entries predicted positive (above `thresholds`) whose label is 0. */
export class FalsePositives extends ConfusionCount {
  constructor(args: ConfusionCountArgs = {}) {
    super('FalsePositives', 'false_positives', 'fp', args);
  }
}

/** Weighted count of entries predicted negative (not above `thresholds`) whose label is 0. */
export class TrueNegatives extends ConfusionCount {
  constructor(args: ConfusionCountArgs = {}) {
    super('TrueNegatives', 'true_negatives', 'tn', args);
  }
}

/** Weighted count of entries predicted negative (not above `thresholds`) whose label is positive. */
export class FalseNegatives extends ConfusionCount {
  constructor(args: ConfusionCountArgs = {}) {
    super('FalseNegatives', 'false_negatives', 'fn', args);
  }
}
