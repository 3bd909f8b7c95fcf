import type { Tensor } from '@descent/tensor';
import { abs, add, mul, scalar, square, sum } from '@descent/tensor';

/** A penalty on a weight tensor, added to the training loss. */
export abstract class Regularizer {
  /** The Keras class name written into saved configs ('L1', 'L2', 'L1L2'). */
  abstract readonly className: string;
  /** The scalar penalty for `w`, computed from tensor ops so it is differentiable. */
  abstract apply(w: Tensor): Tensor;
  /** Constructor options for serialization (the rates). */
  abstract getConfig(): Record<string, unknown>;
}

function checkRate(className: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${className}: ${option} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** `l1 · Σ|w|`. */
export class L1 extends Regularizer {
  readonly className = 'L1';
  /** Rate of the L1 penalty (default 0.01). */
  readonly l1: number;
  constructor(args: { l1?: number } = {}) {
    super();
    this.l1 = checkRate(this.className, 'l1', args.l1 ?? 0.01);
  }
  apply(w: Tensor): Tensor {
    return mul(sum(abs(w)), this.l1);
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

/** `l2 · Σw²` (no ½, as in Keras). */
export class L2 extends Regularizer {
  readonly className = 'L2';
  /** Rate of the L2 penalty (default 0.01). */
  readonly l2: number;
  constructor(args: { l2?: number } = {}) {
    super();
    this.l2 = checkRate(this.className, 'l2', args.l2 ?? 0.01);
  }
  apply(w: Tensor): Tensor {
    return mul(sum(square(w)), this.l2);
  }
  getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

/**
 * `l1 · Σ|w| + l2 · Σw²`. As a class both rates default to 0 (Keras and TF.js); the `l1l2()`
 * shortcut defaults both to 0.01. This is the one class TF.js can read back.
 */
export class L1L2 extends Regularizer {
  readonly className = 'L1L2';
  /** Rate of the L1 penalty (default 0). */
  readonly l1: number;
  /** Rate of the L2 penalty (default 0). */
  readonly l2: number;
  constructor(args: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = checkRate(this.className, 'l1', args.l1 ?? 0);
    this.l2 = checkRate(this.className, 'l2', args.l2 ?? 0);
  }
  apply(w: Tensor): Tensor {
    let penalty: Tensor = scalar(0);
    if (this.l1 !== 0) penalty = add(penalty, mul(sum(abs(w)), this.l1));
    if (this.l2 !== 0) penalty = add(penalty, mul(sum(square(w)), this.l2));
    return penalty;
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}

/** L1 penalty with rate `rate` (default 0.01). */
export function l1(rate = 0.01): L1 {
  return new L1({ l1: rate });
}

/** L2 penalty with rate `rate` (default 0.01). */
export function l2(rate = 0.01): L2 {
  return new L2({ l2: rate });
}

/** Both penalties; each rate defaults to 0.01 (Keras's `l1_l2`). */
export function l1l2(args: { l1?: number; l2?: number } = {}): L1L2 {
  return new L1L2({ l1: args.l1 ?? 0.01, l2: args.l2 ?? 0.01 });
}
