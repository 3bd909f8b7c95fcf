/**
 * Child process for the kill tests: saves versions base, base+1, … of a model to the folder given
 * as the first argument, forever, reporting `start k` and `done k` on stdout (synchronously, so the
 * parent sees everything written before a SIGKILL). Run with
 * `node --conditions=@descent/source --import tsx save-loop.ts <folder> <base>`.
 */
import { writeSync } from 'node:fs';
import { fileSystem } from '../file-system.js';
import { artifactsFor } from './versions.js';

const [target, baseArg] = process.argv.slice(2);
if (target === undefined || baseArg === undefined) throw new Error('usage: save-loop.ts <folder> <base>');
const handler = fileSystem(target);
writeSync(1, 'ready\n');
const base = Number(baseArg);
for (let k = base; k < base + 10_000; k++) {
  writeSync(1, `start ${k}\n`);
  await handler.save!(artifactsFor(k));
  writeSync(1, `done ${k}\n`);
}
// Not reached in the kill tests: the parent kills us long before.
writeSync(1, 'finished\n');
