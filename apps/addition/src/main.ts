import { resolve } from 'node:path';
// The WebAssembly SIMD backend, the default wherever wasm SIMD runs (the umbrella package `descent` imports it too).
import '@descent/backend-wasm';
import '@descent/models/node'; // file:// saving
import { parseCli } from './cli.js';
import { lengths } from './data.js';
import { train } from './train.js';

const opts = parseCli(process.argv.slice(2));
const { question, answer } = lengths(opts.digits);
console.log(
  `Addition of numbers with up to ${opts.digits} digit${opts.digits > 1 ? 's' : ''}: ${opts.trainSize} training problems, ${opts.testSize} held-out ones ` +
    `(questions padded to ${question} characters, answers to ${answer} tokens), seed ${opts.seed}.`,
);
let run: Awaited<ReturnType<typeof train>>;
try {
  run = await train(opts);
} catch (e) {
  // Bad combinations of options (too many problems for the digits, …) end with one line, not a stack.
  process.stderr.write(`addition: ${e instanceof Error ? e.message.replace(/^addition: /, '') : String(e)}\n`);
  process.exit(1);
}
console.log(`Trained ${opts.epochs} epochs in ${run.trainSeconds.toFixed(1)} s; greedy decoding of ${opts.testSize} answers took ${run.decodeSeconds.toFixed(1)} s.`);
const wrong = run.data.test.flatMap((p, i) => (run.predictions[i] === p.answer ? [] : [`${p.question}=${p.answer} (got ${run.predictions[i] || '""'})`]));
console.log(`Examples: ${run.data.test.slice(0, 5).map((p, i) => `${p.question}=${run.predictions[i]}`).join('  ')}`);
if (wrong.length > 0) console.log(`Wrong (${wrong.length}): ${wrong.slice(0, 8).join('  ')}${wrong.length > 8 ? '  …' : ''}`);
console.log(`Held-out exact match: ${(run.exactMatch * 100).toFixed(2)}% (${opts.testSize - wrong.length}/${opts.testSize})`);
if (opts.save !== undefined) {
  // Relative to where the command was typed (pnpm runs scripts in the package folder and sets INIT_CWD).
  const dir = resolve(process.env['INIT_CWD'] ?? process.cwd(), opts.save);
  await run.model.save(`file://${dir}`);
  console.log(`Saved the model to ${dir}/model.json`);
}
