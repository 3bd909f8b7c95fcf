import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// The WebAssembly SIMD backend, the default wherever wasm SIMD runs (the umbrella package `descent` imports it too).
import '@descent/backend-wasm';
import { get as getOptimizer } from '@descent/optimizers';
import { curvesSpec, renderSvg, svgToPng } from './chart.js';
import type { CliOptions } from './cli.js';
import { parseCli } from './cli.js';
import { compareTable } from './compare.js';
import type { InterruptContext } from './interrupt.js';
import { LineTracker, ProgressWatch, handleInterrupts } from './interrupt.js';
import { ensureOut, loadData, runCurves, trainOne, writeJson } from './train.js';

async function writeChart(out: string, base: string, ...spec: Parameters<typeof curvesSpec>): Promise<string[]> {
  const svg = await renderSvg(curvesSpec(...spec));
  const svgFile = join(out, `${base}.svg`);
  const pngFile = join(out, `${base}.png`);
  await writeFile(svgFile, svg);
  await writeFile(pngFile, svgToPng(svg));
  return [svgFile, pngFile];
}

/**
 * Fail early, before loading data, on an optimizer name nobody registered: the registry's error
 * lists every valid name and the closest match.
 */
function checkOptimizerNames(names: readonly string[]): void {
  for (const name of names) getOptimizer(name);
}

async function single(opts: CliOptions, context: InterruptContext): Promise<void> {
  const data = await loadData(opts);
  context.out = await ensureOut(opts.out);
  const out = context.out.dir;
  console.log(`Training a ${opts.model.toUpperCase()} on ${data.train.size} MNIST digits (${opts.dataset}), testing on ${data.test.size}.`);
  const run = await trainOne(opts.optimizer, opts, data, { ...context, onStart: (description) => console.log(`Optimizer: ${description}`) });
  console.log(`Test accuracy: ${(run.testAccuracy * 100).toFixed(2)}%  (test loss ${run.testLoss.toFixed(4)}, ${run.secondsPerEpoch.toFixed(2)} s/epoch)`);
  const written: string[] = [];
  if (opts.save) {
    const dir = join(out, 'model');
    await run.model.save(`file://${dir}`);
    written.push(join(dir, 'model.json'));
  }
  written.push(
    await writeJson(out, 'history.json', {
      model: opts.model,
      optimizer: run.description,
      history: run.history,
      test: { loss: run.testLoss, accuracy: run.testAccuracy },
    }),
  );
  if (opts.chart) written.push(...(await writeChart(out, 'training', runCurves(run.history), `MNIST ${opts.model.toUpperCase()} — ${opts.optimizer}`)));
  console.log(`Wrote ${written.join(', ')}`);
}

async function compare(opts: CliOptions, names: string[], context: InterruptContext): Promise<void> {
  const data = await loadData(opts);
  context.out = await ensureOut(opts.out);
  const out = context.out.dir;
  console.log(`Comparing ${names.join(', ')} on a ${opts.model.toUpperCase()} (${data.train.size} training digits, seed ${opts.seed}).`);
  const runs = [];
  for (const [i, name] of names.entries()) {
    const hooks = { ...context, run: i + 1, runs: names.length, onStart: (description: string) => console.log(`\n== ${name}: ${description}`) };
    const { model: _model, ...run } = await trainOne(name, opts, data, hooks);
    console.log(`   test accuracy ${(run.testAccuracy * 100).toFixed(2)}%`);
    runs.push(run);
  }
  console.log(`\n${compareTable(runs)}`);
  // One line per optimizer: training loss on the left, validation accuracy on the right.
  const points = runs.flatMap((r) => [
    ...(r.history.loss ?? []).map((value, i) => ({ series: r.optimizer, epoch: i + 1, metric: 'loss' as const, value })),
    ...(r.history.val_accuracy ?? []).map((value, i) => ({ series: r.optimizer, epoch: i + 1, metric: 'accuracy' as const, value })),
  ]);
  const written = [await writeJson(out, 'compare.json', runs)];
  if (opts.chart) {
    const title = `MNIST ${opts.model.toUpperCase()}: optimizers compared`;
    written.push(...(await writeChart(out, 'compare', points, title, { loss: 'training loss', accuracy: 'validation accuracy' })));
  }
  const best = [...runs].sort((a, b) => b.testAccuracy - a.testAccuracy)[0]!;
  console.log(`\nBest on this task: ${best.optimizer} (${(best.testAccuracy * 100).toFixed(2)}% test accuracy).`);
  console.log(`Wrote ${written.join(', ')}`);
}

async function main(): Promise<void> {
  const opts = parseCli(process.argv.slice(2));
  const names = opts.compare ?? [opts.optimizer];
  checkOptimizerNames(names);
  // Ctrl-C ends the bar's line, says how far training got, removes an output folder this run made
  // and left empty, and exits with status 130.
  const context: InterruptContext = { writer: new LineTracker(), watch: new ProgressWatch() };
  handleInterrupts(context);
  if (opts.compare) await compare(opts, opts.compare, context);
  else await single(opts, context);
}

main().catch((err: unknown) => {
  console.error(`classifier: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
