import type { DType, Tensor } from '@descent/tensor';
import { eye, full, mul } from '@descent/tensor';
import { checkNumber, Initializer } from './initializer.js';

export class Zeros extends Initializer {
  readonly className = 'Zeros';
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return full(shape, 0, dtype);
  }
}

export class Ones extends Initializer {
  readonly className = 'Ones';
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return full(shape, 1, dtype);
  }
}

/** Options of `Constant`. */
export interface ConstantArgs {
  /** The value of every element (default 0). */
  value?: number;
}

export class Constant extends Initializer {
  readonly className = 'Constant';
  /** The value of every element. */
  readonly value: number;
  constructor(args: ConstantArgs = {}) {
    super();
    this.value = checkNumber('Constant', 'value', args.value ?? 0);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return full(shape, this.value, dtype);
  }
  override getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

/** Options of `Identity`. */
export interface IdentityArgs {
  /** Factor on the identity matrix (default 1). */
  gain?: number;
}

/** `gain` times the identity matrix; only 2-D shapes (a rectangular shape gets ones on the main diagonal). */
export class Identity extends Initializer {
  readonly className = 'Identity';
  /** Factor on the identity matrix. */
  readonly gain: number;
  constructor(args: IdentityArgs = {}) {
    super();
    this.gain = checkNumber('Identity', 'gain', args.gain ?? 1);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    if (shape.length !== 2) {
      throw new Error(`Identity: initializer needs a 2-D shape, got [${shape.join(',')}]`);
    }
    const m = eye(shape[0]!, shape[1], dtype);
    return this.gain === 1 ? m : mul(m, this.gain);
  }
  override getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}
