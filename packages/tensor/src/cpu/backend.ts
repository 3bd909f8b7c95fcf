import type { Backend, KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { convKernels } from './conv.js';
import { binaryKernels } from './binary.js';
import { fusedKernels } from './fused.js';
import { matMulKernels } from './matmul.js';
import { movementKernels } from './movement.js';
import { poolKernels } from './pool.js';
import { recurrentKernels } from './recurrent.js';
import { reduceKernels } from './reduce.js';
import { scanKernels } from './scan.js';
import { softmaxKernels } from './softmax.js';
import { reluGradKernels } from './relu-grad.js';
import { sortKernels } from './sort.js';
import { unaryKernels } from './unary.js';
import { unaryExtraKernels } from './unary-extra.js';
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
    ...unaryKernels,
    ...binaryKernels,
    ...reduceKernels,
    ...softmaxKernels,
    ...movementKernels,
    ...matMulKernels,
    ...convKernels,
    ...poolKernels,
    ...unaryExtraKernels,
    ...scanKernels,
    ...recurrentKernels,
    ...sortKernels,
    ...reluGradKernels,
    ...fusedKernels,
  };

  write(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
    return output(values, shape, dtype);
  }

  read(info: TensorInfo): TypedArray {
    return valuesOf(info).slice();
  }

  /**
   * The values behind `info` without the copy `read` makes, for code outside this package that
   * computes on CPU tensors (an extension kernel's fallback). Read-only: tensors share storage.
   */
  readValues(info: TensorInfo): TypedArray {
    return valuesOf(info);
  }
}
