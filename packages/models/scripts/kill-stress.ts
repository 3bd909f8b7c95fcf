/**
 * Stress test for atomic saves: SIGKILL a process that saves a model in a loop, N times at random
 * moments, checking after each kill that the folder loads as a complete version (the previous or
 * the new one), and that a final save leaves no leftovers.
 *
 *   cd packages/models && node --conditions=@descent/source --import tsx scripts/kill-stress.ts [kills=200] [maxDelayMs=150]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTest } from '../src/node/test-utils/kill-harness.js';

const kills = Number(process.argv[2] ?? 200);
const maxDelayMs = Number(process.argv[3] ?? 150);
const dir = mkdtempSync(join(tmpdir(), 'descent-kill-stress-'));
const t0 = Date.now();
try {
  const report = await killTest(dir, kills, maxDelayMs, (line) => {
    if (/^kill \d*0\//.test(line)) console.log(line);
  });
  console.log(JSON.stringify({ ...report, seconds: (Date.now() - t0) / 1000 }, null, 2));
  process.exitCode = report.failures.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
