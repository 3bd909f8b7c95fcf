import { describe, expect, it } from 'vitest';
import { ProgbarLogger } from './progbar-logger.js';
import type { ProgressLine } from './progbar.js';
import { abbreviateName, fitProgressLine, formatBar, formatEpochLine, formatEta, formatProgressLine, formatValue } from './progbar.js';

describe('progress bar text', () => {
  it('formats values with at least 4 significant digits', () => {
    expect(formatValue(0.43121)).toBe('0.4312');
    expect(formatValue(12.5)).toBe('12.5000');
    expect(formatValue(0.012345)).toBe('0.01235');
    expect(formatValue(0.000123456)).toBe('0.0001235');
    expect(formatValue(1.23456e-7)).toBe('1.2346e-7');
    expect(formatValue(0)).toBe('0.0000');
    expect(formatValue(NaN)).toBe('nan');
    expect(formatValue(-Infinity)).toBe('-inf');
  });

  it('draws the Keras bar: = for done steps, > at the head, . for the rest', () => {
    // floor(30 · 12/250) = 1 filled cell: just the head.
    expect(formatBar(12, 250)).toBe(`[>${'.'.repeat(29)}]`);
    expect(formatBar(30, 250)).toBe(`[==>${'.'.repeat(27)}]`);
    expect(formatBar(125, 250)).toBe('[==============>...............]');
    expect(formatBar(250, 250)).toBe(`[${'='.repeat(30)}]`);
    expect(formatBar(0, 250)).toBe(`[${'.'.repeat(30)}]`);
    expect(formatBar(1, 2, 10)).toBe('[====>.....]');
  });

  it('formats the ETA like Keras', () => {
    expect(formatEta(3.2)).toBe('3s');
    expect(formatEta(65)).toBe('1:05');
    expect(formatEta(3723)).toBe('1:02:03');
  });

  it('writes the in-progress and the final line', () => {
    // 12 of 250 steps in 0.144 s → 12 ms/step → ETA 238 · 0.012 = 2.856 s → "3s".
    expect(formatProgressLine({ current: 12, target: 250, elapsed: 0.144, values: [['loss', 0.43121], ['accuracy', 0.88111]] })).toBe(
      ` 12/250 [>${'.'.repeat(29)}] - ETA: 3s - loss: 0.4312 - accuracy: 0.8811`,
    );
    expect(formatProgressLine({ current: 250, target: 250, elapsed: 2, values: [['loss', 0.5]] })).toBe(
      `250/250 [${'='.repeat(30)}] - 2s 8ms/step - loss: 0.5000`,
    );
    expect(formatProgressLine({ current: 7, target: null, elapsed: 0.07, values: [] })).toBe('      7/Unknown - 0s 10ms/step');
    expect(formatEpochLine({ current: 250, target: 250, elapsed: 2, values: [['loss', 0.5], ['val_loss', 0.25]] })).toBe(
      '250/250 - 2s - 8ms/step - loss: 0.5000 - val_loss: 0.2500',
    );
  });
});

// The lines of the example app: 125 steps per epoch, loss and accuracy, validation at the end.
const midEpoch: ProgressLine = { current: 12, target: 125, elapsed: 0.144, values: [['loss', 0.43121], ['accuracy', 0.88111]] };
const endOfEpoch: ProgressLine = {
  current: 125,
  target: 125,
  elapsed: 0.8,
  values: [['loss', 0.2831], ['accuracy', 0.9162], ['val_loss', 0.1722], ['val_accuracy', 0.956]],
};
const unknownSteps: ProgressLine = { current: 1234, target: null, elapsed: 12, values: [['loss', 0.2831], ['accuracy', 0.9162]] };

describe('progress line fitted to a terminal width', () => {
  // 12 of 125 steps in 0.144 s: 12 ms/step, ETA 113 · 0.012 = 1.356 s → "1s". 125 steps in 0.8 s:
  // 6.4 ms/step → "6ms/step". Around the bar the mid-epoch line has 54 characters (7 count, 3 for
  // " []", 10 for " - ETA: 1s", 15 for the loss, 19 for the accuracy); the final line 96.
  const cases: [columns: number, line: ProgressLine, expected: string][] = [
    // 120 columns: at most 119 characters. The mid-epoch line is whole (84; floor(30 · 12/125) = 2
    // filled cells); the final one keeps everything with a bar of 119 − 100 = 19 cells.
    [120, midEpoch, ` 12/125 [=>${'.'.repeat(28)}] - ETA: 1s - loss: 0.4312 - accuracy: 0.8811`],
    [120, endOfEpoch, `125/125 [${'='.repeat(19)}] - 1s 6ms/step - loss: 0.2831 - accuracy: 0.9162 - val_loss: 0.1722 - val_accuracy: 0.9560`],
    // 80: the bar shrinks to 79 − 54 = 25 cells (floor(25 · 12/125) = 2 filled). The final line does
    // not fit even with a 10-cell bar, short timing and short names (89), so the bar goes (78).
    [80, midEpoch, ` 12/125 [=>${'.'.repeat(23)}] - ETA: 1s - loss: 0.4312 - accuracy: 0.8811`],
    [80, endOfEpoch, '125/125 - 1s - loss: 0.2831 - acc: 0.9162 - val_loss: 0.1722 - val_acc: 0.9560'],
    // 60: a 10-cell bar fits once `accuracy` is `acc` (59); the final line drops values from the end.
    [60, midEpoch, ` 12/125 [${'.'.repeat(10)}] - ETA: 1s - loss: 0.4312 - acc: 0.8811`],
    [60, endOfEpoch, '125/125 - 1s - loss: 0.2831 - acc: 0.9162'],
    // 40: count, timing and loss.
    [40, midEpoch, ' 12/125 - ETA: 1s - loss: 0.4312'],
    [40, endOfEpoch, '125/125 - 1s - loss: 0.2831'],
    [40, unknownSteps, '   1234/Unknown - 12s - loss: 0.2831'],
    // Narrower still: the count with the timing, then the count alone, then cut.
    [20, endOfEpoch, '125/125 - 1s'],
    [8, midEpoch, '12/125'],
    [4, midEpoch, '12/'],
  ];

  it.each(cases)('%i columns: %j', (columns, line, expected) => {
    const fitted = fitProgressLine(line, columns - 1);
    expect(fitted).toBe(expected);
    expect(fitted.length).toBeLessThan(columns);
  });

  it('keeps the full line when it fits, and never exceeds the width at any width', () => {
    expect(fitProgressLine(midEpoch, 84)).toBe(formatProgressLine(midEpoch));
    expect(fitProgressLine(unknownSteps, 80)).toBe('   1234/Unknown - 12s 10ms/step - loss: 0.2831 - accuracy: 0.9162');
    for (const line of [midEpoch, endOfEpoch, unknownSteps, { ...midEpoch, values: [] }, { ...endOfEpoch, width: 5 }]) {
      const full = formatProgressLine(line);
      for (let width = 1; width <= 140; width++) {
        const fitted = fitProgressLine(line, width);
        expect(fitted.length).toBeLessThanOrEqual(width);
        if (full.length <= width) expect(fitted).toBe(full);
        // Whatever is cut, the line starts with the step count (or as much of it as fits).
        const count = `${line.current}/${line.target ?? 'Unknown'}`;
        const shown = fitted.trimStart();
        expect(shown.startsWith(count.slice(0, Math.min(count.length, shown.length)))).toBe(true);
      }
    }
  });

  it('shortens metric names, keeping the val_ prefix', () => {
    expect(abbreviateName('accuracy')).toBe('acc');
    expect(abbreviateName('val_sparse_categorical_accuracy')).toBe('val_sp_cat_acc');
    expect(abbreviateName('mean_squared_error')).toBe('mse');
    expect(abbreviateName('val_categorical_crossentropy')).toBe('val_cat_xent');
    expect(abbreviateName('loss')).toBe('loss');
    expect(abbreviateName('myMetric')).toBe('myMetric');
  });

  it('rejects a width that is not a positive integer', () => {
    expect(() => fitProgressLine(midEpoch, 0)).toThrow('fitProgressLine: maxWidth must be a positive integer, got 0');
    expect(() => fitProgressLine(midEpoch, 12.5)).toThrow('got 12.5');
  });
});

describe('ProgbarLogger on terminals of any width', () => {
  /** One epoch of 125 steps, one step every 20 ms (so every other step is drawn), on a TTY writer. */
  function epoch(columns: () => number | undefined): string[] {
    const chunks: string[] = [];
    let now = 0;
    const writer = {
      write: (t: string) => void chunks.push(t),
      isTTY: true,
      get columns() {
        return columns();
      },
    };
    const bar = new ProgbarLogger({ writer, now: () => now, interval: 30 });
    bar.setParams({ epochs: 15, steps: 125, verbose: 1, metrics: ['loss', 'accuracy', 'val_loss', 'val_accuracy'] });
    bar.onTrainBegin();
    bar.onEpochBegin(0);
    for (let b = 0; b < 125; b++) {
      now += 20;
      bar.onBatchEnd(b, { loss: 1 / (b + 1), accuracy: 0.5 + b / 400 });
    }
    bar.onEpochEnd(0, { loss: 0.2831, accuracy: 0.9162, val_loss: 0.1722, val_accuracy: 0.956 });
    return chunks;
  }

  /** What a terminal shows: the text between carriage returns and newlines. */
  const segments = (chunks: string[]): string[] => chunks.join('').split(/[\r\n]/);

  it.each([40, 60, 80, 120])('never writes a line of %i characters or more, so nothing wraps', (columns) => {
    const chunks = epoch(() => columns);
    expect(chunks[0]).toBe('Epoch 1/15\n');
    expect(chunks.length).toBeGreaterThan(50);
    for (const segment of segments(chunks)) expect(segment.length).toBeLessThan(columns);
    // The epoch ends with its final line and a newline, which fitProgressLine wrote for this width.
    expect(chunks.at(-1)).toMatch(new RegExp(`^\\r${escape(fitProgressLine({ ...endOfEpoch, elapsed: 2.5 }, columns - 1))} *\\n$`));
  });

  it('assumes 80 columns when the writer does not say, and follows a resize', () => {
    for (const segment of segments(epoch(() => undefined))) expect(segment.length).toBeLessThan(80);
    // The terminal narrows from 120 to 40 columns half way: the padding that covers the previous,
    // longer line stops at the new edge too.
    let calls = 0;
    const chunks = epoch(() => (calls++ < 60 ? 120 : 40));
    const late = segments(chunks.slice(40));
    for (const segment of late) expect(segment.length).toBeLessThan(40);
    expect(segments(chunks.slice(0, 10)).some((s) => s.length > 80)).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
