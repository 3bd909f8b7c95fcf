import type { Tensor } from '@descent/tensor';
import { mul } from '@descent/tensor';
import type { NamedTensor } from './optimizer.js';
import { InverseTimeDecay, serializeSchedule } from './schedules.js';

/**
 * Reading the optimizer of a model that TensorFlow.js (4.22) saved with `includeOptimizer: true`.
 *
 * TF.js writes `optimizer_config` with its own class names and camelCase options
 * (`{ class_name: 'RMSProp', config: { learningRate, decay, momentum, epsilon, centered } }`,
 * `{ class_name: 'Momentum', config: { learningRate, momentum, useNesterov } }`) and its state as
 * `iter` followed by `<variable>/<slot>` entries whose slot names and meaning are its own. These
 * helpers map both onto Descent's optimizers, and say when TF.js's state cannot be continued
 * exactly because TF.js's update rule differs from Keras 3's (see 'Differences from TF.js and PyTorch' in the package README).
 */

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * A Descent `{ className, config }` for an optimizer config as TF.js writes it (camelCase keys).
 * Configs that are not TF.js-specific are returned unchanged:
 * - `Momentum { learningRate, momentum, useNesterov }` → `SGD { learningRate, momentum, nesterov }`;
 * - `RMSProp { decay }` (TF.js's name for ρ) → `RMSprop { rho }` (only when there is no `rho`:
 *   Keras 2's `decay` is a learning-rate decay);
 * - `Adamax { decay }` (`lr / (1 + decay·iterations)` in TF.js and Keras 2) → dropped when 0,
 *   otherwise the learning rate becomes `InverseTimeDecay(lr, 1, decay)`, the same schedule.
 */
export function fromTfjsOptimizerConfig(className: string, config: Record<string, unknown>): { className: string; config: Record<string, unknown> } {
  if (!isPlainObject(config)) return { className, config };
  const out: Record<string, unknown> = { ...config };
  if (className === 'Momentum') {
    if (Object.hasOwn(out, 'useNesterov')) {
      out.nesterov = out.useNesterov;
      delete out.useNesterov;
    }
    return { className: 'SGD', config: out };
  }
  if (className.toLowerCase() === 'rmsprop' && Object.hasOwn(out, 'decay') && !Object.hasOwn(out, 'rho')) {
    out.rho = out.decay;
    delete out.decay;
    return { className: 'RMSprop', config: out };
  }
  if (className === 'Adamax' && Object.hasOwn(out, 'decay')) {
    const decay = out.decay;
    delete out.decay;
    if (decay === 0 || decay === null) return { className, config: out };
    const lr = out.learningRate ?? 0.002;
    if (typeof decay !== 'number' || typeof lr !== 'number') {
      throw new Error(`Adamax: option 'decay' ${JSON.stringify(decay)} needs a numeric decay and learningRate (TF.js computes lr / (1 + decay·iterations))`);
    }
    out.learningRate = serializeSchedule(new InverseTimeDecay(lr, 1, decay));
    return { className, config: out };
  }
  return { className, config };
}

/** Whether optimizer state was written by TF.js: it names the step counter `iter`, Descent and Keras `iterations`. */
export function isTfjsOptimizerState(weights: readonly NamedTensor[]): boolean {
  return weights.some((w) => w.name === 'iter') && !weights.some((w) => w.name === 'iterations');
}

/** The result of reading TF.js state: Descent state to restore, or why it is skipped. */
export type TfjsStateImport = { weights: NamedTensor[]; skipped?: undefined } | { weights?: undefined; skipped: string };

function renameSlots(weights: readonly NamedTensor[], map: (variable: string, slot: string, tensor: Tensor) => NamedTensor | null | 'unknown'): NamedTensor[] | string {
  const out: NamedTensor[] = [];
  for (const { name, tensor } of weights) {
    if (name === 'iter') {
      out.push({ name: 'iterations', tensor });
      continue;
    }
    const cut = name.lastIndexOf('/');
    const mapped = cut > 0 ? map(name.slice(0, cut), name.slice(cut + 1), tensor) : 'unknown';
    if (mapped === 'unknown') return name;
    if (mapped) out.push(mapped);
  }
  return out;
}

/**
 * Descent state for the state TF.js saved, given TF.js's `class_name` and camelCase `config` as
 * written (before `fromTfjsOptimizerConfig`). TF.js state is restored only where Descent's update
 * continues it exactly (same quantities, same formula):
 * - `SGD`: only `iter`;
 * - `Momentum`: TF.js keeps `a = μ·a + g` and steps `w -= η·a`; Keras keeps `v = μ·v − η·g`, so
 *   `v = −η·a` (the same for Nesterov);
 * - `Adagrad`: `accumulator` is the same (`acc += g²; w -= η·g/sqrt(acc + ε)`; TF.js's ε is the
 *   backend's epsilon, 1e-7 on float32 backends, Descent's default);
 * - `RMSProp`, not centered: `rms` is `velocity`; `momentum` is the same, and unused (dropped)
 *   when the momentum is 0.
 * Otherwise `skipped` says why: TF.js's Adam adds ε after the bias correction, its Adadelta
 * divides by the previous `Eg`, and its centered RMSprop subtracts ε, so continuing their state
 * with Keras's formulas would silently change the math.
 */
export function fromTfjsOptimizerState(className: string, config: Record<string, unknown>, weights: readonly NamedTensor[]): TfjsStateImport {
  const cfg = isPlainObject(config) ? config : {};
  const unknown = (name: string): TfjsStateImport => ({ skipped: `TF.js ${className} state '${name}' has no Descent equivalent` });
  let result: NamedTensor[] | string;
  switch (className) {
    case 'SGD':
      result = renameSlots(weights, () => 'unknown');
      break;
    case 'Momentum': {
      const lr = cfg.learningRate;
      if (typeof lr !== 'number') return { skipped: `TF.js Momentum state needs a numeric learningRate to convert, got ${String(lr)}` };
      const momentum = cfg.momentum;
      result = renameSlots(weights, (v, slot, t) => (slot !== 'momentum' ? 'unknown' : momentum === 0 ? null : { name: `${v}/momentum`, tensor: mul(t, -lr) }));
      break;
    }
    case 'Adagrad':
      result = renameSlots(weights, (v, slot, t) => (slot === 'accumulator' ? { name: `${v}/accumulator`, tensor: t } : 'unknown'));
      break;
    case 'RMSProp': {
      if (cfg.centered === true) {
        return {
          skipped:
            "TF.js's centered RMSprop divides by sqrt(v − ḡ² − ε) where Descent (Keras 3) uses sqrt(v − ḡ² + ε), so its state cannot be continued exactly",
        };
      }
      const momentum = cfg.momentum ?? 0;
      result = renameSlots(weights, (v, slot, t) => {
        if (slot === 'rms') return { name: `${v}/velocity`, tensor: t };
        if (slot === 'momentum') return momentum === 0 ? null : { name: `${v}/momentum`, tensor: t };
        return 'unknown';
      });
      break;
    }
    case 'Adam':
      return {
        skipped:
          "TF.js's Adam adds epsilon after the bias correction (η·m̂/(sqrt(v̂) + ε)) where Descent (Keras 3) adds it before (η·sqrt(1−β2^t)/(1−β1^t)·m/(sqrt(v) + ε)), so its state cannot be continued exactly",
      };
    case 'Adadelta':
      return {
        skipped:
          "TF.js's Adadelta divides by the previous accumulated squared gradient where Descent (Keras 3) uses the updated one, so its state cannot be continued exactly",
      };
    default: {
      const first = weights.find((w) => w.name !== 'iter');
      return first ? unknown(first.name) : { skipped: `TF.js optimizer '${className}' is not one Descent reads state for` };
    }
  }
  return typeof result === 'string' ? unknown(result) : { weights: result };
}
