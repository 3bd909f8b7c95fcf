import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from './idx.js';

describe('parseIdx', () => {
  it('reads the header and values of a hand-written file', () => {
    // magic 0x00000803 (ubyte, rank 3), dims 2×1×2, then 4 bytes
    const bytes = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 40]);
    const parsed = parseIdx(bytes);
    expect(parsed.shape).toEqual([2, 1, 2]);
    expect([...parsed.data]).toEqual([10, 20, 30, 40]);
  });

  it('round-trips through encodeIdx', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect(parseIdx(encodeIdx([3, 2], data))).toEqual({ shape: [3, 2], data });
  });

  it('rejects truncated, oversized and foreign data with the file name', () => {
    const good = encodeIdx([4], Uint8Array.from([1, 2, 3, 4]));
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'labels.idx')).toThrow(/labels\.idx is truncated: shape \[4\] needs 12 bytes, got 11/);
    expect(() => parseIdx(Uint8Array.from([...good, 9]), 'x')).toThrow(/longer than its header says/);
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0]), 'img.gz')).toThrow(/img\.gz does not start with an IDX magic number \(first bytes 1f 8b 08 00\)/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f')).toThrow(/element type 0xd/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 2, 0, 0]), 'h')).toThrow(/truncated inside its header/);
  });
});
