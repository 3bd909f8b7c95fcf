import { describe, expect, it } from 'vitest';
import { toCamelCase, toSnakeCase } from './case.js';

describe('toSnakeCase', () => {
  it("'keras' (default): capitals start words, digits do not split", () => {
    const cases: [string, string][] = [
      ['useBias', 'use_bias'], ['Conv2DTranspose', 'conv2d_transpose'], ['conv2DTranspose', 'conv2d_transpose'],
      ['ReLU', 're_lu'], ['LSTM', 'lstm'], ['SimpleRNN', 'simple_rnn'], ['HTTPServer', 'http_server'],
      ['MaxPooling2D', 'max_pooling2d'], ['beta1', 'beta1'], ['float32', 'float32'], ['relu', 'relu'],
    ];
    for (const [from, to] of cases) expect(toSnakeCase(from), from).toBe(to);
  });

  it("'keras-args': a digit after a letter is its own word, except in l1/l2", () => {
    const cases: [string, string][] = [
      ['learningRate', 'learning_rate'], ['beta1', 'beta_1'], ['epsilon1', 'epsilon_1'],
      ['l1RegularizationStrength', 'l1_regularization_strength'], ['l2ShrinkageRegularizationStrength', 'l2_shrinkage_regularization_strength'],
      ['HTTPServer', 'httpserver'],
    ];
    for (const [from, to] of cases) expect(toSnakeCase(from, { rule: 'keras-args' }), from).toBe(to);
  });

  it('names the function and the bad rule', () => {
    expect(() => toSnakeCase('a', { rule: 'pep8' as never })).toThrow(`toSnakeCase: rule must be 'keras' or 'keras-args', got "pep8"`);
    expect(() => toCamelCase('a', { rule: 1 as never })).toThrow(/^toCamelCase: rule must be/);
  });
});

describe('toCamelCase', () => {
  it("'keras' (default): underscore runs go, the next letter or digit is capitalized", () => {
    expect(toCamelCase('use_bias')).toBe('useBias');
    expect(toCamelCase('beta_1')).toBe('beta1');
    expect(toCamelCase('a__b')).toBe('aB');
    expect(toCamelCase('a_B')).toBe('aB');
    expect(toCamelCase('plain')).toBe('plain');
  });

  it("'keras-args': only a single underscore before a lower-case letter or digit goes", () => {
    expect(toCamelCase('learning_rate', { rule: 'keras-args' })).toBe('learningRate');
    expect(toCamelCase('beta_1', { rule: 'keras-args' })).toBe('beta1');
    expect(toCamelCase('a__b', { rule: 'keras-args' })).toBe('a_B');
    expect(toCamelCase('a_B', { rule: 'keras-args' })).toBe('a_B');
  });

  it('round-trips the names each rule is for', () => {
    for (const k of ['useBias', 'batchInputShape', 'kernelInitializer']) expect(toCamelCase(toSnakeCase(k))).toBe(k);
    for (const k of ['learningRate', 'beta1', 'epsilon1', 'l1RegularizationStrength']) {
      expect(toCamelCase(toSnakeCase(k, { rule: 'keras-args' }), { rule: 'keras-args' })).toBe(k);
    }
  });
});
