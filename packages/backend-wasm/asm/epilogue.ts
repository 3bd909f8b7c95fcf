// The bias + activation epilogue of FusedMatMul and FusedConv2D (not exported from the module: matmul.ts
// and fused.ts call it).
//
// An epilogue descriptor is two int32 words: the bias address (one float per output column) and the
// activation (EPI_LINEAR or EPI_RELU). matmul's `accumulate` word carries its address (any value > 1;
// 0 and 1 keep their old meaning), so the epilogue runs on each output tile right after the product
// stored it (still in L1), on whichever thread computed the tile.

const EPI_LINEAR: i32 = 0;
const EPI_RELU: i32 = 1;

/**
 * `c[r, j] = act(c[r, j] + bias[j])` over a rows × cols block (row stride `ldc` floats). Relu is
 * `v < 0 ? 0 : v`, Relu's own rule (NaN and −0 pass through), and the sum is the Add kernel's, so the
 * result is bit-identical to MatMul/Conv2D, then Add, then Relu.
 */
function biasActBlock(c: usize, ldc: i32, rows: i32, cols: i32, bias: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  const ld = <usize>ldc << 2;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.add(v128.load(c + o), v128.load(bias + o));
      if (relu) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
      v128.store(c + o, v);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(c + o) + load<f32>(bias + o);
      if (relu && v < 0) v = 0;
      store<f32>(c + o, v);
    }
    c += ld;
  }
}

/** The epilogue of descriptor `epi` on a block of C whose first column is output column `col0`. */
export function epilogueBlock(epi: usize, c: usize, ldc: i32, rows: i32, cols: i32, col0: i32): void {
  const bias = <usize>load<i32>(epi) + (<usize>col0 << 2);
  biasActBlock(c, ldc, rows, cols, bias, load<i32>(epi, 4) == EPI_RELU);
}

