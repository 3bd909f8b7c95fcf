import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Clock } from './measure.js';
import type { SuiteResult } from './suite.js';
import { suites } from './suites/index.js';
import { soakSuite } from './suites/soak.js';
import { formatResult } from './table.js';

const USAGE = `usage: bench [--quick] [--cpu-time] [--json <file>] [--suite <name>]... [--python <path>] [--contender <id>]... [--rounds <n>] | bench --soak [--steps <n>]
  --quick         smoke run (fewer sizes and samples, ~20 s)
  --cpu-time      time by this process's CPU time instead of wall-clock (for a machine shared with other jobs)
  --json <file>   also write the results as JSON
  --suite <name>  run only the named suite(s); available: ${suites.map((s) => s.name).join(', ')}
  --python <path> python interpreter with PyTorch for the training and inference suites (default: the first of python3,
                  /usr/bin/python3 that can import torch; without one, PyTorch is skipped with a note)
  --contender <id> training and inference suites: run only these contenders (repeatable): descent-wasm, descent-wasm-1t, descent-cpu, tfjs-wasm,
                  tfjs-cpu, pytorch-1t, pytorch-<cores>t; ratios are against TF.js wasm (or TF.js cpu) when it runs
  --rounds <n>    training suites: timed rounds (one run per contender each; default 7): more rounds, steadier medians
  --soak          instead of the suites, run each hand-written training/inference loop of issue 12 (minimize, grad,
                  valueAndGrads, variableGrads + applyGradients / assign, a Sequential in a custom loop, predict,
                  trainOnBatch) and fit for 10,000 steps each, reporting whether wasm memory stays flat (--steps <n> for another count)`;

interface Args {
  quick: boolean;
  clock: Clock;
  json: string | null;
  python: string | undefined;
  contenders: string[];
  only: string[];
  soakSteps: number | null;
  rounds: number | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, clock: 'wall', json: null, python: undefined, contenders: [], only: [], soakSteps: null, rounds: null };
  let steps: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--cpu-time') args.clock = 'cpu';
    else if (a === '--soak') args.soakSteps ??= 10_000;
    else if (a === '--rounds') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`bench: --rounds needs a positive integer, got '${argv[i]}'\n${USAGE}`);
      args.rounds = value;
    } else if (a === '--steps') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`bench: --steps needs a positive integer, got '${argv[i]}'\n${USAGE}`);
      steps = value;
    }
    else if (a === '--json' || a === '--suite' || a === '--python' || a === '--contender') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`bench: ${a} needs a value\n${USAGE}`);
      if (a === '--json') args.json = value;
      else if (a === '--python') args.python = value;
      else if (a === '--contender') args.contenders.push(value);
      else args.only.push(value);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a !== '--') throw new Error(`bench: unknown argument '${a}'\n${USAGE}`);
  }
  if (steps !== null) {
    if (args.soakSteps === null) throw new Error(`bench: --steps only applies to --soak\n${USAGE}`);
    args.soakSteps = steps;
  }
  for (const name of args.only) {
    if (!suites.some((s) => s.name === name)) throw new Error(`bench: unknown suite '${name}'\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = args.soakSteps !== null ? [soakSuite(args.soakSteps)] : args.only.length === 0 ? suites : suites.filter((s) => args.only.includes(s.name));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`;
  const started = new Date();
  const mode = [args.quick ? 'quick' : '', args.clock === 'cpu' ? 'CPU-time clock' : ''].filter(Boolean).join(', ');
  console.log(`# Descent benchmarks${mode ? ` (${mode})` : ''}\n\n${started.toISOString()} — ${machine}\n`);
  const results: SuiteResult[] = [];
  for (const suite of selected) {
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    log(`running ${suite.name}: ${suite.description}`);
    const result = await suite.run({ quick: args.quick, clock: args.clock, ...(args.python !== undefined ? { python: args.python } : {}), ...(args.rounds !== null ? { rounds: args.rounds } : {}),
      ...(args.contenders.length > 0 ? { contenders: args.contenders } : {}),
      log,
    });
    results.push(result);
    console.log(formatResult(result));
  }
  if (args.json !== null) {
    const report = { date: started.toISOString(), machine, quick: args.quick, clock: args.clock, suites: results.map(({ suite, title, records }) => ({ suite, title, records })) };
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${args.json}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
