import type { CallKwargs, SymbolicShape } from '@descent/layers';
import { Layer } from '@descent/layers';
import type { Tensor } from '@descent/tensor';

/** Identity layer that records the first feature of every sample it sees in training mode. */
export class Recorder extends Layer {
  static override className = 'Recorder';
  readonly seen: number[][] = [];
  readonly modes: boolean[] = [];

  override call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    this.modes.push(kwargs.training === true);
    if (kwargs.training === true) {
      const v = inputs.dataSync();
      const width = inputs.size / inputs.shape[0]!;
      const firsts: number[] = [];
      for (let i = 0; i < inputs.shape[0]!; i++) firsts.push(v[i * width]!);
      this.seen.push(firsts);
    }
    return inputs;
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }
}
