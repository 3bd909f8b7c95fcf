import type { Tensor } from '@descent/tensor';
import { abs, add, div, elu, exp, gelu, leakyRelu, logSoftmax, mul, relu, relu6, selu, sigmoid, softmax, softplus, tanh } from '@descent/tensor';
import type { Activation } from './activation.js';
import { rememberLogits } from './logits.js';

function define<const N extends string>(name: N, apply: (x: Tensor) => Tensor): Activation & { readonly name: N } {
  return Object.freeze({ name, apply });
}

/**
 * Keras 3 definitions, built from tensor ops so autograd differentiates them. Where Keras 3 and
 * TF.js disagree we follow Keras 3: `hard_sigmoid` is relu6(x + 3) / 6 (TF.js uses
 * clip(0.2x + 0.5, 0, 1)), and `leaky_relu` has slope 0.2 (Keras 3's default negative_slope).
 * `softmax` (last axis) and `sigmoid` remember their logits, so the cross-entropy losses can
 * work from them as Keras 3 does (see `logitsOf`).
 */
export const BUILTIN_ACTIVATIONS = [
  define('linear', (x) => x),
  define('relu', (x) => relu(x)),
  define('relu6', (x) => relu6(x)),
  define('elu', (x) => elu(x, 1)),
  define('selu', (x) => selu(x)),
  define('sigmoid', (x) => rememberLogits(sigmoid(x), x, 'sigmoid')),
  define('hard_sigmoid', (x) => mul(relu6(add(x, 3)), 1 / 6)),
  define('tanh', (x) => tanh(x)),
  define('softmax', (x) => rememberLogits(softmax(x, -1), x, 'softmax')),
  define('log_softmax', (x) => logSoftmax(x, -1)),
  define('softplus', (x) => softplus(x)),
  define('softsign', (x) => div(x, add(abs(x), 1))),
  define('swish', (x) => mul(x, sigmoid(x))),
  define('gelu', (x) => gelu(x, false)),
  define('mish', (x) => mul(x, tanh(softplus(x)))),
  define('leaky_relu', (x) => leakyRelu(x, 0.2)),
  define('exponential', (x) => exp(x)),
] as const;

/** The Keras (snake_case) name of every built-in activation. */
export type BuiltinActivationName = (typeof BUILTIN_ACTIVATIONS)[number]['name'];
