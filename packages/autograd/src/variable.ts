import type { DType, TensorLike } from '@descent/tensor';
import { Tensor, adoptData, cast, formatShape, holdTensor, shapesEqual, toTensor } from '@descent/tensor';

/** A projection applied to a variable's new value after each optimizer update. */
export type ConstraintFn = (w: Tensor) => Tensor;

/** Options of `variable()`. */
export interface VariableOptions {
  /** Name of the variable (default `Variable`, `Variable_1`, …); layers use `layer/weight`. */
  name?: string;
  /** Whether optimizers and `variableGrads` (without a list) include it (default true). */
  trainable?: boolean;
  /** Cast the initial value to this dtype. */
  dtype?: DType;
  /** Applied by optimizers after each update (e.g. a max-norm projection). */
  constraint?: ConstraintFn | null;
}

let unnamed = 0;

function defaultName(): string {
  const name = unnamed === 0 ? 'Variable' : `Variable_${unnamed}`;
  unnamed++;
  return name;
}

/**
 * The one mutable tensor: a named holder whose value `assign` replaces. It is a `Tensor`, so it
 * goes into any op directly; its shape and dtype never change.
 */
export class Variable extends Tensor {
  /** The variable's name, under which optimizer state and saved weights are keyed. */
  readonly name: string;
  /** Whether optimizers and `variableGrads` (without a list) include it; may be changed. */
  trainable: boolean;
  /** Projection applied after each optimizer update, or null. */
  constraint: ConstraintFn | null;
  /** An immutable view of the current value, shared by tapes that read it; dropped on `assign`. */
  private frozen: Tensor | null = null;

  /** @internal Use `variable()`. */
  constructor(initial: Tensor, name: string, trainable: boolean, constraint: ConstraintFn | null) {
    super(initial, initial.backend);
    this.name = name;
    this.trainable = trainable;
    this.constraint = constraint;
    // A Variable holds its storage itself, so no step scope frees it (manual-memory backends).
    holdTensor(this);
  }

  /** Replace the value. Shape and dtype must match the variable's; the storage is shared, not copied. */
  assign(value: TensorLike): void {
    const v = toTensor(value, 'Variable.assign', 'value', this);
    if (!shapesEqual(v.shape, this.shape) || v.dtype !== this.dtype) {
      throw new Error(
        `Variable.assign: variable '${this.name}' has shape ${formatShape(this.shape)} and dtype ${this.dtype}, ` +
          `got a value of shape ${formatShape(v.shape)} and dtype ${v.dtype}`,
      );
    }
    // The engine moves the hold from the old storage to the new one (the old is freed on manual-memory backends if nothing else holds it).
    adoptData(this, v);
    this.frozen = null;
  }

  /**
   * @internal The current value as a plain immutable tensor (no copy). Tapes record this instead of
   * the variable, so a later `assign` cannot change values a gradient rule will read.
   */
  snapshot(): Tensor {
    if (this.frozen === null || this.frozen.dataId !== this.dataId) this.frozen = new Tensor(this, this.backend);
    return this.frozen;
  }
}

/** Create a Variable; its name defaults to 'Variable', 'Variable_1', … */
export function variable(initial: TensorLike, opts: VariableOptions = {}): Variable {
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) {
    throw new Error(`variable: name must be a non-empty string, got ${JSON.stringify(opts.name)}`);
  }
  let t = toTensor(initial, 'variable', 'initial');
  if (opts.dtype !== undefined && opts.dtype !== t.dtype) t = cast(t, opts.dtype);
  return new Variable(t, opts.name ?? defaultName(), opts.trainable ?? true, opts.constraint ?? null);
}
