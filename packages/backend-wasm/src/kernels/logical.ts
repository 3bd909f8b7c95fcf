import type { KernelTable, TensorInfo } from '@descent/tensor';
import { broadcastWalk } from '@descent/tensor';
import type { Context } from '../context.js';
import { FLOAT_TEST, LOGICAL } from '../exports.js';
import type { Fallback } from '../fallback.js';

type LogicalName = keyof typeof LOGICAL;
type TestName = keyof typeof FLOAT_TEST;

// The ops layer only sends bool tensors here (logicalAnd/logicalOr/logicalNot check it); other dtypes
// can only come from a direct runKernel call, so they keep the counted CPU fallback.
function logicalBinary(ctx: Context, fb: Fallback, name: LogicalName) {
  const op = LOGICAL[name];
  const cpu = fb.kernel(name);
  return (inputs: readonly [TensorInfo, TensorInfo]): TensorInfo => {
    const [a, b] = inputs;
    if (a.dtype !== 'bool' || b.dtype !== 'bool') return cpu(inputs, {});
    const walk = broadcastWalk(name, [a.shape, b.shape]);
    const { info, ptr } = ctx.output(walk.outShape, 'bool');
    if (ctx.data(info).size === 0) return info;
    const meta = ctx.meta([walk.dims, walk.strides[0]!, walk.strides[1]!], walk.dims.length);
    ctx.k.logicalBool(op, ctx.ptr(a), ctx.ptr(b), ptr, walk.dims.length, meta);
    return info;
  };
}

function logicalNot(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('LogicalNot');
  return (inputs: readonly [TensorInfo]): TensorInfo => {
    const [x] = inputs;
    if (x.dtype !== 'bool') return cpu(inputs, {});
    const { info, ptr } = ctx.output(x.shape, 'bool');
    ctx.k.logicalNotBool(ctx.ptr(x), ptr, ctx.data(info).size);
    return info;
  };
}

function floatTest(ctx: Context, name: TestName) {
  const op = FLOAT_TEST[name];
  return (inputs: readonly [TensorInfo]): TensorInfo => {
    const [x] = inputs;
    const { info, ptr } = ctx.output(x.shape, 'bool');
    const size = ctx.data(info).size;
    if (x.dtype === 'float32') {
      ctx.k.unaryToBoolF32(op, ctx.ptr(x), ptr, size);
    } else {
      // int32 and bool values are never NaN and always finite.
      ctx.heap.u8.fill(name === 'IsNaN' ? 0 : 1, ptr, ptr + size);
    }
    return info;
  };
}

/** LogicalAnd/LogicalOr/LogicalNot over bool and IsNaN/IsFinite: the masks gradients and losses build. */
export function logicalKernels(ctx: Context, fb: Fallback): Pick<KernelTable, LogicalName | 'LogicalNot' | TestName> {
  return {
    LogicalAnd: logicalBinary(ctx, fb, 'LogicalAnd'),
    LogicalOr: logicalBinary(ctx, fb, 'LogicalOr'),
    LogicalNot: logicalNot(ctx, fb),
    IsNaN: floatTest(ctx, 'IsNaN'),
    IsFinite: floatTest(ctx, 'IsFinite'),
  };
}
