// The README's example, run as written (console output replaced by assertions).
import type { Variable } from '@descent/autograd';
import { variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { mean, mul, square, tensor } from '@descent/tensor';
import { expect, it } from 'vitest';
import type { CallKwargs, LayerArgs, SymbolicShape } from '../index.js';
import { Dense, deserializeLayer, Dropout, Layer, LSTM, registerLayer, resetLayerNames } from '../index.js';

it('README example', () => {
  resetLayerNames();
  const hidden = new Dense({ units: 8, activation: 'relu', inputShape: [2], kernelInitializer: { className: 'GlorotUniform', config: { seed: 1 } } });
  const drop = new Dropout({ rate: 0.1, seed: 2 });
  const out = new Dense({ units: 1, kernelRegularizer: 'l2' });
  const layers = [hidden, drop, out];
  const forward = (x: Tensor, training: boolean): Tensor => layers.reduce((h, l) => l.apply(h, { training }), x);

  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  forward(x, false);
  expect(hidden.getWeightNames()).toEqual(['dense/kernel', 'dense/bias']);
  expect(out.countParams()).toBe(9);

  const loss = () => out.regularizationLosses().reduce((l, p) => l.add(p), mean(square(forward(x, true).sub(y))));
  // Judged without dropout: two dropout-noisy samples of the loss can compare either way (about 1 in 30
  // random initialisations of \`out\` gave a higher second sample).
  const evalLoss = () => out.regularizationLosses().reduce((l, p) => l.add(p), mean(square(forward(x, false).sub(y)))).item();
  const before = evalLoss();
  for (let step = 0; step < 200; step++) {
    const { grads } = variableGrads(loss, layers.flatMap((l) => l.trainableWeights));
    for (const [v, g] of grads) if (g) v.assign(v.sub(mul(g, 0.1)));
  }
  expect(evalLoss()).toBeLessThan(before);

  const copy = deserializeLayer({ className: 'Dense', config: out.getConfig() });
  expect(copy.getConfig()['kernelRegularizer']).toEqual({ className: 'L2', config: { l2: 0.01 } });

  const lstm = new LSTM({ units: 4, returnSequences: true });
  const [seq, h, c] = lstm.applyWithState(tensor([[[1], [2], [3]]]));
  expect([seq!.shape, h!.shape, c!.shape]).toEqual([[1, 3, 4], [1, 4], [1, 4]]);

  class Scale extends Layer {
    static override className = 'Scale';
    scale: Variable | null = null;
    constructor(args: LayerArgs = {}) {
      super(args);
    }
    override build(inputShape: SymbolicShape): void {
      this.scale = this.addWeight('scale', [inputShape[inputShape.length - 1]!], { initializer: { apply: (s) => tensor(new Float32Array(s[0]!).fill(1), [...s]) } });
      super.build(inputShape);
    }
    call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
      return inputs.mul(this.scale!);
    }
  }
  registerLayer('Scale', Scale);
  expect(new Scale().apply(tensor([[1, 2]])).toArray()).toEqual([[1, 2]]);
  expect(deserializeLayer({ className: 'Scale', config: { name: 's' } }).name).toBe('s');
});
