import { numberOption, oneLineError as programError, positiveInt, verbosity } from '@descent/app-utils';
import { Command } from 'commander';
import type { TrainOptions } from './train.js';

/** The training options, plus where to save the trained model. */
export interface CliOptions extends TrainOptions {
  save?: string;
}

/** A parse error on one line: `addition: unknown option '--epoch' (Did you mean --epochs?); see --help`. */
export function oneLineError(message: string): string {
  return programError('addition', message);
}

/** The command line of the example (`--help` lists everything). */
export function buildCli(): Command {
  return new Command('addition')
    .description(
      'Teach a Transformer encoder-decoder to add two numbers written as padded character strings ("123+45" → "168"), ' +
        'then report the exact-match accuracy of greedy decoding on held-out sums.',
    )
    .configureOutput({ outputError: (message, write) => write(oneLineError(message)) })
    .option('--digits <n>', 'numbers have 1 to n digits (1-6)', numberOption('--digits', (v) => Number.isInteger(v) && v >= 1 && v <= 6, 'an integer from 1 to 6'), 3)
    .option('--train-size <n>', 'training problems', positiveInt('--train-size'), 30000)
    .option('--test-size <n>', 'held-out problems (disjoint from the training ones)', positiveInt('--test-size'), 1000)
    .option('-e, --epochs <n>', 'epochs', positiveInt('--epochs'), 12)
    .option('-b, --batch-size <n>', 'batch size', positiveInt('--batch-size'), 64)
    .option('--lr <rate>', 'peak learning rate of Adam (linear warmup, then cosine decay to 0)', numberOption('--lr', (v) => v > 0, 'a positive number'), 2e-3)
    .option('--d-model <n>', 'width of the token vectors', positiveInt('--d-model'), 64)
    .option('--heads <n>', 'attention heads (must divide --d-model)', positiveInt('--heads'), 4)
    .option('--layers <n>', 'encoder blocks and decoder blocks (each)', positiveInt('--layers'), 1)
    .option('-s, --seed <n>', 'seed of the data, the weights and the batch order', numberOption('--seed', Number.isInteger, 'an integer'), 42)
    .option('--save <dir>', 'save the trained model (TF.js layers-model format) to this directory')
    .option('-v, --verbose <level>', '0 silent, 1 progress bar, 2 one line per epoch (default: 1 on a terminal, else 2)', verbosity('--verbose'));
}

export function parseCli(argv: readonly string[]): CliOptions {
  const cmd = buildCli();
  // `pnpm start -- --help` forwards a literal `--` first: drop it so the options after it still count.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  cmd.parse(args, { from: 'user' });
  const opts = cmd.opts<CliOptions>();
  if (opts.dModel % opts.heads !== 0) cmd.error(`error: --heads (${opts.heads}) must divide --d-model (${opts.dModel})`);
  return opts;
}
