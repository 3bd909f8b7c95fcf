import type { TensorLike } from '@descent/tensor';
import { Tensor, toTensor } from '@descent/tensor';
import { noGrad, recordCustom } from './tape.js';

/** What the function given to `customGrad` returns: its value and how to differentiate it. */
export interface CustomGradResult {
  /** The forward result. */
  value: Tensor;
  /**
   * The gradient of each input given the output's gradient `dy` (one tensor for one input). `needs[i]`
   * says whether input i needs one: where it is false the entry may be null (skip the work).
   */
  gradFunc: (dy: Tensor, needs: readonly boolean[]) => Tensor | (Tensor | null)[];
}

/**
 * Wrap `f` so that autograd uses the gradient it supplies instead of differentiating its body.
 * The forward computation runs without recording; `gradFunc` runs during the backward pass, and its
 * ops are recorded by any outer gradient, so it can be differentiated again. Its gradients may be
 * shaped like a broadcast of an input: they are summed back to the input's shape.
 */
export function customGrad(f: (...inputs: Tensor[]) => CustomGradResult): (...inputs: TensorLike[]) => Tensor {
  if (typeof f !== 'function') throw new Error(`customGrad: expected a function, got ${typeof f}`);
  return (...raw) => {
    const inputs = raw.map((x, i) => toTensor(x, 'customGrad', `inputs[${i}]`));
    const result: unknown = noGrad(() => f(...inputs));
    if (typeof result !== 'object' || result === null || !((result as CustomGradResult).value instanceof Tensor)) {
      throw new Error('customGrad: f must return { value: Tensor, gradFunc: (dy) => Tensor | Tensor[] }');
    }
    const { value, gradFunc } = result as CustomGradResult;
    if (typeof gradFunc !== 'function') throw new Error(`customGrad: f must return a gradFunc function, got ${typeof gradFunc}`);
    // A fresh tensor (same storage) so the step has its own identity even if f returned an input.
    const out = new Tensor(value, value.backend);
    recordCustom(inputs, out, (dy, needs) => {
      const g = gradFunc(dy, needs);
      const list = Array.isArray(g) ? g : [g];
      if (list.length !== inputs.length) {
        throw new Error(`customGrad: gradFunc returned ${list.length} gradient(s) for ${inputs.length} input(s)`);
      }
      list.forEach((t: unknown, i) => {
        if (t === null && !needs[i]) return;
        if (!(t instanceof Tensor)) throw new Error(`customGrad: gradFunc's gradient ${i} must be a Tensor, got ${typeof t}`);
      });
      return list;
    });
    return out;
  };
}
