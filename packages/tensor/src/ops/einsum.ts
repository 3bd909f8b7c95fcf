import { checkAllocation, makeTensor, runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import type { Plan } from './einsum-plan.js';
import { OP, fail, planEinsum } from './einsum-plan.js';

/*
 * einsum as a composite of kernels: each operand first loses its repeated indices (a Gather on the
 * flattened diagonal) and the indices no one else uses (a Sum); then the operands are contracted
 * two at a time (the pair with the smallest result first), each pair as ONE batched MatMul (or a broadcasting Mul when no index
 * is summed) between reshapes and the fewest transposes. Autograd differentiates it through those
 * kernels' rules, so einsum carries no gradient code.
 *
 * Planning (parsing, checking, choosing layouts) depends only on the equation, the shapes and the
 * dtypes, so its result — a list of kernel steps — is cached: a layer calling einsum every step pays
 * for the kernels only.
 *
 * Indices are strings: a letter, or `.p` for the p-th dimension of the broadcast ellipsis. The
 * planning is in einsum-plan.ts.
 */

const plans = new Map<string, Plan>();
/** Distinct (equation, shapes, dtypes) kept; a program cycling through more simply replans. */
const MAX_PLANS = 512;

function runPlan(plan: Plan, tensors: readonly Tensor[]): Tensor {
  const values: Tensor[] = [...tensors];
  const at = (i: number): Tensor => values[i]!;
  for (const s of plan.steps) {
    let out: Tensor;
    switch (s.kernel) {
      case 'Reshape': out = runKernel('Reshape', [at(s.x)], { shape: s.shape }); break;
      case 'Transpose': out = runKernel('Transpose', [at(s.x)], { perm: s.perm }); break;
      case 'Gather': out = runKernel('Gather', [at(s.x), makeTensor(s.indices.slice(), [s.indices.length], 'int32')], { axis: s.axis }); break;
      case 'Sum': out = runKernel('Sum', [at(s.x)], { axes: s.axes }); break;
      case 'Cast': out = runKernel('Cast', [at(s.x)], { dtype: s.dtype }); break;
      case 'MatMul': out = runKernel('MatMul', [at(s.a), at(s.b)], { transposeA: s.transposeA, transposeB: s.transposeB }); break;
      case 'Mul': out = runKernel('Mul', [at(s.a), at(s.b)], {}); break;
    }
    values.push(out);
  }
  // Never hand back an operand itself (`einsum('ij', x)`): the result must be a new tensor.
  return plan.result < tensors.length ? runKernel('Reshape', [at(plan.result)], { shape: plan.outShape }) : at(plan.result);
}

/**
 * Einstein summation: `einsum('ij,jk->ik', a, b)` is `matMul(a, b)`. Each operand gets one term of
 * letters, one per axis; indices shared between operands are multiplied along, indices missing from
 * the output are summed, and the output lists its indices in the order wanted.
 *
 * - Explicit output (`'bij,bjk->bik'`) or implicit (`'ij,jk'`: the indices used once, in alphabetical
 *   order, as NumPy does).
 * - An index repeated within one operand takes its diagonal (`'ii->i'`; `'ii'` is the trace).
 * - `...` stands for the leading (or middle) axes an operand's letters do not name; they broadcast
 *   NumPy-style across operands and come first in an implicit output (`'...ij,...jk->...ik'`).
 *   Ellipsis axes missing from an explicit output are summed.
 * - Any number of operands, contracted two at a time, the pair with the smallest result first.
 *   Every pair is ONE batched `matMul` between reshapes and the fewest transposes (none for
 *   `'abc,cde->abde'` or `'abcd,cde->abe'`, as in Keras's EinsumDense), so einsum is as fast as the
 *   hand-written product and differentiable. The plan for an equation and shapes is made once and reused.
 *
 * int32 operands stay int32; int32 with float32 gives float32; bool is refused. Errors name the
 * equation term and the index at fault.
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  if (typeof equation !== 'string') fail(`equation must be a string such as 'ij,jk->ik', got ${formatArg(equation)}`);
  if (operands.length === 0) fail(`expected at least one operand after the equation '${equation}'`);
  const tensors = operands.map((x, i) => toTensor(x, OP, `operands[${i}]`));
  const key = `${equation}|${tensors.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';')}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planEinsum(equation, tensors.map((t) => t.shape), tensors.map((t) => t.dtype));
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
  }
  checkAllocation(OP, plan.outShape, plan.dtype);
  return runPlan(plan, tensors);
}
