import { scoped } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import type { DType } from '@descent/tensor';
import {
  add, arange, bernoulli, cast, expandDims, greaterEqual, logicalAnd, matMul, mul, notEqual, reshape, softmax, sub, sum, tanh, Tensor,
} from '@descent/tensor';
import type { CallKwargs, InputMask, LayerArgs, LayerInputs, LayerInputShapes, SymbolicInputs } from '../engine/layer.js';
import { isShapeList, Layer } from '../engine/layer.js';
import { getMask } from '../engine/mask.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic, knownDim } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { isSymbolicInput } from '../engine/symbolic.js';
import { getInitializer } from '../initializers/index.js';
import { rateIn01 } from './common.js';
import { SeedStream } from './dropout.js';

/** Keyword arguments of the attention layers' `apply`, `applyWithScores` and `call`. */
export interface AttentionCallKwargs extends CallKwargs {
  /**
   * Let position `i` of the query attend only to positions `j ≤ i` of the key/value (a decoder's
   * self-attention). Default false.
   */
  useCausalMask?: boolean;
  /**
   * Also return the attention probabilities. `apply` gives one tensor, so use `applyWithScores`,
   * which sets this and returns `[output, scores]`.
   */
  returnAttentionScores?: boolean;
}

/** Keras's additive mask value: a masked score gets this added (or subtracted) before the softmax. */
export const LARGE_NEGATIVE = -1e9;

/** A bool version of a mask given as bool or as numbers (non-zero = keep). */
export function boolMask(m: Tensor): Tensor {
  return m.dtype === 'bool' ? m : notEqual(m, 0);
}

/** `a AND b` where either may be absent. */
export function andMask(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (a === null) return b;
  if (b === null) return a;
  return logicalAnd(a, b);
}

/** `[1, tq, tk]` bool, true where the key position `j ≤` the query position `i` (Keras's lower-triangular causal mask). */
export function causalMask(tq: number, tk: number): Tensor {
  const rows = reshape(arange(0, tq, 1, 'int32'), [1, tq, 1]);
  const cols = reshape(arange(0, tk, 1, 'int32'), [1, 1, tk]);
  return greaterEqual(rows, cols);
}

/** The graph's per-input masks (`kwargs.mask`) as `[queryMask, valueMask, keyMask]`, null where absent. */
export function inputMasks(owner: string, mask: InputMask | undefined, count: number): (Tensor | null)[] {
  if (mask === undefined || mask === null) return [null, null, null];
  if (!Array.isArray(mask)) {
    throw new Error(`${owner}: mask must be a list [queryMask, valueMask${count > 2 ? ', keyMask' : ''}] (null where an input has none), got a single tensor of shape ${formatSymbolic(mask.shape)}`);
  }
  // A graph may append an entry for an extra input (a symbolic attentionMask); only the first `count` are the inputs'.
  const list = mask.slice(0, count).map((m) => (m === null || m === undefined ? null : boolMask(m)));
  while (list.length < 3) list.push(null);
  return list;
}

/** Check a `[batch, steps]` mask against its tensor. */
export function checkStepMask(owner: string, which: string, m: Tensor | null, x: Tensor): void {
  if (m === null) return;
  if (m.rank !== 2 || m.shape[0] !== x.shape[0] || m.shape[1] !== x.shape[1]) {
    throw new Error(`${owner}: the ${which} mask must have shape [${x.shape[0]},${x.shape[1]}] ([batch, steps] of the ${which}), got ${formatSymbolic(m.shape)}`);
  }
}

/**
 * Base of the attention layers: a list of inputs `[query, value]` or `[query, value, key]`, and a
 * second output (the attention probabilities) when asked for. `apply` returns the attention output;
 * `applyWithScores` returns `[output, scores]`, eagerly and on symbolic tensors (the graph node then
 * has two outputs, as a Keras layer called with `return_attention_scores=True`).
 */
export abstract class ScoresLayer<K extends AttentionCallKwargs = AttentionCallKwargs> extends Layer {
  /** Whether the symbolic call being recorded asks for the scores (read by `symbolicOutputs`). */
  private recordingScores = false;

  override get acceptsInputList(): boolean {
    return true;
  }

  /** The output and the attention probabilities for real `inputs`; `kwargs.mask` holds the inputs' masks. */
  protected abstract attend(inputs: Tensor[], kwargs: K): [Tensor, Tensor];

  /** Shape of the attention probabilities for inputs of `shapes`. */
  protected abstract scoresShape(shapes: SymbolicShape[]): SymbolicShape;

  /** Throw unless `inputs` is a list of 2 or 3 tensors. */
  protected checkInputList(inputs: unknown): asserts inputs is Tensor[] {
    const op = `${this.className} '${this.name}'`;
    if (!Array.isArray(inputs)) {
      const what = inputs instanceof Tensor ? `a single tensor of shape ${formatSymbolic(inputs.shape)}` : showValue(inputs);
      throw new Error(`${op}: expects a list of inputs [query, value] or [query, value, key], got ${what}`);
    }
    if (inputs.length < 2 || inputs.length > 3) throw new Error(`${op}: expects a list of 2 or 3 inputs [query, value] or [query, value, key], got ${inputs.length}`);
    const bad = inputs.findIndex((t) => !(t instanceof Tensor));
    if (bad >= 0) throw new Error(`${op}: inputs[${bad}] must be a Tensor, got ${showValue(inputs[bad])}`);
  }

  /** Throw unless `shapes` is a list of 2 or 3 input shapes. */
  protected checkShapeList(shapes: LayerInputShapes): SymbolicShape[] {
    if (!isShapeList(shapes) || shapes.length < 2 || shapes.length > 3) {
      throw new Error(`${this.className} '${this.name}': expects the shapes of [query, value] or [query, value, key], got ${isShapeList(shapes) ? `${shapes.length} shapes` : formatSymbolic(shapes)}`);
    }
    return shapes;
  }

  override apply(inputs: SymbolicInputs, kwargs?: K): SymbolicTensor;
  override apply(inputs: LayerInputs, kwargs?: K): Tensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs?: K): Tensor | SymbolicTensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs: K = {} as K): Tensor | SymbolicTensor {
    if (kwargs.returnAttentionScores === true) {
      throw new Error(`${this.className} '${this.name}': returnAttentionScores gives two outputs; call applyWithScores(inputs, kwargs), which returns [output, scores] (apply returns the output alone)`);
    }
    if (!isSymbolicInput(inputs)) this.checkInputList(inputs);
    return super.apply(inputs, kwargs);
  }

  /**
   * Build if needed and run; returns `[output, scores]`, the scores being the attention probabilities
   * after masking and softmax (before dropout), as Keras's `return_attention_scores=True`. On symbolic
   * tensors it records one call with two outputs that later layers can take.
   */
  applyWithScores(inputs: SymbolicTensor[], kwargs?: K): SymbolicTensor[];
  applyWithScores(inputs: Tensor[], kwargs?: K): Tensor[];
  applyWithScores(inputs: Tensor[] | SymbolicTensor[], kwargs: K = {} as K): Tensor[] | SymbolicTensor[] {
    const kw: K = { ...kwargs, returnAttentionScores: true };
    if (isSymbolicInput(inputs)) return this.recordCall(inputs, kw);
    this.checkInputList(inputs);
    const real = inputs;
    return scoped(() => {
      this.ensureBuilt(real);
      const { kwargs: callKwargs, mask } = this.withInputMask(real, kw);
      const [out, scores] = this.attend(real, callKwargs as K);
      const output = this.attachMask(real, mask, out);
      this.recordActivity(output);
      // What leaves the scope: the outputs, the output's mask, the activity penalty just recorded.
      const kept = [output, scores, getMask(output), ...this.regularizationLosses()];
      return kept;
    }).slice(0, 2) as Tensor[];
  }

  call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
    this.checkInputList(inputs);
    return this.attend(inputs, kwargs as K)[0];
  }

  /** The query's mask passes on (Keras: the output keeps the query's mask). */
  override computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    void inputs;
    if (mask === undefined || mask === null || !Array.isArray(mask)) return null;
    return mask[0] ?? null;
  }

  protected override recordCall(inputs: SymbolicInputs, kwargs: K, extraInputs: readonly SymbolicTensor[] = []): SymbolicTensor[] {
    if (!Array.isArray(inputs) || inputs.length < 2 || inputs.length > 3) {
      throw new Error(`${this.className} '${this.name}': expects a list of 2 or 3 symbolic inputs [query, value] or [query, value, key], got ${Array.isArray(inputs) ? inputs.length : 'a single tensor'}`);
    }
    this.checkFlags(kwargs);
    this.recordingScores = kwargs.returnAttentionScores === true;
    try {
      return super.recordCall(inputs, kwargs, extraInputs);
    } finally {
      this.recordingScores = false;
    }
  }

  /** Throw unless the boolean call options are booleans. */
  protected checkFlags(kwargs: AttentionCallKwargs): void {
    for (const key of ['useCausalMask', 'returnAttentionScores', 'training'] as const) {
      const v = kwargs[key];
      if (v !== undefined && typeof v !== 'boolean') throw new Error(`${this.className} '${this.name}': ${key} must be a boolean, got ${showValue(v)}`);
    }
  }

  protected override symbolicOutputs(inputShapes: LayerInputShapes, inputDtypes: readonly DType[]): { shape: SymbolicShape; dtype: DType }[] {
    const main = super.symbolicOutputs(inputShapes, inputDtypes);
    if (!this.recordingScores) return main;
    return [...main, { shape: this.scoresShape(this.checkShapeList(inputShapes)), dtype: main[0]!.dtype }];
  }

  /**
   * @internal Replay a call read from a saved graph (model loading): `inputs` are the node's inputs as
   * the file lists them, `saved` its keyword arguments (camelCase). Returns the call's outputs: two when
   * it was recorded with `returnAttentionScores`.
   */
  applySavedCall(inputs: SymbolicTensor[], saved: Readonly<Record<string, unknown>>): SymbolicTensor[] {
    const kw = this.savedKwargs(inputs, saved);
    return kw.kwargs.returnAttentionScores === true ? this.applyWithScores(kw.inputs, kw.kwargs) : [this.apply(kw.inputs, kw.kwargs)];
  }

  /** The call options a saved node holds (the boolean ones), and its inputs; MultiHeadAttention adds its mask input. */
  protected savedKwargs(inputs: SymbolicTensor[], saved: Readonly<Record<string, unknown>>): { inputs: SymbolicTensor[]; kwargs: K } {
    const kwargs: Record<string, unknown> = {};
    for (const key of ['training', 'useCausalMask', 'returnAttentionScores']) if (typeof saved[key] === 'boolean') kwargs[key] = saved[key];
    return { inputs, kwargs: kwargs as K };
  }

  /** @internal In a graph: `[output, scores]` for a call recorded with `returnAttentionScores`, else the output. */
  override applyNode(inputs: LayerInputs, kwargs: CallKwargs): Tensor[] {
    const kw = kwargs as K;
    if (kw.returnAttentionScores === true) return this.applyWithScores(inputs as Tensor[], kw);
    return [this.apply(inputs, kw)];
  }
}

export interface AttentionArgs extends LayerArgs {
  /** Multiply the scores by a learned scalar `scale` (initialized to 1). Default false. */
  useScale?: boolean;
  /** `'dot'` (query·key, default) or `'concat'` (Σ tanh(query + key), times a learned scalar). */
  scoreMode?: 'dot' | 'concat';
  /** Fraction of the attention probabilities dropped in training, in [0, 1). Default 0. */
  dropout?: number;
  /** Seed of the dropout masks. */
  seed?: number | null;
}

/**
 * Dot-product attention (Luong style), Keras 3's `Attention`. Inputs `[query, value]` or
 * `[query, value, key]` of shapes `[batch, Tq, dim]`, `[batch, Tv, dim]` (key as value when absent);
 * `scores = query·keyᵀ` (or the concat score), masked, softmax over `Tv`, output `scores·value`:
 * `[batch, Tq, value dim]`. Masks (from the graph or `kwargs.mask = [queryMask, valueMask]`): a
 * masked value step gets no attention, a masked query step outputs zeros.
 */
export class Attention extends ScoresLayer {
  static override className = 'Attention';
  static override readonly optionKeys = layerOptions<AttentionArgs>({ useScale: true, scoreMode: true, dropout: true, seed: true });
  /** Whether the scores are scaled by the learned `scale`. */
  readonly useScale: boolean;
  /** How query and key are scored. */
  readonly scoreMode: 'dot' | 'concat';
  /** Fraction of the attention probabilities dropped in training. */
  readonly dropout: number;
  /** Source of the per-call dropout seeds. */
  protected readonly seeds: SeedStream;
  /** The learned scale (a scalar; AdditiveAttention: `[dim]`); null until built or without `useScale`. */
  scale: Variable | null = null;
  /** The learned factor of the concat score (a scalar); null until built or unless `scoreMode` is `'concat'`. */
  concatScoreWeight: Variable | null = null;

  constructor(args: AttentionArgs = {}) {
    super(args);
    const op = this.className;
    if (args.useScale !== undefined && typeof args.useScale !== 'boolean') throw new Error(`${op}: useScale must be a boolean, got ${showValue(args.useScale)}`);
    this.useScale = args.useScale ?? this.defaultUseScale();
    const mode: unknown = args.scoreMode ?? 'dot';
    if (mode !== 'dot' && mode !== 'concat') throw new Error(`${op}: scoreMode must be 'dot' or 'concat', got ${showValue(mode)}`);
    this.scoreMode = mode;
    this.dropout = rateIn01(op, 'dropout', args.dropout ?? 0);
    this.seeds = SeedStream.fromOption(op, args.seed);
    this.supportsMasking = true;
  }

  /** `useScale` when not given (Attention: false, AdditiveAttention: true). */
  protected defaultUseScale(): boolean {
    return false;
  }

  override build(inputShape: LayerInputShapes): void {
    this.checkShapes(this.checkShapeList(inputShape));
    const ones = getInitializer('ones');
    if (this.useScale) this.scale = this.addWeight('scale', [], { initializer: ones });
    if (this.scoreMode === 'concat') this.concatScoreWeight = this.addWeight('concat_score_weight', [], { initializer: ones });
    super.build(inputShape);
  }

  /** Rank-3 inputs whose batch sizes agree, value and key of one length, and query/key features that can be scored together. */
  protected checkShapes(shapes: SymbolicShape[]): void {
    const op = `${this.className} '${this.name}'`;
    const names = ['query', 'value', 'key'];
    shapes.forEach((s, i) => {
      if (s.length !== 3) throw new Error(`${op}: ${names[i]} must have rank 3 ([batch, steps, features]), got shape ${formatSymbolic(s)}`);
    });
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    const k = shapes[2] ?? v;
    const clash = (a: number | null | undefined, b: number | null | undefined): boolean => a !== null && b !== null && a !== undefined && b !== undefined && a !== b;
    if (clash(k[1], v[1])) throw new Error(`${op}: key and value must have the same number of steps, got key ${formatSymbolic(k)} and value ${formatSymbolic(v)}`);
    if (clash(q[2], k[2])) throw new Error(`${op}: query and key must have the same number of features to be scored together, got query ${formatSymbolic(q)} and ${shapes[2] ? 'key' : 'value (the key)'} ${formatSymbolic(k)}`);
    for (const s of shapes.slice(1)) if (clash(q[0], s[0])) throw new Error(`${op}: the inputs' batch sizes differ: ${shapes.map((x) => formatSymbolic(x)).join(', ')}`);
  }

  /** Scores `[batch, Tq, Tv]` of `query` against `key`. */
  protected scores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const s = matMul(query, key, false, true);
      return this.scale ? mul(s, this.scale) : s;
    }
    // [b, Tq, 1, d] + [b, 1, Tv, d] → Σ over d.
    let pair = add(expandDims(query, 2), expandDims(key, 1));
    if (this.scale) pair = mul(pair, this.scale);
    return mul(sum(tanh(pair), -1), this.concatScoreWeight!);
  }

  protected attend(inputs: Tensor[], kwargs: AttentionCallKwargs): [Tensor, Tensor] {
    this.checkFlags(kwargs);
    const op = `${this.className} '${this.name}'`;
    this.checkShapes(inputs.map((t) => [...t.shape]));
    const [query, value] = inputs as [Tensor, Tensor];
    const key = inputs[2] ?? value;
    const [qMask, vMask] = inputMasks(op, kwargs.mask, inputs.length) as [Tensor | null, Tensor | null];
    checkStepMask(op, 'query', qMask, query);
    checkStepMask(op, 'value', vMask, value);
    let scores = this.scores(query, key);
    const tq = query.shape[1]!;
    const tv = key.shape[1]!;
    let keep = vMask === null ? null : expandDims(vMask, 1);
    if (kwargs.useCausalMask === true) keep = andMask(keep, causalMask(tq, tv));
    // Keras subtracts 1e9 where a position is masked, so its softmax weight underflows to 0.
    if (keep !== null) scores = add(scores, mul(sub(1, cast(keep, 'float32')), LARGE_NEGATIVE));
    const probs = softmax(scores, -1);
    const used = kwargs.training === true && this.dropout > 0 ? dropProbs(probs, this.dropout, this.seeds) : probs;
    let out = matMul(used, value);
    if (qMask !== null) out = mul(out, cast(expandDims(qMask, 2), 'float32'));
    return [out, probs];
  }

  protected scoresShape(shapes: SymbolicShape[]): SymbolicShape {
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    return [q[0] ?? null, q[1] ?? null, (shapes[2] ?? v)[1] ?? null];
  }

  override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    const shapes = this.checkShapeList(inputShape);
    const [q, v] = shapes as [SymbolicShape, SymbolicShape];
    return [...q.slice(0, -1), v[v.length - 1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), useScale: this.useScale, scoreMode: this.scoreMode, dropout: this.dropout, seed: this.seeds.seed };
  }
}

export interface AdditiveAttentionArgs extends LayerArgs {
  /** Scale `tanh(query + key)` by a learned vector `scale` `[dim]` (glorot-uniform initialized) before summing. Default true. */
  useScale?: boolean;
  /** Fraction of the attention probabilities dropped in training, in [0, 1). Default 0. */
  dropout?: number;
  /** Seed of the dropout masks. */
  seed?: number | null;
}

/**
 * Additive attention (Bahdanau style), Keras 3's `AdditiveAttention`: as `Attention`, with scores
 * `Σ_d scale_d · tanh(query_d + key_d)` (`scale` `[dim]` when `useScale`, else 1).
 */
export class AdditiveAttention extends Attention {
  static override className = 'AdditiveAttention';
  static override readonly optionKeys = layerOptions<AdditiveAttentionArgs>({ useScale: true, dropout: true, seed: true });

  constructor(args: AdditiveAttentionArgs = {}) {
    super(args);
  }

  protected override defaultUseScale(): boolean {
    return true;
  }

  override build(inputShape: LayerInputShapes): void {
    const shapes = this.checkShapeList(inputShape);
    this.checkShapes(shapes);
    const dim = knownDim(this.className, shapes[0]!, -1);
    if (this.useScale) this.scale = this.addWeight('scale', [dim], { initializer: getInitializer('glorotUniform') });
    Layer.prototype.build.call(this, inputShape);
  }

  protected override scores(query: Tensor, key: Tensor): Tensor {
    let t = tanh(add(expandDims(query, 2), expandDims(key, 1)));
    if (this.scale) t = mul(t, this.scale);
    return sum(t, -1);
  }

  override getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    delete config['scoreMode'];
    return config;
  }
}

/** Inverted dropout on attention probabilities (Keras's Dropout on the scores): keep with 1 − rate, scale by 1/(1 − rate). */
export function dropProbs(probs: Tensor, rate: number, seeds: SeedStream): Tensor {
  const keep = 1 - rate;
  return mul(probs, mul(bernoulli([...probs.shape], keep, seeds.next()), 1 / keep));
}
