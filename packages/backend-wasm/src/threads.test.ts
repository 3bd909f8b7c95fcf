import { conv2d, matMul, randomNormal, runKernel } from '@descent/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { getWasmBackend } from './index.js';

describe('thread pool', () => {
  const backend = getWasmBackend();
  const saved = { threads: backend.numThreads, minWork: backend.threadMinWork };
  afterAll(() => {
    backend.setNumThreads(saved.threads);
    backend.threadMinWork = saved.minWork;
  });

  const products: [number[], number[], boolean, boolean][] = [
    [[64, 48], [48, 40], false, false],
    [[131, 67], [67, 45], false, false],
    [[300, 130], [17, 300], true, true],
    [[97, 260], [260, 33], false, false],
    [[2, 61, 20], [20, 30], false, false],
    [[11, 9], [9, 7], false, false],
    // n > 512 and k > 512: B is packed in several column and depth blocks, shared by the threads.
    [[40, 700], [530, 700], false, true],
  ];

  async function untilWorkersReady(): Promise<void> {
    // Workers start asynchronously; until one is up the calling thread does all rows (also correct).
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  it('splits rows across threads with results identical to one thread', async () => {
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

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => backend.setNumThreads(0)).toThrow('setNumThreads: expected a positive integer, got 0');
    expect(() => backend.setNumThreads(1.5)).toThrow(/positive integer/);
  });
});
