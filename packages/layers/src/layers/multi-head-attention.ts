import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, cast, expandDims, matMul, mul, reshape, softmax, sub, Tensor as TensorClass, transpose } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, LayerArgs, LayerInputShapes, SymbolicInputs } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic, knownDim } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import { SymbolicTensor } from '../engine/symbolic.js';
import type { AttentionCallKwargs } from './attention.js';
import { andMask, boolMask, causalMask, checkStepMask, dropProbs, inputMasks, LARGE_NEGATIVE, ScoresLayer } from './attention.js';
import type { ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { positiveInt, rateIn01 } from './common.js';
import type { AxisPlan } from './attention-axes.js';
import { axisPlan, intList, toHeads } from './attention-axes.js';
import { SeedStream } from './dropout.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Number of attention heads; a positive integer. */
  numHeads: number;
  /** Size of each head for query and key; a positive integer. */
  keyDim: number;
  /** Size of each head for value (default `keyDim`). */
  valueDim?: number | null;
  /** Fraction of the attention probabilities dropped in training, in [0, 1). Default 0. */
  dropout?: number;
  /** Whether the four projections have biases (default true). */
  useBias?: boolean;
  /**
   * Shape of each output position after the output projection (an integer or a list); default the
   * query's feature size.
   */
  outputShape?: number | readonly number[] | null;
  /**
   * Axes of the query/value the attention runs over (counted on the inputs: 1 … rank − 2, negative
   * from the end); default all axes but the batch and the features. The other axes act as batch axes.
   */
  attentionAxes?: number | readonly number[] | null;
  /** Initializer of the four kernels (default `'glorotUniform'`). */
  kernelInitializer?: InitializerId;
  /** Initializer of the four biases (default `'zeros'`). */
  biasInitializer?: InitializerId;
  /** Penalty on each kernel added to the loss (default none). */
  kernelRegularizer?: RegularizerOption;
  /** Penalty on each bias added to the loss (default none). */
  biasRegularizer?: RegularizerOption;
  /** Constraint applied to each kernel after each optimizer step (default none). */
  kernelConstraint?: ConstraintOption;
  /** Constraint applied to each bias after each optimizer step (default none). */
  biasConstraint?: ConstraintOption;
  /** Seed of the dropout masks. */
  seed?: number | null;
}

/** Keyword arguments of `MultiHeadAttention`'s `apply`/`applyWithScores`. */
export interface MultiHeadAttentionCallKwargs extends AttentionCallKwargs {
  /**
   * Bool (or 0/1) mask `[batch, Tq, Tk]` (for other attention axes: `[batch axes…, query attention
   * axes…, key attention axes…]`), true where a query position may attend to a key position; leading
   * axes may be missing (broadcast). A symbolic tensor while a graph is built: it becomes an input of
   * the call.
   */
  attentionMask?: Tensor | SymbolicTensor | null;
  /**
   * @internal Set by a symbolic call with a symbolic `attentionMask`: the mask is the call's last input.
   * Saved with the call, so a loaded graph takes it back.
   */
  attentionMaskInput?: boolean;
}


/**
 * Multi-head attention as in Keras 3 (`keras.layers.MultiHeadAttention`): `query`, `value` and `key`
 * (default value) are projected to `numHeads` heads, `softmax(q·kᵀ / √keyDim)` weights the value heads,
 * and the heads are projected back to `outputShape` (default the query's features). Weights in Keras's
 * layouts and order: `query/kernel` `[qDim, heads, keyDim]`, `query/bias` `[heads, keyDim]`, `key/…`,
 * `value/kernel` `[vDim, heads, valueDim]`, `value/bias`, `attention_output/kernel`
 * `[heads, valueDim, …outputShape]`, `attention_output/bias` `[…outputShape]`.
 *
 * `apply([query, value])` or `apply([query, value, key], { attentionMask, useCausalMask, training })`;
 * `applyWithScores` also returns the probabilities `[batch, heads, Tq, Tk]`. Input masks (from the
 * graph, or `mask: [queryMask, valueMask, keyMask]`) combine as in Keras: query ⊗ value (⊗ key) AND
 * `attentionMask` AND the causal mask; the output carries the query's mask.
 */
export class MultiHeadAttention extends ScoresLayer<MultiHeadAttentionCallKwargs> {
  static override className = 'MultiHeadAttention';
  static override readonly optionKeys = layerOptions<MultiHeadAttentionArgs>({
    numHeads: true, keyDim: true, valueDim: true, dropout: true, useBias: true, outputShape: true, attentionAxes: true,
    kernelInitializer: true, biasInitializer: true, kernelRegularizer: true, biasRegularizer: true, kernelConstraint: true, biasConstraint: true, seed: true,
  });
  /** Number of heads. */
  readonly numHeads: number;
  /** Size of each query/key head. */
  readonly keyDim: number;
  /** Size of each value head. */
  readonly valueDim: number;
  /** Fraction of the attention probabilities dropped in training. */
  readonly dropout: number;
  /** Whether the projections have biases. */
  readonly useBias: boolean;
  /**
   * The `outputShape` option (what each position is projected to), or null for the query's features.
   * (Named apart from `Layer.outputShape`, the shape of a symbolic call's output.)
   */
  readonly projectionShape: number[] | null;
  /** The `attentionAxes` option as given (null: every axis but batch and features). */
  readonly attentionAxes: number[] | null;
  /** Initializer of the kernels. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of the biases. */
  declare readonly biasInitializer: Initializer;
  /** Penalty on each kernel, or null. */
  declare readonly kernelRegularizer: Regularizer | null;
  /** Penalty on each bias, or null. */
  declare readonly biasRegularizer: Regularizer | null;
  /** Constraint on each kernel, or null. */
  declare readonly kernelConstraint: Constraint | null;
  /** Constraint on each bias, or null. */
  declare readonly biasConstraint: Constraint | null;
  private readonly seeds: SeedStream;
  /** `query/kernel` `[qDim, heads, keyDim]`; null until built. */
  queryKernel: Variable | null = null;
  /** `query/bias` `[heads, keyDim]`; null until built or without bias. */
  queryBias: Variable | null = null;
  /** `key/kernel` `[kDim, heads, keyDim]`; null until built. */
  keyKernel: Variable | null = null;
  /** `key/bias` `[heads, keyDim]`; null until built or without bias. */
  keyBias: Variable | null = null;
  /** `value/kernel` `[vDim, heads, valueDim]`; null until built. */
  valueKernel: Variable | null = null;
  /** `value/bias` `[heads, valueDim]`; null until built or without bias. */
  valueBias: Variable | null = null;
  /** `attention_output/kernel` `[heads, valueDim, …outputShape]`; null until built. */
  outputKernel: Variable | null = null;
  /** `attention_output/bias` `[…outputShape]`; null until built or without bias. */
  outputBias: Variable | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    const op = 'MultiHeadAttention';
    this.numHeads = positiveInt(op, 'numHeads', args.numHeads);
    this.keyDim = positiveInt(op, 'keyDim', args.keyDim);
    this.valueDim = args.valueDim === undefined || args.valueDim === null ? this.keyDim : positiveInt(op, 'valueDim', args.valueDim);
    this.dropout = rateIn01(op, 'dropout', args.dropout ?? 0);
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') throw new Error(`${op}: useBias must be a boolean, got ${showValue(args.useBias)}`);
    this.useBias = args.useBias ?? true;
    this.projectionShape = intList(op, 'outputShape', args.outputShape, 1);
    this.attentionAxes = intList(op, 'attentionAxes', args.attentionAxes, null);
    initWeightOptions(this, args, { kernel: 'glorotUniform', bias: 'zeros' });
    this.seeds = SeedStream.fromOption(op, args.seed);
    this.supportsMasking = true;
  }

  /** Query/value/key shapes that agree: equal ranks ≥ 3, key and value alike but for features, known feature sizes. */
  private checkShapes(shapes: SymbolicShape[]): void {
    const op = `${this.className} '${this.name}'`;
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    const k = shapes[2] ?? v;
    if (q.length < 3) throw new Error(`${op}: query must have rank ≥ 3 ([batch, steps…, features]), got shape ${formatSymbolic(q)}`);
    shapes.forEach((s, i) => {
      if (s.length !== q.length) throw new Error(`${op}: query, value and key must have the same rank, got ${['query', 'value', 'key'][i]} ${formatSymbolic(s)} and query ${formatSymbolic(q)}`);
    });
    for (let i = 1; i < v.length - 1; i++) {
      if (k[i] !== null && v[i] !== null && k[i] !== v[i]) throw new Error(`${op}: value and key must agree on every axis but the last, got value ${formatSymbolic(v)} and key ${formatSymbolic(k)}`);
    }
    const plan = axisPlan(`${this.className} '${this.name}'`, q.length, this.attentionAxes);
    for (const a of plan.batch) {
      if (q[a] !== null && k[a] !== null && q[a] !== k[a]) {
        throw new Error(`${op}: query and key must agree on axis ${a}, which is not an attention axis (attentionAxes ${formatSymbolic(plan.attn)}), got query ${formatSymbolic(q)} and key ${formatSymbolic(k)}`);
      }
    }
  }


  override build(inputShape: LayerInputShapes): void {
    const shapes = this.checkShapeList(inputShape);
    this.checkShapes(shapes);
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    const k = shapes[2] ?? v;
    const n = this.numHeads;
    const qDim = knownDim(this.className, q, -1);
    const kDim = knownDim(this.className, k, -1);
    const vDim = knownDim(this.className, v, -1);
    const out = this.projectionShape ?? [qDim];
    const kernel = weightOptions(this, 'kernel');
    const bias = weightOptions(this, 'bias');
    this.queryKernel = this.addWeight('query/kernel', [qDim, n, this.keyDim], kernel);
    if (this.useBias) this.queryBias = this.addWeight('query/bias', [n, this.keyDim], bias);
    this.keyKernel = this.addWeight('key/kernel', [kDim, n, this.keyDim], kernel);
    if (this.useBias) this.keyBias = this.addWeight('key/bias', [n, this.keyDim], bias);
    this.valueKernel = this.addWeight('value/kernel', [vDim, n, this.valueDim], kernel);
    if (this.useBias) this.valueBias = this.addWeight('value/bias', [n, this.valueDim], bias);
    this.outputKernel = this.addWeight('attention_output/kernel', [n, this.valueDim, ...out], kernel);
    if (this.useBias) this.outputBias = this.addWeight('attention_output/bias', [...out], bias);
    super.build(inputShape);
  }

  /** The kernels fix each input's features (and the ranks). */
  protected override inputSpec(): readonly ({ ndim: number; axes: Record<number, number> } | null)[] | null {
    const built = this.builtInputShape;
    if (built === null) return null;
    const rank = (built as SymbolicShape[])[0]!.length;
    const spec = (w: Variable | null): { ndim: number; axes: Record<number, number> } | null => (w === null ? null : { ndim: rank, axes: { [-1]: w.shape[0]! } });
    const specs = [spec(this.queryKernel), spec(this.valueKernel), spec(this.keyKernel)];
    return (built as SymbolicShape[]).length === 3 ? specs : specs.slice(0, 2);
  }

  /** `x·kernel + bias` over the last axis, kernel `[in, heads, dim]` → `[…, heads, dim]`. */
  private project(x: Tensor, kernel: Variable, bias: Variable | null): Tensor {
    const [inDim, n, d] = kernel.shape as [number, number, number];
    let y = matMul(reshape(x, [-1, inDim]), reshape(kernel, [inDim, n * d]));
    if (bias) y = add(y, reshape(bias, [n * d]));
    return reshape(y, [...x.shape.slice(0, -1), n, d]);
  }


  protected attend(inputs: Tensor[], kwargs: MultiHeadAttentionCallKwargs): [Tensor, Tensor] {
    this.checkFlags(kwargs);
    const op = `${this.className} '${this.name}'`;
    const shapes = inputs.map((t) => [...t.shape]);
    this.checkShapes(shapes);
    const [query, value] = inputs as [Tensor, Tensor];
    const key = inputs[2] ?? value;
    const plan = axisPlan(op, query.rank, this.attentionAxes);
    const mask = this.attentionMaskFor(op, inputs, kwargs, plan);

    const q = this.project(query, this.queryKernel!, this.queryBias);
    const k = this.project(key, this.keyKernel!, this.keyBias);
    const v = this.project(value, this.valueKernel!, this.valueBias);
    // Keras scales the projected query by 1/√keyDim before the dot product.
    const qh = mul(toHeads(q, plan), 1 / Math.sqrt(this.keyDim));
    const kh = toHeads(k, plan);
    const vh = toHeads(v, plan);
    const [p, n, tq] = qh.shape as [number, number, number, number];
    const tk = kh.shape[2]!;
    let scores = matMul(qh, kh, false, true); // [P, heads, Tq, Tk]
    // Keras's layout of the scores: [batch axes…, heads, query attention axes…, key attention axes…].
    const batchDims = plan.batch.map((a) => query.shape[a]!);
    const scoresShape = [...batchDims, n, ...plan.attn.map((a) => query.shape[a]!), ...plan.attn.map((a) => key.shape[a]!)];
    if (mask !== null) {
      // Keras's masked softmax: add (1 − mask)·(−1e9), the mask expanded at the heads axis.
      let m = cast(mask, 'float32');
      const headsAxis = m.rank - 2 * plan.attn.length;
      while (m.rank < scoresShape.length) m = expandDims(m, headsAxis);
      const adder = mul(sub(1, m), LARGE_NEGATIVE);
      scores = reshape(add(reshape(scores, scoresShape), adder), [p, n, tq, tk]);
    }
    const probs = softmax(scores, -1);
    const used = kwargs.training === true && this.dropout > 0 ? dropProbs(probs, this.dropout, this.seeds) : probs;
    const ctx = matMul(used, vh); // [P, heads, Tq, valueDim]
    // Back to [b, …, heads, valueDim] in the query's axis order.
    const r = q.rank;
    const perm = [...plan.batch, r - 2, ...plan.attn, r - 1];
    const permuted = reshape(ctx, [...batchDims, n, ...plan.attn.map((a) => query.shape[a]!), this.valueDim]);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    const heads = transpose(permuted, inverse);
    const outShape = this.outputKernel!.shape.slice(2);
    const outSize = outShape.reduce((a, b) => a * b, 1);
    let y = matMul(reshape(heads, [-1, n * this.valueDim]), reshape(this.outputKernel!, [n * this.valueDim, outSize]));
    if (this.outputBias) y = add(y, reshape(this.outputBias, [outSize]));
    const output = reshape(y, [...query.shape.slice(0, -1), ...outShape]);
    return [output, reshape(probs, scoresShape)];
  }

  /**
   * Keras's `_compute_attention_mask`: query mask `[b, Tq, 1]` AND value mask `[b, 1, Tk]` AND key mask
   * AND the causal mask `[1, Tq, Tk]` AND `attentionMask`; null when there is none.
   */
  private attentionMaskFor(op: string, inputs: Tensor[], kwargs: MultiHeadAttentionCallKwargs, plan: AxisPlan): Tensor | null {
    const [query, value] = inputs as [Tensor, Tensor];
    const key = inputs[2] ?? value;
    const [qMask, vMask, kMask] = inputMasks(op, kwargs.mask, inputs.length) as [Tensor | null, Tensor | null, Tensor | null];
    const causal = kwargs.useCausalMask === true;
    if ((qMask !== null || vMask !== null || kMask !== null || causal) && !(query.rank === 3 && plan.attn.length === 1)) {
      throw new Error(`${op}: input masks and useCausalMask need rank-3 inputs [batch, steps, features] (attention over axis 1), got query ${formatSymbolic(query.shape)}; pass an attentionMask instead`);
    }
    checkStepMask(op, 'query', qMask, query);
    checkStepMask(op, 'value', vMask, value);
    checkStepMask(op, 'key', kMask, key);
    let auto: Tensor | null = qMask === null ? null : expandDims(qMask, 2);
    if (vMask !== null) auto = andMask(auto, expandDims(vMask, 1));
    if (kMask !== null) auto = andMask(auto, expandDims(kMask, 1));
    if (causal) auto = andMask(auto, causalMask(query.shape[1]!, value.shape[1]!));
    const given = this.givenAttentionMask(op, kwargs.attentionMask, inputs, plan);
    return andMask(given, auto);
  }

  /** The `attentionMask` kwarg as a bool tensor (checked against the scores' shape), or null. */
  private givenAttentionMask(op: string, raw: unknown, inputs: Tensor[], plan: AxisPlan): Tensor | null {
    if (raw === undefined || raw === null) return null;
    // In a graph the recorded symbolic mask arrives as a one-element list of its value.
    const m = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw;
    if (m instanceof SymbolicTensor) throw new Error(`${op}: attentionMask is a symbolic tensor but the inputs are real tensors; give both real or both symbolic`);
    if (!(m instanceof TensorClass)) throw new Error(`${op}: attentionMask must be a Tensor, got ${showValue(m)}`);
    const t = m;
    const [query, value] = inputs as [Tensor, Tensor];
    const key = inputs[2] ?? value;
    const full = [...plan.batch.map((a) => query.shape[a]!), ...plan.attn.map((a) => query.shape[a]!), ...plan.attn.map((a) => key.shape[a]!)];
    const ok = t.rank >= 2 * plan.attn.length && t.rank <= full.length && t.shape.every((d, i) => d === 1 || d === full[full.length - t.rank + i]);
    if (!ok) throw new Error(`${op}: attentionMask must broadcast to ${formatSymbolic(full)} ([batch…, query steps…, key steps…]), got shape ${formatSymbolic(t.shape)}`);
    return boolMask(t);
  }

  protected scoresShape(shapes: SymbolicShape[]): SymbolicShape {
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    const k = shapes[2] ?? v;
    const plan = axisPlan(`${this.className} '${this.name}'`, q.length, this.attentionAxes);
    return [...plan.batch.map((a) => q[a] ?? null), this.numHeads, ...plan.attn.map((a) => q[a] ?? null), ...plan.attn.map((a) => k[a] ?? null)];
  }

  override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    const shapes = this.checkShapeList(inputShape);
    const q = shapes[0]!;
    return [...q.slice(0, -1), ...(this.projectionShape ?? [q[q.length - 1] ?? null])];
  }

  /** A symbolic `attentionMask` becomes an input of the call (after query, value and key), as an RNN's initial state does. */
  protected override recordCall(inputs: SymbolicInputs, kwargs: MultiHeadAttentionCallKwargs, extraInputs: readonly SymbolicTensor[] = []): SymbolicTensor[] {
    const m = kwargs.attentionMask;
    if (m === undefined || m === null) return super.recordCall(inputs, kwargs, extraInputs);
    if (!(m instanceof SymbolicTensor)) {
      throw new Error(`${this.className} '${this.name}': on symbolic inputs, attentionMask must be a symbolic tensor too (an Input or another layer's output), got ${m instanceof TensorClass ? `a real Tensor of shape ${formatSymbolic(m.shape)}` : showValue(m)}`);
    }
    // Kept in the node's kwargs as a one-element list: the graph replaces it by its value when it runs.
    const recorded = { ...kwargs, attentionMask: [m], attentionMaskInput: true } as unknown as MultiHeadAttentionCallKwargs;
    return super.recordCall(inputs, recorded, [...extraInputs, m]);
  }

  /** A saved call with a mask input: the last input is the attention mask. */
  protected override savedKwargs(inputs: SymbolicTensor[], saved: Readonly<Record<string, unknown>>): { inputs: SymbolicTensor[]; kwargs: MultiHeadAttentionCallKwargs } {
    const base = super.savedKwargs(inputs, saved);
    if (saved['attentionMaskInput'] !== true) return base;
    return { inputs: inputs.slice(0, -1), kwargs: { ...base.kwargs, attentionMask: inputs[inputs.length - 1]! } };
  }

  /** @internal In a graph the symbolic attentionMask arrives as the last input; it goes back to the kwargs. */
  override applyNode(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor[] {
    const kw = kwargs as MultiHeadAttentionCallKwargs;
    const raw: unknown = kw.attentionMask;
    if (Array.isArray(inputs) && (kw.attentionMaskInput === true || Array.isArray(raw))) {
      const list = inputs.slice(0, -1);
      const withMask: MultiHeadAttentionCallKwargs = { ...kw, attentionMask: inputs[inputs.length - 1]! };
      return super.applyNode(list, withMask);
    }
    return super.applyNode(inputs, kw);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.projectionShape,
      attentionAxes: this.attentionAxes,
      ...weightOptionsConfig(this, ['kernel', 'bias'], { activityRegularizer: true }),
      seed: this.seeds.seed,
    };
  }
}

