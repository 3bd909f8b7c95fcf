import type { Backend, KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { mathExtraKernels } from './math-extra.js';
import { matMulKernels } from './matmul.js';
import { cpuOptimizerStep } from './optimizer.js';
import { movementKernels } from './movement.js';
import { poolKernels } from './pool.js';
import { recurrentKernels } from './recurrent.js';
import { reduceKernels } from './reduce.js';
import { reluGradKernels } from './relu-grad.js';
import { sortKernels } from './sort.js';
import { CPU_MAX_BYTES, output, valuesOf } from './storage.js';

/**
 * The reference backend, in plain TypeScript over typed arrays. Memory is garbage collected:
 * nothing needs disposing.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  /** One typed array per tensor, at most CPU_MAX_BYTES (2 GiB; see there why). */
  readonly maxBytes = CPU_MAX_BYTES;
  readonly kernels: KernelTable = {
    ...elementwiseKernels,
    ...reduceKernels,
    ...movementKernels,
    ...matMulKernels,
    ...convKernels,
    ...poolKernels,
    ...mathExtraKernels,
    ...recurrentKernels,
    ...sortKernels,
    ...reluGradKernels,
  };
  readonly optimizerStep = cpuOptimizerStep;

  write(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
    return output(values, shape, dtype);
  }

  read(info: TensorInfo): TypedArray {
    return valuesOf(info).slice();
  }
}
