import type { DType, Tensor } from '@descent/tensor';
import { add, concat, matMul, mul, ones, split } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Initializer } from '../initializers/index.js';
import type { ActivationId } from './common.js';
import { activationOf } from './common.js';
import type { RNNArgs } from './rnn.js';
import { RNN } from './rnn.js';
import { lstmTrace } from './fused-recurrent.js';
import { layerOptions } from '../engine/options.js';

export interface LSTMArgs extends RNNArgs {
  /** Activation of the gates (default sigmoid, as in Keras 3). */
  recurrentActivation?: ActivationId;
  /** Initialize the forget gate's bias to 1 (Jozefowicz et al., 2015). Default true. */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory. Gates in Keras order i, f, c, o along the kernel's columns:
 * `i = σ(x·W_i + h·U_i + b_i)`, `f = σ(…)`, `c' = f⊙c + i⊙tanh(x·W_c + h·U_c + b_c)`,
 * `o = σ(…)`, `h' = o⊙tanh(c')`. States `[h, c]`.
 */
export class LSTM extends RNN {
  static override className = 'LSTM';
  static override readonly optionKeys = layerOptions<LSTMArgs>({ units: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, recurrentInitializer: true, recurrentRegularizer: true, recurrentConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dropout: true, recurrentDropout: true, seed: true, returnSequences: true, returnState: true, goBackwards: true, stateful: true, unroll: true, recurrentActivation: true, unitForgetBias: true });
  protected readonly gates = 4;
  protected readonly stateCount = 2;
  /** Activation of the gates. */
  readonly recurrentActivation: Activation;
  /** Whether the forget gate's bias starts at 1. */
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args);
    this.recurrentActivation = activationOf(args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation, this, 'recurrentActivation');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected override biasSpec(): { shape: number[]; initializer: Pick<Initializer, 'apply'> } {
    const u = this.units;
    const base = this.biasInitializer;
    if (!this.unitForgetBias) return { shape: [4 * u], initializer: base };
    return {
      shape: [4 * u],
      initializer: {
        apply: (_shape: readonly number[], dtype?: DType): Tensor => concat([base.apply([u], dtype), ones([u], dtype), base.apply([2 * u], dtype)], 0),
      },
    };
  }

  /** The fused path, for the default activations (tanh, sigmoid). */
  protected override fusable(): boolean {
    return this.activation.name === 'tanh' && this.recurrentActivation.name === 'sigmoid';
  }

  protected override fusedTrace(x: Tensor, states: Tensor[]): Tensor | null {
    if (!this.fusable()) return null;
    return lstmTrace(x, this.kernel!, this.recurrentKernel!, this.bias, states[0]!, states[1]!);
  }

  protected step(xt: Tensor, states: Tensor[], recurrentMask: Tensor | null): { output: Tensor; states: Tensor[] } {
    let h = states[0]!;
    const c = states[1]!;
    if (recurrentMask) h = mul(h, recurrentMask);
    const z = add(xt, matMul(h, this.recurrentKernel!));
    const [zi, zf, zc, zo] = split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const i = this.recurrentActivation.apply(zi);
    const f = this.recurrentActivation.apply(zf);
    const cNext = add(mul(f, c), mul(i, this.activation.apply(zc)));
    const o = this.recurrentActivation.apply(zo);
    const hNext = mul(o, this.activation.apply(cNext));
    return { output: hNext, states: [hNext, cNext] };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, unitForgetBias: this.unitForgetBias };
  }
}
