import type { Variable } from '@descent/autograd';
import type { DType, Tensor } from '@descent/tensor';
import { add, bernoulli, cast, matMul, mul, reshape, reverse, stack, unstack, where, zeros } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputMask, InputSpec, LayerInputs, LayerInputShapes, SymbolicInputs } from '../engine/layer.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { SymbolicTensor as SymbolicTensorClass } from '../engine/symbolic.js';
import { isShapeList, Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { assertRank, formatSymbolic, knownDim } from '../engine/shape-utils.js';
import { activationOf, positiveInt, rateIn01 } from './common.js';
import { SeedStream } from './dropout.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { layerOptions } from '../engine/options.js';
import type { RNNArgs, RNNCallKwargs } from './rnn-args.js';
import type { RecurrentResult } from './rnn-trace.js';
import { maskedTraceOutputs, traceOutputs } from './rnn-trace.js';

export type { RNNArgs, RNNCallKwargs } from './rnn-args.js';


/**
 * The recurrent loop shared by SimpleRNN, LSTM and GRU. Inputs `[batch, steps, features]` are
 * projected through the kernel for every step at once (one matMul), then each step adds the
 * recurrent term and updates the state. Weights, as in Keras: kernel `[in, G·units]`,
 * recurrent_kernel `[units, G·units]`, bias.
 */
export abstract class RNN extends Layer {
  /** Size of the state and of each step's output. */
  readonly units: number;
  /** Activation of the candidate/output (tanh unless set). */
  readonly activation: Activation;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** Initializer of the input kernel. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of the recurrent kernel. */
  declare readonly recurrentInitializer: Initializer;
  /** Initializer of the bias. */
  declare readonly biasInitializer: Initializer;
  /** Penalty on the input kernel, or null. */
  declare readonly kernelRegularizer: Regularizer | null;
  /** Penalty on the recurrent kernel, or null. */
  declare readonly recurrentRegularizer: Regularizer | null;
  /** Penalty on the bias, or null. */
  declare readonly biasRegularizer: Regularizer | null;
  /** Constraint on the input kernel, or null. */
  declare readonly kernelConstraint: Constraint | null;
  /** Constraint on the recurrent kernel, or null. */
  declare readonly recurrentConstraint: Constraint | null;
  /** Constraint on the bias, or null. */
  declare readonly biasConstraint: Constraint | null;
  /** Fraction of input features dropped in training, in [0, 1]. */
  readonly dropout: number;
  /** Fraction of the recurrent state dropped in training, in [0, 1]. */
  readonly recurrentDropout: number;
  /** Whether every step's output is returned (`[batch, steps, units]`) rather than the last. */
  readonly returnSequences: boolean;
  /** Whether the final states are produced too (through `applyWithState`). */
  readonly returnState: boolean;
  /** Whether the sequence is processed from the last step to the first. */
  readonly goBackwards: boolean;
  private readonly seeds: SeedStream;
  /** The input kernel `[features, gates · units]`; null until built. */
  kernel: Variable | null = null;
  /** The recurrent kernel `[units, gates · units]`; null until built. */
  recurrentKernel: Variable | null = null;
  /**
   * The bias (`[gates · units]`; GRU with `resetAfter`: `[2, gates · units]`); null until built or when
   * `useBias` is false.
   */
  bias: Variable | null = null;

  /** Number of gates: columns of the kernel are `gates · units`. */
  protected abstract readonly gates: number;
  /** Number of state tensors (LSTM: h and c). */
  protected abstract readonly stateCount: number;
  /**
   * @internal Whether LSTM and GRU may take the fused path (one kernel per sequence, one tape entry per
   * call). Tests turn it off to compare against the step-by-step composition.
   */
  static fused = true;
  /** Steps of a masked batch are skipped (state carried over), as in Keras. */
  override supportsMasking = true;

  constructor(args: RNNArgs) {
    super(args);
    const cls = this.className;
    if (args.stateful === true) throw new Error(`${cls}: stateful RNNs are not supported (stateful must be false)`);
    this.units = positiveInt(cls, 'units', args.units);
    this.activation = activationOf(args.activation === undefined ? 'tanh' : args.activation, this);
    this.useBias = args.useBias ?? true;
    initWeightOptions(this, args, { kernel: 'glorotUniform', recurrent: 'orthogonal', bias: 'zeros' });
    this.dropout = rateIn01(cls, 'dropout', args.dropout ?? 0);
    this.recurrentDropout = rateIn01(cls, 'recurrentDropout', args.recurrentDropout ?? 0);
    this.seeds = new SeedStream(args.seed ?? null);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
  }

  /** The bias weight's shape and initial value (GRU with resetAfter and LSTM's unitForgetBias override it). */
  protected biasSpec(): { shape: number[]; initializer: Pick<Initializer, 'apply'> } {
    return { shape: [this.gates * this.units], initializer: this.biasInitializer };
  }

  override build(inputShape: SymbolicShape): void {
    assertRank(this.className, inputShape, 3, '[batch, steps, features]');
    const inDim = knownDim(this.className, inputShape, -1);
    const cols = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [inDim, cols], weightOptions(this, 'kernel'));
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, cols], weightOptions(this, 'recurrent'));
    if (this.useBias) {
      const spec = this.biasSpec();
      this.bias = this.addWeight('bias', spec.shape, { ...weightOptions(this, 'bias'), initializer: spec.initializer });
    }
    super.build(inputShape);
  }

  /** Rank 3; the kernel fixes the features (the number of steps may vary). */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([-1], true);
  }

  /** `x·kernel (+ input bias)` for all steps: `[batch, steps, gates·units]`. */
  protected projectInputs(x: Tensor): Tensor {
    const xw = matMul(x, this.kernel!);
    return this.bias ? add(xw, this.bias) : xw;
  }

  /** Prepare per-call tensors (e.g. recurrent-kernel slices) once, outside the step loop. */
  protected prepare(): void {}

  /**
   * The fused path (LSTM/GRU with their default activations): every step's packed state `[b, T, S]`,
   * state i in columns [i·u, (i+1)·u); null where only the step-by-step path applies. `x` is the
   * input after goBackwards and input dropout; `states` the initial states.
   */
  protected fusedTrace(x: Tensor, states: Tensor[]): Tensor | null {
    void x;
    void states;
    return null;
  }

  /** Whether `fusedTrace` applies (LSTM/GRU: their default activations). */
  protected fusable(): boolean {
    return false;
  }

  /** One step: `xt` is this step's projected input `[batch, gates·units]`; returns the step output and new states. */
  protected abstract step(xt: Tensor, states: Tensor[], recurrentMask: Tensor | null): { output: Tensor; states: Tensor[] };

  /** Run over the sequence; returns the output (last step, or every step) and the final states. */
  run(inputs: Tensor, kwargs: RNNCallKwargs = {}): { output: Tensor; states: Tensor[] } {
    if (inputs.rank !== 3) {
      throw new Error(`${this.className}: expected input of rank 3 ([batch, steps, features]), got shape ${formatSymbolic(inputs.shape)}`);
    }
    const [b, steps, features] = inputs.shape as [number, number, number];
    if (steps === 0) throw new Error(`${this.className}: the input sequence is empty (shape ${formatSymbolic(inputs.shape)})`);
    let x = this.goBackwards ? reverse(inputs, 1) : inputs;
    const training = kwargs.training === true;
    if (training && this.dropout > 0) {
      const keep = 1 - this.dropout;
      x = mul(x, mul(bernoulli([b, 1, features], keep, this.seeds.next()), 1 / keep));
    }
    let recurrentMask: Tensor | null = null;
    if (training && this.recurrentDropout > 0) {
      const keep = 1 - this.recurrentDropout;
      recurrentMask = mul(bernoulli([b, this.units], keep, this.seeds.next()), 1 / keep);
    }
    const given = kwargs.initialState;
    if (given !== undefined && given.some((t) => t instanceof SymbolicTensorClass)) {
      throw new Error(`${this.className} '${this.name}': initialState holds symbolic tensors but the input is a real tensor; give both real or both symbolic`);
    }
    let states = this.initialStates(b, given as Tensor[] | undefined);
    const mask = this.stepMask(kwargs.mask, b, steps);
    if (recurrentMask === null && RNN.fused && x.dtype === 'float32') {
      const fused = mask === null ? this.fusedRun(x, states) : this.fusedMasked(x, states, mask);
      if (fused !== null) return fused;
    }
    this.prepare();
    const projected = unstack(this.projectInputs(x), 1);
    const stepMasks = mask === null ? null : unstack(reshape(mask, [b, steps, 1]), 1);
    const outputs: Tensor[] = [];
    let last: Tensor | null = null;
    for (let t = 0; t < projected.length; t++) {
      const r = this.step(projected[t]!, states, recurrentMask);
      const m = stepMasks?.[t];
      if (m === undefined) {
        states = r.states;
        last = r.output;
      } else {
        // A masked step changes nothing: the state is carried over and the output repeats the last one.
        const before = states;
        states = r.states.map((s, i) => where(m, s, before[i]!));
        last = where(m, r.output, last ?? zeros(r.output.shape));
      }
      outputs.push(last);
    }
    const output = this.returnSequences ? stack(outputs, 1) : last!;
    return { output, states };
  }


  /** The fused path without a mask; null where it does not apply (activations). */
  private fusedRun(x: Tensor, states: Tensor[]): RecurrentResult | null {
    const trace = this.fusedTrace(x, states);
    return trace === null ? null : traceOutputs(trace, this.units, this.stateCount, this.returnSequences);
  }

  /** The fused path with a mask (see `maskedTraceOutputs`); null where it does not apply. */
  private fusedMasked(x: Tensor, states: Tensor[], mask: Tensor): RecurrentResult | null {
    if (!this.fusable()) return null;
    const m = mask.dataSync();
    let all = true;
    for (let i = 0; i < m.length && all; i++) all = m[i] !== 0;
    if (all) return this.fusedRun(x, states);
    return maskedTraceOutputs(x, states, m, this.units, this.returnSequences, (packed) => this.fusedTrace(packed, states)!);
  }

  /** The mask as bool `[b, steps]` in processing order (reversed with goBackwards), or null. */
  private stepMask(given: InputMask | undefined, b: number, steps: number): Tensor | null {
    if (given === undefined || given === null) return null;
    const op = `${this.className} '${this.name}'`;
    if (Array.isArray(given)) {
      if (given.length !== 1) throw new Error(`${op}: expected one mask (the layer takes one input), got a list of ${given.length}`);
      return this.stepMask(given[0], b, steps);
    }
    if (given.rank !== 2 || given.shape[0] !== b || given.shape[1] !== steps) {
      throw new Error(`${op}: the mask must have shape [${b},${steps}] ([batch, steps]), got ${formatSymbolic(given.shape)}`);
    }
    const m = given.dtype === 'bool' ? given : cast(given, 'bool');
    return this.goBackwards ? reverse(m, 1) : m;
  }

  /** The output's mask: the input mask when every step is returned, else none (the time axis is gone). */
  override computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    void inputs;
    if (!this.returnSequences || mask === undefined || mask === null) return null;
    return Array.isArray(mask) ? (mask[0] ?? null) : mask;
  }

  private initialStates(batch: number, given: Tensor[] | undefined): Tensor[] {
    if (given === undefined) return Array.from({ length: this.stateCount }, () => zeros([batch, this.units]));
    if (given.length !== this.stateCount || !given.every((s) => s.rank === 2 && s.shape[0] === batch && s.shape[1] === this.units)) {
      throw new Error(
        `${this.className}: initialState must be ${this.stateCount} tensor(s) of shape [${batch},${this.units}], got ${given.map((s) => formatSymbolic(s.shape)).join(', ') || 'none'}`,
      );
    }
    return [...given];
  }

  override apply(inputs: SymbolicInputs, kwargs?: RNNCallKwargs): SymbolicTensor;
  override apply(inputs: LayerInputs, kwargs?: RNNCallKwargs): Tensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs?: RNNCallKwargs): Tensor | SymbolicTensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs: RNNCallKwargs = {}): Tensor | SymbolicTensor {
    if (this.returnState) {
      throw new Error(`${this.className} '${this.name}': returnState is true, so the layer has ${this.stateCount + 1} outputs; call applyWithState() (apply returns a single tensor; on a symbolic tensor applyWithState returns [output, ...states])`);
    }
    return super.apply(inputs, kwargs);
  }

  /**
   * Build if needed and run; returns `[output, ...finalStates]` (LSTM: `[output, h, c]`, as Keras).
   * On a symbolic tensor (inside a graph being built) it records the call and returns one symbolic
   * tensor per output, which later layers can take (`new Dense(…).apply(h)`, `concatenate([h, c])`).
   */
  applyWithState(inputs: SymbolicTensor, kwargs?: RNNCallKwargs): SymbolicTensor[];
  applyWithState(inputs: Tensor, kwargs?: RNNCallKwargs): Tensor[];
  applyWithState(inputs: Tensor | SymbolicTensor, kwargs: RNNCallKwargs = {}): Tensor[] | SymbolicTensor[] {
    if (inputs instanceof SymbolicTensorClass) {
      if (!this.returnState) throw new Error(`${this.className} '${this.name}': applyWithState on a symbolic tensor needs returnState: true (the states are outputs of the graph node only then); use apply() for the output alone`);
      return this.recordCall(inputs, kwargs);
    }
    this.ensureBuilt(inputs);
    const { kwargs: withMask } = this.withInputMask(inputs, kwargs);
    const { output, states } = this.run(inputs, withMask);
    this.recordActivity(output);
    return [output, ...states];
  }

  /**
   * A symbolic call with a symbolic `initialState` (Keras: `decoder(x, initial_state=[h, c])`): the
   * states become inputs of the node after the sequence, as TF.js saves them.
   */
  protected override recordCall(inputs: SymbolicInputs, kwargs: RNNCallKwargs, extraInputs: readonly SymbolicTensor[] = []): SymbolicTensor[] {
    const given = kwargs.initialState as unknown;
    if (given === undefined) return super.recordCall(inputs, kwargs, extraInputs);
    const op = `${this.className} '${this.name}'`;
    if (!Array.isArray(given) || !given.every((t) => t instanceof SymbolicTensorClass)) {
      throw new Error(`${op}: on a symbolic input, initialState must be an array of symbolic tensors (other layers' outputs), got ${Array.isArray(given) ? 'an array with real tensors' : typeof given}`);
    }
    const states = given;
    const batch = Array.isArray(inputs) ? null : (inputs.shape[0] ?? null);
    const ok = states.length === this.stateCount && states.every((t) => t.rank === 2 && (t.shape[1] === null || t.shape[1] === this.units));
    if (!ok) {
      throw new Error(`${op}: initialState must be ${this.stateCount} tensor(s) of shape [${batch === null ? 'null' : batch},${this.units}], got ${states.map((t) => formatSymbolic(t.shape)).join(', ') || 'none'}`);
    }
    return super.recordCall(inputs, kwargs, [...extraInputs, ...states]);
  }

  /** @internal In a graph: `[output, ...states]` when `returnState`, else the output alone. */
  override applyNode(inputs: LayerInputs, kwargs: CallKwargs): Tensor[] {
    if (!this.returnState) return super.applyNode(inputs, kwargs);
    if (Array.isArray(inputs)) throw new Error(`${this.className} '${this.name}': expects a single input tensor, got a list of ${inputs.length}`);
    return this.applyWithState(inputs, kwargs);
  }

  /** With `returnState`, a symbolic call has `1 + states` outputs: the output, then each state `[batch, units]`. */
  protected override symbolicOutputs(inputShapes: LayerInputShapes, inputDtypes: readonly DType[]): { shape: SymbolicShape; dtype: DType }[] {
    const main = super.symbolicOutputs(inputShapes, inputDtypes);
    if (!this.returnState) return main;
    const batch = isShapeList(inputShapes) ? null : (inputShapes[0] ?? null);
    return [...main, ...Array.from({ length: this.stateCount }, () => ({ shape: [batch, this.units], dtype: main[0]!.dtype }))];
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (inputs.dtype === 'bool') throw new Error(`${this.className} '${this.name}': expected a float32 or int32 input, got dtype bool (cast it first)`);
    return this.run(inputs, kwargs).output;
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return this.returnSequences ? [inputShape[0] ?? null, inputShape[1] ?? null, this.units] : [inputShape[0] ?? null, this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      ...weightOptionsConfig(this, ['kernel', 'recurrent', 'bias'], { activityRegularizer: true }),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      seed: this.seeds.seed,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: false,
    };
  }
}

/** Fully connected recurrence `h_t = activation(x_t·W + h_{t−1}·U + b)`. */
export class SimpleRNN extends RNN {
  static override className = 'SimpleRNN';
  static override readonly optionKeys = layerOptions<RNNArgs>({ units: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, recurrentInitializer: true, recurrentRegularizer: true, recurrentConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dropout: true, recurrentDropout: true, seed: true, returnSequences: true, returnState: true, goBackwards: true, stateful: true, unroll: true });
  protected readonly gates = 1;
  protected readonly stateCount = 1;

  protected step(xt: Tensor, states: Tensor[], recurrentMask: Tensor | null): { output: Tensor; states: Tensor[] } {
    let h = states[0]!;
    if (recurrentMask) h = mul(h, recurrentMask);
    const out = this.activation.apply(add(xt, matMul(h, this.recurrentKernel!)));
    return { output: out, states: [out] };
  }
}
