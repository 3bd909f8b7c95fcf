import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killTest } from './test-utils/kill-harness.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'descent-kill-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// A process killed at a random point of a save must leave the path loadable as a complete model:
// the previous one or the new one, never missing or mixed. (scripts/kill-stress.ts runs the same
// with hundreds of kills.)
describe('save survives being killed', () => {
  it('loads as a complete earlier or new version after each of 20 kills, and the next save cleans up', async ({ task, skip }) => {
    // Nothing here depends on the tensor backend, and each kill costs a child process start: run
    // it in one project of the backend matrix only.
    if (task.file.projectName === 'wasm') skip();
    const report = await killTest(dir, 20, 60);
    expect(report.failures).toEqual([]);
    expect(report.kills).toBe(20);
  }, 60_000);
});
