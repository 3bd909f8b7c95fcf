import { describe, expect, it } from 'vitest';
import * as models from '../../index.js';

describe('browser IO registration', () => {
  it('importing the package in Node (no IndexedDB, localStorage or document) works and registers the browser schemes', () => {
    expect(models.listIOSchemes()).toEqual(expect.arrayContaining(['indexeddb://', 'localstorage://', 'downloads://', 'http://', 'https://']));
    const g = globalThis as Record<string, unknown>;
    expect(g.indexedDB).toBeUndefined();
    expect(g.localStorage).toBeUndefined();
    expect(g.document).toBeUndefined();
    expect(typeof models.browserFiles).toBe('function');
    expect(typeof models.listModels).toBe('function');
  });
});
