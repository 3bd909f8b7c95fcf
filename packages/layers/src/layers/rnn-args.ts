import type { Tensor } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import type { ActivationId, ConstraintOption, InitializerId, RegularizerOption } from './common.js';

/** Options of the recurrent layers (`SimpleRNN`, `LSTM` and `GRU` add their own). */
export interface RNNArgs extends LayerArgs {
  /** Size of the state and of each step's output; a positive integer. */
  units: number;
  /** Activation of the candidate/output (default tanh). */
  activation?: ActivationId;
  /** Whether to add a bias vector (default true). */
  useBias?: boolean;
  /** Initializer of the input kernel (default `'glorotUniform'`). */
  kernelInitializer?: InitializerId;
  /** Initializer of the recurrent kernel (default `'orthogonal'`). */
  recurrentInitializer?: InitializerId;
  /** Initializer of the bias (default `'zeros'`). */
  biasInitializer?: InitializerId;
  /** Penalty on the input kernel added to the loss (default none). */
  kernelRegularizer?: RegularizerOption;
  /** Penalty on the recurrent kernel added to the loss (default none). */
  recurrentRegularizer?: RegularizerOption;
  /** Penalty on the bias added to the loss (default none). */
  biasRegularizer?: RegularizerOption;
  /** Constraint applied to the input kernel after each optimizer step (default none). */
  kernelConstraint?: ConstraintOption;
  /** Constraint applied to the recurrent kernel after each optimizer step (default none). */
  recurrentConstraint?: ConstraintOption;
  /** Constraint applied to the bias after each optimizer step (default none). */
  biasConstraint?: ConstraintOption;
  /** Fraction of the input features dropped in training (one mask per sequence, as in Keras). */
  dropout?: number;
  /** Fraction of the recurrent state dropped in training (one mask per sequence). */
  recurrentDropout?: number;
  /** Seed for the dropout masks. */
  seed?: number | null;
  /** Return the output of every step (`[batch, steps, units]`) instead of the last (`[batch, units]`). */
  returnSequences?: boolean;
  /**
   * The layer also produces its final states. `apply` returns one tensor, so such a layer is used
   * through `applyWithState` (which returns `[output, ...states]`).
   */
  returnState?: boolean;
  /** Process the sequence from the last step to the first (the returned sequence is in processing order, as in Keras). */
  goBackwards?: boolean;
  /** Keras/TF.js write `stateful: false`; carrying state across batches is not supported. */
  stateful?: boolean;
  /** Keras/TF.js write `unroll`; it changes nothing here (the loop is always unrolled on the tape). */
  unroll?: boolean;
}

/** Keyword arguments of a recurrent layer's `apply`/`applyWithState`. */
export interface RNNCallKwargs extends CallKwargs {
  /**
   * Initial states (`[batch, units]` each; LSTM takes `[h, c]`); zeros when absent. Symbolic tensors
   * when the layer is called on a symbolic input (an encoder's states as a decoder's initial state).
   */
  initialState?: Tensor[] | SymbolicTensor[];
}
