import type { Tensor } from '@descent/tensor';
import { CpuBackend, add, conv2d, fused, matMul, randomNormal, relu, runKernel } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { float32Bits } from '@descent/test-utils';
import { poolUnderTest } from './test-utils/pool.js';

describe('fused bias + activation kernels on the thread pool', () => {
  const backend = poolUnderTest();

  /** Runs `f` at 1, 2 and 3 threads (every job split, however small) and checks the results agree bit for bit. */
  async function sameAtEveryThreadCount(f: () => Tensor): Promise<Uint32Array> {
    backend.threadMinWork = 0;
    backend.threadMinRangeWork = 0;
    backend.setNumThreads(1);
    const single = float32Bits(f());
    for (const n of [2, 3]) {
      backend.setNumThreads(n);
      // Workers start asynchronously; until one is up the calling thread does everything (also correct).
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let rep = 0; rep < 3; rep++) expect(float32Bits(f())).toEqual(single);
    }
    return single;
  }

  const products: [number[], number[], boolean, boolean][] = [
    // Under 128 rows: the threads split columns (matmulColsRange); 784 deep is two depth blocks.
    [[64, 784], [784, 128], false, false],
    // Rows split with B packed once; edge tiles in both directions.
    [[131, 67], [67, 45], false, false],
    [[300, 130], [17, 300], true, true],
    [[40, 700], [530, 700], false, true],
  ];
  for (const [sa, sb, ta, tb] of products) {
    it(`FusedMatMul [${sa.join(',')}]·[${sb.join(',')}] equals MatMul → Add → Relu at 1, 2 and 3 threads`, async () => {
      const a = randomNormal(sa, 0, 1, 'float32', 1);
      const b = randomNormal(sb, 0, 1, 'float32', 2);
      const bias = randomNormal([tb ? sb[0]! : sb[1]!], 0, 1, 'float32', 3);
      const got = await sameAtEveryThreadCount(() => fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' }));
      expect(got).toEqual(float32Bits(relu(add(matMul(a, b, ta, tb), bias))));
      const linear = await sameAtEveryThreadCount(() => fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias }));
      expect(linear).toEqual(float32Bits(add(matMul(a, b, ta, tb), bias)));
    });
  }

  const convs: { x: number[]; f: number[]; pad: 'same' | 'valid'; strides: number }[] = [
    // The bench CNN's first layer: the direct kernel with the epilogue per output row.
    { x: [8, 28, 28, 1], f: [3, 3, 1, 32], pad: 'valid', strides: 1 },
    // Its second layer: the product, then one threaded bias + relu pass.
    { x: [4, 13, 13, 32], f: [3, 3, 32, 64], pad: 'valid', strides: 1 },
    { x: [3, 9, 9, 3], f: [3, 3, 3, 12], pad: 'same', strides: 2 },
  ];
  for (const c of convs) {
    it(`FusedConv2D x [${c.x.join(',')}] filter [${c.f.join(',')}] equals Conv2D → Add → Relu at 1, 2 and 3 threads`, async () => {
      const x = randomNormal(c.x, 0, 1, 'float32', 4);
      const filter = randomNormal(c.f, 0, 1, 'float32', 5);
      const bias = randomNormal([c.f[3]!], 0, 1, 'float32', 6);
      const got = await sameAtEveryThreadCount(() => fused.conv2d({ x, filter, strides: c.strides, pad: c.pad, bias, activation: 'relu' }));
      expect(got).toEqual(float32Bits(relu(add(conv2d(x, filter, c.strides, c.pad), bias))));
    });
  }

  it('BiasAddGrad gives the CPU kernel’s numbers at 1, 2 and 3 threads', async () => {
    const dy = randomNormal([64, 26, 26, 32], 0, 1, 'float32', 7);
    const got = await sameAtEveryThreadCount(() => runKernel('BiasAddGrad', [dy], {}));
    const cpu = new CpuBackend();
    const want = cpu.read(cpu.kernels.BiasAddGrad([cpu.write(dy.dataSync(), dy.shape, 'float32')], {}));
    expect(got).toEqual(new Uint32Array(Float32Array.from(want).buffer));
  });
});
