import { describe, expect, it } from 'vitest';
import { closestName, normalizeName, unknownNameError } from './names.js';

describe('names', () => {
  it('normalizes case, underscores and dashes', () => {
    expect(normalizeName('Categorical_Crossentropy')).toBe('categoricalcrossentropy');
    expect(normalizeName('glorot-uniform')).toBe('glorotuniform');
  });

  it('suggests the closest valid name', () => {
    expect(closestName('adma', ['sgd', 'adam', 'adamw'])).toBe('adam');
    expect(closestName('zzzzzzzz', ['sgd', 'adam'])).toBeUndefined();
  });

  it('builds an error listing every valid name', () => {
    const err = unknownNameError('optimizer', 'adma', ['sgd', 'adam']);
    expect(err.message).toBe("Unknown optimizer 'adma'. Did you mean 'adam'? Valid names: sgd, adam");
  });
});
