import { describe, expect, it } from 'vitest';
import { formatBar, formatEpochLine, formatEta, formatProgressLine, formatValue } from './progbar.js';

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
