/**
 * `npx tsx bench/gemm-js.ts`: single-core GFLOPS of the js backend's GEMM (f64 and f32 at
 * 512 and 1024), plus the latency of a tiny 8×256·256×20 product, the shape of a small MLP layer.
 */
import type { FloatArray, GemmArgs } from '../src/kernels/kernels.ts';
import { jsKernels } from '../src/kernels/js.ts';
import { medianMs } from './timing.ts';
import { lcg, randomArray } from '../test/support/test-data.ts';

type DType = 'float32' | 'float64';

/** Deterministic fill in [-1, 1) (the kernel tests' LCG). */
function filled(dtype: DType, size: number, seed: number): FloatArray {
  return randomArray(dtype, size, lcg(seed));
}

function product(dtype: DType, m: number, n: number, k: number): () => void {
  const a = filled(dtype, m * k, 1);
  const b = filled(dtype, k * n, 2);
  const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
  const args: GemmArgs = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  return () => jsKernels.gemm(a, b, c, args);
}

for (const dtype of ['float64', 'float32'] as const) {
  for (const size of [512, 1024]) {
    const ms = medianMs(product(dtype, size, size, size), size >= 1024 ? 5 : 11, 2);
    console.log(`${dtype} gemm ${size}: ${((2 * size ** 3) / (ms * 1e6)).toFixed(2)} GFLOPS (${ms.toFixed(1)} ms)`);
  }
}

for (const dtype of ['float64', 'float32'] as const) {
  const tiny = product(dtype, 8, 20, 256);
  // Time batches of calls: one call is near performance.now()'s resolution.
  const calls = 1000;
  const ms = medianMs(
    () => {
      for (let i = 0; i < calls; i++) tiny();
    },
    21,
    20,
  );
  console.log(`${dtype} gemm 8×256·256×20: ${((ms * 1000) / calls).toFixed(2)} µs`);
}
