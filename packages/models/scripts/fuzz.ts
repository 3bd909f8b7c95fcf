/**
 * Long fuzz run (issue 13): runs the fuzz properties of @descent/tensor, @descent/layers and
 * @descent/models (their src/fuzz.test.ts files, same fixed seed) with numRuns in the thousands, and
 * prints each package's outcome counts (ok / clear error per call), the hits on known open defects,
 * and any new finding. FUZZ_SURVEY=1 makes a property record every violation instead of stopping at the
 * first, so one run lists them all; the exit status is non-zero when any new finding appears.
 *
 *   cd packages/models && node --import tsx scripts/fuzz.ts [numRuns=3000] [project=cpu]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 3000);
const project = process.argv[3] ?? 'cpu';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let newFindings = 0;
const t0 = Date.now();
for (const pkg of ['tensor', 'layers', 'models']) {
  const t = Date.now();
  const r = spawnSync('npx', ['vitest', 'run', 'src/fuzz.test.ts', '--project', project, '--reporter', 'dot'], {
    cwd: join(root, pkg),
    env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SURVEY: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const lines = out.split('\n');
  const summary = lines.filter((l) => l.includes('FUZZ '));
  const findings = lines.filter((l) => l.startsWith('FINDING') || l.startsWith('   e.g.'));
  newFindings += findings.filter((l) => l.startsWith('FINDING')).length;
  console.log(`== @descent/${pkg}: numRuns=${runs} per property, ${((Date.now() - t) / 1000).toFixed(1)} s, vitest exit ${r.status}`);
  for (const l of summary) console.log(l.replace(/^.*?FUZZ /, '   '));
  for (const l of findings) console.log(l);
  if (r.status !== 0) console.log(lines.filter((l) => /FAIL|Error/.test(l)).slice(0, 20).join('\n'));
}
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s; new findings: ${newFindings}`);
process.exit(newFindings > 0 ? 1 : 0);
