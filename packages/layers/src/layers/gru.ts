import type { Tensor } from '@descent/tensor';
import { add, matMul, mul, reshape, slice, split, sub } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Initializer } from '../initializers/index.js';
import type { ActivationId } from './common.js';
import { activationOf } from './common.js';
import type { RNNArgs } from './rnn.js';
import { RNN } from './rnn.js';
import { gruTrace } from './fused-recurrent.js';
import { layerOptions } from '../engine/options.js';

export interface GRUArgs extends RNNArgs {
  /** Activation of the update and reset gates (default sigmoid). */
  recurrentActivation?: ActivationId;
  /**
   * Apply the reset gate after the recurrent matMul (Keras 3 and cuDNN convention, default true;
   * bias `[2, 3·units]`: input bias, recurrent bias) or before it (bias `[3·units]`).
   */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit, gates in Keras order z (update), r (reset), h (candidate):
 * `z = σ(x·W_z + h·U_z + b)`, `r = σ(…)`, candidate `ĥ = tanh(x·W_h + r⊙(h·U_h + b_rh))` with
 * resetAfter (or `tanh(x·W_h + (r⊙h)·U_h + b_h)` without), `h' = z⊙h + (1 − z)⊙ĥ`.
 */
export class GRU extends RNN {
  static override className = 'GRU';
  static override readonly optionKeys = layerOptions<GRUArgs>({ units: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, recurrentInitializer: true, recurrentRegularizer: true, recurrentConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dropout: true, recurrentDropout: true, seed: true, returnSequences: true, returnState: true, goBackwards: true, stateful: true, unroll: true, recurrentActivation: true, resetAfter: true });
  protected readonly gates = 3;
  protected readonly stateCount = 1;
  /** Activation of the update and reset gates. */
  readonly recurrentActivation: Activation;
  /** Whether the reset gate is applied after the recurrent matMul (Keras 3 convention). */
  readonly resetAfter: boolean;
  private recurrentBias: Tensor | null = null;
  private kernelZR: Tensor | null = null;
  private kernelH: Tensor | null = null;

  constructor(args: GRUArgs) {
    super(args);
    this.recurrentActivation = activationOf(args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation, this, 'recurrentActivation');
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override biasSpec(): { shape: number[]; initializer: Pick<Initializer, 'apply'> } {
    const cols = 3 * this.units;
    return { shape: this.resetAfter ? [2, cols] : [cols], initializer: this.biasInitializer };
  }

  protected override projectInputs(x: Tensor): Tensor {
    const xw = matMul(x, this.kernel!);
    if (!this.bias) return xw;
    return add(xw, this.resetAfter ? reshape(slice(this.bias, [0, 0], [1, -1]), [3 * this.units]) : this.bias);
  }

  protected override prepare(): void {
    const u = this.units;
    if (this.resetAfter) {
      this.recurrentBias = this.bias ? reshape(slice(this.bias, [1, 0], [1, -1]), [3 * u]) : null;
    } else {
      this.kernelZR = slice(this.recurrentKernel!, [0, 0], [u, 2 * u]);
      this.kernelH = slice(this.recurrentKernel!, [0, 2 * u], [u, u]);
    }
  }

  /** The fused path, for the default activations (tanh, sigmoid). */
  protected override fusable(): boolean {
    return this.activation.name === 'tanh' && this.recurrentActivation.name === 'sigmoid';
  }

  protected override fusedTrace(x: Tensor, states: Tensor[]): Tensor | null {
    if (!this.fusable()) return null;
    return gruTrace(x, this.kernel!, this.recurrentKernel!, this.bias, states[0]!, this.resetAfter);
  }

  protected step(xt: Tensor, states: Tensor[], recurrentMask: Tensor | null): { output: Tensor; states: Tensor[] } {
    let h = states[0]!;
    if (recurrentMask) h = mul(h, recurrentMask);
    const [xz, xr, xh] = split(xt, 3, 1) as [Tensor, Tensor, Tensor];
    let z: Tensor;
    let candidate: Tensor;
    if (this.resetAfter) {
      let inner = matMul(h, this.recurrentKernel!);
      if (this.recurrentBias) inner = add(inner, this.recurrentBias);
      const [rz, rr, rh] = split(inner, 3, 1) as [Tensor, Tensor, Tensor];
      z = this.recurrentActivation.apply(add(xz, rz));
      const r = this.recurrentActivation.apply(add(xr, rr));
      candidate = this.activation.apply(add(xh, mul(r, rh)));
    } else {
      const [rz, rr] = split(matMul(h, this.kernelZR!), 2, 1) as [Tensor, Tensor];
      z = this.recurrentActivation.apply(add(xz, rz));
      const r = this.recurrentActivation.apply(add(xr, rr));
      candidate = this.activation.apply(add(xh, matMul(mul(r, h), this.kernelH!)));
    }
    const hNext = add(mul(z, h), mul(sub(1, z), candidate));
    return { output: hNext, states: [hNext] };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, resetAfter: this.resetAfter };
  }
}
