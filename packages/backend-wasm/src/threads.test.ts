import type { Tensor } from '@descent/tensor';
import { add, cast, conv2d, greater, matMul, maxPool, mul, randomNormal, relu, runKernel, scalar } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { poolUnderTest } from './test-utils/pool.js';

describe('thread pool', () => {
  const backend = poolUnderTest();

  const products: [number[], number[], boolean, boolean][] = [
    [[64, 48], [48, 40], false, false],
    [[131, 67], [67, 45], false, false],
    [[300, 130], [17, 300], true, true],
    [[97, 260], [260, 33], false, false],
    [[2, 61, 20], [20, 30], false, false],
    [[11, 9], [9, 7], false, false],
    // n > 512 and k > 512: B is packed in several column and depth blocks, shared by the threads.
    [[40, 700], [530, 700], false, true],
    // The MLP's first layer (batch 64): fewer than 128 rows, so the threads split its columns.
    [[64, 784], [784, 128], false, false],
  ];

  async function untilWorkersReady(): Promise<void> {
    // Workers start asynchronously; until one is up the calling thread does all rows (also correct).
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  it('splits rows (or, under 128 rows, columns) across threads with results identical to one thread', async () => {
    backend.threadMinWork = 0;
    const jobs = backend.threadJobs;
    for (const [sa, sb, ta, tb] of products) {
      const a = randomNormal(sa, 0, 1, 'float32', 1);
      const b = randomNormal(sb, 0, 1, 'float32', 2);
      backend.setNumThreads(1);
      const single = matMul(a, b, ta, tb).dataSync();
      for (const n of [2, 3]) {
        backend.setNumThreads(n);
        expect(backend.numThreads).toBe(n);
        await untilWorkersReady();
        // Each thread runs the same kernel on whole tiles of rows: bit-identical output, every time.
        for (let rep = 0; rep < 5; rep++) expect(matMul(a, b, ta, tb).dataSync()).toEqual(single);
      }
    }
    // Chunks are claimed dynamically, so how many a worker gets varies; some must have run there.
    expect(backend.threadJobs).toBeGreaterThan(jobs);
  });

  it('runs convolutions (im2col + matmul) on threads', async () => {
    backend.threadMinWork = 0;
    const x = randomNormal([2, 12, 12, 3], 0, 1, 'float32', 3);
    const f = randomNormal([3, 3, 3, 16], 0, 1, 'float32', 4);
    backend.setNumThreads(1);
    const single = conv2d(x, f, 1, 'same').dataSync();
    backend.setNumThreads(2);
    await untilWorkersReady();
    const jobs = backend.threadJobs;
    for (let i = 0; i < 20; i++) expect(conv2d(x, f, 1, 'same').dataSync()).toEqual(single);
    expect(backend.threadJobs).toBeGreaterThan(jobs);
  });

  it("runs 'valid' stride-1 convolutions and their filter gradient (patches read while packing) on threads", async () => {
    backend.threadMinWork = 0;
    // Patch 3·3·8 = 72 floats: the implicit-patch matmul, not the direct kernels. The filter gradient's
    // depth (2·10·9 = 180 pixels) and the forward's rows are cut into chunks across the threads.
    const x = randomNormal([2, 12, 11, 8], 0, 1, 'float32', 5);
    const f = randomNormal([3, 3, 8, 16], 0, 1, 'float32', 6);
    const dy = randomNormal([2, 10, 9, 16], 0, 1, 'float32', 7);
    const attrs = { strides: [1, 1] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const, filterShape: [3, 3, 8, 16] };
    const filterGrad = (): Float32Array => runKernel('Conv2DBackpropFilter', [x, dy], attrs).dataSync() as Float32Array;
    backend.setNumThreads(1);
    const single = conv2d(x, f, 1, 'valid').dataSync();
    const singleGrad = filterGrad();
    backend.setNumThreads(2);
    await untilWorkersReady();
    const jobs = backend.threadJobs;
    for (let i = 0; i < 20; i++) {
      expect(conv2d(x, f, 1, 'valid').dataSync()).toEqual(single);
      expect(filterGrad()).toEqual(singleGrad);
    }
    expect(backend.threadJobs).toBeGreaterThan(jobs);
  });

  it('splits passes by images, rows, channel blocks and element blocks with results identical to one thread', async () => {
    backend.threadMinRangeWork = 0;
    const pool = { filterSize: [2, 2] as const, strides: [2, 2] as const, pad: [0, 0, 0, 0] as const };
    const same = { strides: [1, 1] as const, pad: [1, 1, 1, 1] as const, dilations: [1, 1] as const };
    const valid = { strides: [1, 1] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const };
    const x1 = randomNormal([5, 12, 11, 1], 0, 1, 'float32', 8);
    const f1 = randomNormal([3, 3, 1, 24], 0, 1, 'float32', 9);
    const dy1 = randomNormal([5, 10, 9, 24], 0, 1, 'float32', 10);
    const x2 = randomNormal([5, 9, 8, 12], 0, 1, 'float32', 11);
    const f2 = randomNormal([3, 3, 12, 16], 0, 1, 'float32', 12);
    const dy2 = randomNormal([5, 9, 8, 16], 0, 1, 'float32', 13);
    const dy2v = randomNormal([5, 7, 6, 16], 0, 1, 'float32', 14);
    const pooled = randomNormal([5, 4, 4, 12], 0, 1, 'float32', 15);
    const big = randomNormal([3, 7, 4099], 0, 1, 'float32', 16);
    const bias = randomNormal([4099], 0, 1, 'float32', 17);
    const passes: [string, () => Tensor][] = [
      ['direct conv', () => conv2d(x1, f1, 1, 'valid')],
      ['direct filter gradient', () => runKernel('Conv2DBackpropFilter', [x1, dy1], { ...valid, filterShape: [3, 3, 1, 24] })],
      ['input gradient (same)', () => runKernel('Conv2DBackpropInput', [dy2, f2], { ...same, inputShape: [5, 9, 8, 12] })],
      ['input gradient (valid)', () => runKernel('Conv2DBackpropInput', [dy2v, f2], { ...valid, inputShape: [5, 9, 8, 12] })],
      ['max pool', () => maxPool(x2, 2, 2, 'valid')],
      ['avg pool', () => runKernel('AvgPool', [x2], pool)],
      ['max pool gradient', () => runKernel('MaxPoolGrad', [pooled, x2], pool)],
      ['relu', () => relu(big)],
      ['mul', () => mul(big, big)],
      ['greater than a scalar, cast', () => cast(greater(big, scalar(0)), 'float32')],
      ['bias add', () => add(big, bias)],
    ];
    backend.setNumThreads(1);
    const single = passes.map(([, run]) => run().dataSync());
    for (const n of [2, 3]) {
      backend.setNumThreads(n);
      await untilWorkersReady();
      const jobs = backend.threadJobs;
      for (let rep = 0; rep < 3; rep++) {
        passes.forEach(([label, run], i) => expect(run().dataSync(), `${label}, ${n} threads`).toEqual(single[i]));
      }
      expect(backend.threadJobs).toBeGreaterThan(jobs);
    }
  });

  it('parks workers when the thread count goes down and uses them again, already started, when it goes up', async () => {
    backend.threadMinWork = 0;
    backend.setNumThreads(2);
    await untilWorkersReady();
    const a = randomNormal([64, 784], 0, 1, 'float32', 5);
    const b = randomNormal([784, 128], 0, 1, 'float32', 6);
    backend.setNumThreads(1);
    expect(backend.numThreads).toBe(1);
    const jobs = backend.threadJobs;
    const single = matMul(a, b).dataSync();
    expect(backend.threadJobs).toBe(jobs);
    backend.setNumThreads(2);
    expect(backend.numThreads).toBe(2);
    // No wait: the parked worker is up already, so it takes column chunks from the first product on.
    for (let rep = 0; rep < 50; rep++) expect(matMul(a, b).dataSync()).toEqual(single);
    expect(backend.threadJobs).toBeGreaterThan(jobs);
  });

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => backend.setNumThreads(0)).toThrow('setNumThreads: expected a positive integer, got 0');
    expect(() => backend.setNumThreads(1.5)).toThrow(/positive integer/);
  });
});
