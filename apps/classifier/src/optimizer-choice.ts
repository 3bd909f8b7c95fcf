import type { Optimizer } from '@descent/optimizers';
import { get as getOptimizer } from '@descent/optimizers';
import { normalizeName } from '@descent/tensor';
import type { CliOptions } from './cli.js';

/**
 * Learning rates the app uses when `--lr` is not given, where the Keras default is too slow for
 * a few epochs of MNIST (plain SGD and Adagrad). Every other optimizer keeps its Keras default.
 */
export const APP_LEARNING_RATES: Readonly<Record<string, number>> = {
  sgd: 0.1,
  momentum: 0.01,
  adagrad: 0.05,
};

export interface OptimizerChoice {
  optimizer: Optimizer;
  /** What the user sees: the name, the learning rate and where it came from. */
  description: string;
}

type Hyper = 'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'epsilon' | 'rho' | 'weightDecay' | 'clipnorm';
const HYPERPARAMETERS: readonly Hyper[] = ['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay', 'clipnorm'];

/**
 * Build the optimizer `name` with the command line's hyperparameters. Unknown names throw the
 * optimizers registry's error (which lists every valid name and the closest match).
 */
export function chooseOptimizer(name: string, opts: Partial<CliOptions>): OptimizerChoice {
  const defaults = getOptimizer(name);
  const config: Record<string, unknown> = { ...defaults.getConfig() };
  const key = normalizeName(name);
  let lrSource = 'Keras default';
  if (opts.lr !== undefined) {
    config.learningRate = opts.lr;
    lrSource = '--lr';
  } else if (APP_LEARNING_RATES[key] !== undefined) {
    config.learningRate = APP_LEARNING_RATES[key];
    lrSource = `app default for ${key}; Keras default ${String(defaults.getConfig().learningRate)}`;
  }
  const given: string[] = [];
  for (const h of HYPERPARAMETERS) {
    const v = opts[h];
    if (v === undefined) continue;
    if (!(h in config) && h !== 'weightDecay' && h !== 'clipnorm') {
      throw new Error(`--${h.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not apply to ${name} (its options: ${Object.keys(config).join(', ')})`);
    }
    config[h] = v;
    given.push(`${h} ${String(v)}`);
  }
  const ctor = defaults.constructor as unknown as { fromConfig(c: Record<string, unknown>): Optimizer };
  const optimizer = ctor.fromConfig(config);
  const extras = given.length > 0 ? `, ${given.join(', ')}` : '';
  return { optimizer, description: `${key} (learning rate ${String(config.learningRate)} — ${lrSource}${extras})` };
}
