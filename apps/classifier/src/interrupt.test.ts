import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense } from '@descent/layers';
import { LambdaCallback, Sequential } from '@descent/models';
import { tensor } from '@descent/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressState } from './interrupt.js';
import { INTERRUPTED_EXIT_CODE, LineTracker, ProgressWatch, handleInterrupts, interruptSummary, removeIfEmpty } from './interrupt.js';

const tmp = mkdtempSync(join(tmpdir(), 'descent-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeStdout(columns?: number) {
  const chunks: string[] = [];
  return { chunks, out: { write: (t: string) => void chunks.push(t), isTTY: true, ...(columns !== undefined ? { columns } : {}) } };
}

describe('LineTracker', () => {
  it('knows whether the last line written is still open, and ends it once', () => {
    const { chunks, out } = fakeStdout(72);
    const w = new LineTracker(out);
    expect(w.isTTY).toBe(true);
    expect(w.columns).toBe(72);
    expect(w.lineOpen).toBe(false);
    w.write('Epoch 1/3\n');
    expect(w.lineOpen).toBe(false);
    w.write('\r 3/10 [===>......]');
    expect(w.lineOpen).toBe(true);
    w.write('');
    expect(w.lineOpen).toBe(true);
    w.endLine();
    w.endLine();
    expect(chunks).toEqual(['Epoch 1/3\n', '\r 3/10 [===>......]', '', '\n']);
    expect(w.lineOpen).toBe(false);
  });
});

describe('interruptSummary', () => {
  const state = (over: Partial<ProgressState>): ProgressState => ({
    optimizer: 'adam',
    run: 1,
    runs: 1,
    epochs: 15,
    steps: 125,
    epochsDone: 0,
    batchesDone: 0,
    last: {},
    ...over,
  });

  it('says where training stopped and the last loss and accuracy, on one line', () => {
    expect(interruptSummary(null)).toBe('Interrupted before training started.');
    expect(interruptSummary(state({}))).toBe('Interrupted: adam stopped after 0/15 epochs.');
    expect(interruptSummary(state({ epochs: 0 }))).toBe('Interrupted before training adam started.');
    expect(interruptSummary(state({ epochsDone: 2, batchesDone: 57, last: { loss: 0.12344, accuracy: 0.96125 } }))).toBe(
      'Interrupted: adam stopped in epoch 3/15 after 57/125 batches (2 epochs complete); last loss 0.1234, accuracy 96.13%.',
    );
    expect(interruptSummary(state({ epochsDone: 1, batchesDone: 1, steps: null, last: { loss: 2 } }))).toBe(
      'Interrupted: adam stopped in epoch 2/15 after 1 batches (1 epoch complete); last loss 2.0000.',
    );
    expect(
      interruptSummary(state({ optimizer: 'sgd', run: 2, runs: 5, epochsDone: 4, last: { loss: 0.5, accuracy: 0.75, val_loss: 0.625, val_accuracy: 0.5 } })),
    ).toBe('Interrupted: sgd (run 2 of 5) stopped after 4/15 epochs; last loss 0.5000, accuracy 75.00%, val_loss 0.6250, val_accuracy 50.00%.');
    expect(interruptSummary(state({ epochsDone: 2, batchesDone: 57 }))).not.toContain('\n');
  });
});

describe('removeIfEmpty', () => {
  it('removes the folders this run created while they are empty, and nothing above them', async () => {
    const existing = join(tmp, 'existing');
    mkdirSync(existing);
    const out = join(existing, 'a', 'b', 'c');
    const createdTop = await mkdir(out, { recursive: true });
    expect(createdTop).toBe(join(existing, 'a'));
    removeIfEmpty(out, createdTop);
    expect(existsSync(join(existing, 'a'))).toBe(false);
    expect(existsSync(existing)).toBe(true);
  });

  it('keeps a folder with files in it, a folder it did not create, and their parents', async () => {
    const out = join(tmp, 'kept', 'out');
    const createdTop = await mkdir(out, { recursive: true });
    writeFileSync(join(out, 'history.json'), '{}');
    removeIfEmpty(out, createdTop);
    expect(existsSync(join(out, 'history.json'))).toBe(true);

    const preexisting = join(tmp, 'preexisting');
    mkdirSync(preexisting);
    expect(await mkdir(preexisting, { recursive: true })).toBeUndefined();
    removeIfEmpty(preexisting, undefined);
    expect(existsSync(preexisting)).toBe(true);

    // A sibling full of files stops the walk up at the shared parent.
    const shared = join(tmp, 'shared');
    const top = await mkdir(join(shared, 'run'), { recursive: true });
    writeFileSync(join(tmp, 'shared', 'notes.txt'), 'x');
    removeIfEmpty(join(shared, 'run'), top);
    expect(existsSync(join(shared, 'run'))).toBe(false);
    expect(existsSync(join(shared, 'notes.txt'))).toBe(true);
  });
});

describe('ProgressWatch', () => {
  const model = (): Sequential => {
    const m = new Sequential({ layers: [new Dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    return m;
  };
  const x = tensor([[1], [2], [3], [4], [5]]);
  const y = tensor([[2], [4], [6], [8], [10]]);

  it('follows the epochs and batches of a real fit', async () => {
    const watch = new ProgressWatch();
    watch.begin('sgd', 2, 3);
    const states: string[] = [];
    const probe = new LambdaCallback({ onBatchEnd: () => void states.push(`${watch.state!.epochsDone}:${watch.state!.batchesDone}`) });
    await model().fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [watch, probe] });
    // 5 samples in batches of 2: 3 batches per epoch.
    expect(states).toEqual(['0:1', '0:2', '0:3', '1:1', '1:2', '1:3']);
    expect(watch.state).toMatchObject({ optimizer: 'sgd', run: 2, runs: 3, epochs: 2, steps: 3, epochsDone: 2, batchesDone: 0 });
    expect(Object.keys(watch.state!.last).sort()).toEqual(['loss', 'mae']);
  });

  it('lets the event loop run within an epoch, so a signal handler does not wait for the epoch to end', async () => {
    let batches = 0;
    const counter = new LambdaCallback({ onBatchEnd: () => void batches++ });
    const firedAfter: number[] = [];
    // Without the watch, fit lets timers run only between epochs: this one would fire after all 5
    // batches of the single epoch. With the watch yielding after every batch (0 ms apart), it fires
    // after the first or second.
    setTimeout(() => firedAfter.push(batches), 0);
    const watch = new ProgressWatch(0);
    watch.begin('sgd');
    await model().fit(x, y, { epochs: 1, batchSize: 1, verbose: 0, callbacks: [counter, watch] });
    expect(batches).toBe(5);
    expect(firedAfter).toHaveLength(1);
    expect(firedAfter[0]).toBeLessThanOrEqual(2);

    let plainBatches = 0;
    const plainFired: number[] = [];
    setTimeout(() => plainFired.push(plainBatches), 0);
    await model().fit(x, y, { epochs: 1, batchSize: 1, verbose: 0, callbacks: [new LambdaCallback({ onBatchEnd: () => void plainBatches++ })] });
    expect(plainFired).toEqual([5]);
  });

  it('asks for begin() before fit', async () => {
    await expect(model().fit(tensor([[1]]), tensor([[1]]), { verbose: 0, callbacks: [new ProgressWatch()] })).rejects.toThrow(
      'ProgressWatch: call begin(optimizer) before fit',
    );
  });
});

describe('handleInterrupts', () => {
  it('on SIGINT ends the open bar line, prints the summary, removes the empty output folder and exits with 130', async () => {
    const { chunks, out } = fakeStdout(80);
    const writer = new LineTracker(out);
    const watch = new ProgressWatch();
    watch.begin('adam');
    watch.state!.epochs = 15;
    watch.state!.batchesDone = 12;
    watch.state!.steps = 125;
    watch.state!.last = { loss: 0.5, accuracy: 0.25 };
    const dir = join(tmp, 'sigint', 'out');
    const createdTop = await mkdir(dir, { recursive: true });
    const codes: number[] = [];
    const uninstall = handleInterrupts({ writer, watch, out: { dir, createdTop } }, (code) => void codes.push(code));
    try {
      writer.write('\r 12/125 [==>......]');
      process.emit('SIGINT', 'SIGINT');
    } finally {
      uninstall();
    }
    expect(codes).toEqual([INTERRUPTED_EXIT_CODE]);
    expect(chunks).toEqual([
      '\r 12/125 [==>......]',
      '\n',
      'Interrupted: adam stopped in epoch 1/15 after 12/125 batches (0 epochs complete); last loss 0.5000, accuracy 25.00%.\n',
    ]);
    expect(existsSync(join(tmp, 'sigint'))).toBe(false);
  });

  it('starts the summary on a new line on a terminal (after the echoed ^C), and only after an open line elsewhere', () => {
    const watch = new ProgressWatch();
    const summaryAfter = (isTTY: boolean, before: string[]): string[] => {
      const chunks: string[] = [];
      const writer = new LineTracker({ write: (t: string) => void chunks.push(t), isTTY });
      for (const text of before) writer.write(text);
      const uninstall = handleInterrupts({ writer, watch }, () => undefined);
      try {
        process.emit('SIGINT', 'SIGINT');
      } finally {
        uninstall();
      }
      return chunks;
    };
    expect(summaryAfter(true, ['Epoch 2/30\n'])).toEqual(['Epoch 2/30\n', '\n', 'Interrupted before training started.\n']);
    expect(summaryAfter(false, ['Epoch 2/30\n'])).toEqual(['Epoch 2/30\n', 'Interrupted before training started.\n']);
    expect(summaryAfter(false, ['\r 3/32 [>...]'])).toEqual(['\r 3/32 [>...]', '\n', 'Interrupted before training started.\n']);
  });
});
