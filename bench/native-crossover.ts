/**
 * `npx tsx bench/native-crossover.ts [--throughput] [--threads]`: where the native (OpenBLAS) GEMM starts to
 * beat the js kernel on tiny products, which sets SMALL_MACS in src/kernels/native.ts, and the
 * per-call overhead of a 1×1×1 product through the addon. With --throughput it also prints
 * single-threaded sgemm/dgemm GFLOPS at 512 and 1024, eigh 256 and QR 1024×64 (ms) through the
 * addon, the numbers bench/torch.py reports for PyTorch. With --threads it prints square sgemm/dgemm
 * GFLOPS on one thread and on every core from 64 to 1024, the crossover behind THREAD_MIN_MACS.
 */
import type { FloatArray, GemmArgs } from '../src/kernels/kernels.ts';
import { jsKernels } from '../src/kernels/js.ts';
import { availableParallelism } from 'node:os';
import { loadNativeAddon, loadNativeKernels, setNativeThreads } from '../src/kernels/native.ts';
import { bestMs, medianMs } from './timing.ts';
import { lcg, randomArray } from '../test/support/test-data.ts';

type DType = 'float32' | 'float64';

/** Deterministic fill in [-1, 1) (the kernel tests' LCG). */
function filled(dtype: DType, size: number, seed: number): FloatArray {
  return randomArray(dtype, size, lcg(seed));
}

setNativeThreads(1);
const native = loadNativeKernels({ raw: true });

/** Median µs per call, timing batches of calls (one tiny call is below performance.now()'s resolution). */
function usPerCall(fn: () => void, calls: number): number {
  return (
    (medianMs(
      () => {
        for (let i = 0; i < calls; i++) fn();
      },
      15,
      5,
    ) *
      1000) /
    calls
  );
}

const SHAPES: Array<[number, number, number, number]> = [
  // [batch, m, n, k]
  [1, 1, 1, 1],
  [1, 2, 2, 2],
  [1, 4, 4, 4],
  [1, 6, 6, 6],
  [1, 8, 8, 8],
  [1, 10, 10, 10],
  [1, 12, 12, 12],
  [1, 16, 16, 16],
  [1, 24, 24, 24],
  [1, 32, 32, 32],
  [1, 64, 64, 64],
  [1, 1, 64, 64],
  [1, 64, 1, 64],
  [1, 64, 64, 1],
  [1, 8, 10, 20],
  [1, 8, 20, 256],
  [16, 4, 4, 4],
  [8, 8, 8, 8],
];

console.log('µs per call, js vs native (1 thread); ratio > 1: native faster');
for (const dtype of ['float64', 'float32'] as const) {
  for (const [batch, m, n, k] of SHAPES) {
    const a = filled(dtype, batch * m * k, 1);
    const b = filled(dtype, batch * k * n, 2);
    const c = dtype === 'float32' ? new Float32Array(batch * m * n) : new Float64Array(batch * m * n);
    const args: GemmArgs = { batch, m, n, k, transA: false, transB: false, aBatchStride: m * k, bBatchStride: k * n };
    const macs = batch * m * n * k;
    const calls = Math.max(20, Math.min(100_000, Math.floor(2e7 / (macs + 200))));
    const js = usPerCall(() => jsKernels.gemm(a, b, c, args), calls);
    const nat = usPerCall(() => native.gemm(a, b, c, args), calls);
    const label = `${batch > 1 ? `${batch}×` : ''}${m}×${n}×${k}`.padEnd(14);
    console.log(
      `${dtype} ${label} ${String(macs).padStart(7)} MACs  js ${js.toFixed(3).padStart(8)}  native ${nat.toFixed(3).padStart(8)}  ×${(js / nat).toFixed(2)}`,
    );
  }
}

// Per-call overhead: the raw addon entry point on a 1×1×1 product (argument checks + one cblas call).
{
  const addon = loadNativeAddon();
  const a = new Float64Array(1),
    b = new Float64Array(1),
    c = new Float64Array(1);
  const us = usPerCall(() => addon.gemm_f64(a, b, c, 1, 1, 1, 1, false, false, 0, 0), 200_000);
  const usBatch0 = usPerCall(() => addon.gemm_f64(a, b, c, 0, 1, 1, 1, false, false, 0, 0), 200_000);
  console.log(
    `raw gemm_f64 1×1×1: ${(us * 1000).toFixed(0)} ns/call (of which the N-API call + argument checks ≈ ${(usBatch0 * 1000).toFixed(0)} ns: batch 0)`,
  );
}

if (process.argv.includes('--throughput')) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const size of [512, 1024]) {
      const a = filled(dtype, size * size, 1);
      const b = filled(dtype, size * size, 2);
      const c = dtype === 'float32' ? new Float32Array(size * size) : new Float64Array(size * size);
      const args: GemmArgs = { batch: 1, m: size, n: size, k: size, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      const ms = medianMs(() => native.gemm(a, b, c, args), size >= 1024 ? 9 : 21, 3);
      console.log(`native ${dtype === 'float32' ? 'sgemm' : 'dgemm'} ${size}: ${((2 * size ** 3) / (ms * 1e6)).toFixed(1)} GFLOPS (${ms.toFixed(2)} ms)`);
    }
  }
  const n = 256;
  const g = filled('float64', n * n, 3) as Float64Array;
  const sym = g.map((_, i) => 0.5 * (g[i]! + g[(i % n) * n + Math.floor(i / n)]!));
  const tall = filled('float64', 1024 * 64, 4) as Float64Array;
  const eighMs = medianMs(() => native.eigh(sym, n), 21, 5);
  const qrMs = medianMs(() => native.qr(tall, 1024, 64), 41, 10);
  console.log(`native eigh 256: ${eighMs.toFixed(2)} ms`);
  console.log(`native QR 1024×64: ${qrMs.toFixed(2)} ms`);
}

if (process.argv.includes('--threads')) {
  const cores = availableParallelism();
  console.log(`square GEMM GFLOPS, 1 thread vs ${cores} (best of several runs)`);
  for (const size of [64, 96, 128, 160, 192, 256, 384, 512, 1024]) {
    const row: string[] = [];
    for (const dtype of ['float32', 'float64'] as const) {
      const a = filled(dtype, size * size, 1);
      const b = filled(dtype, size * size, 2);
      const c = dtype === 'float32' ? new Float32Array(size * size) : new Float64Array(size * size);
      const args: GemmArgs = { batch: 1, m: size, n: size, k: size, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      const reps = Math.max(7, Math.min(200, Math.floor(4e9 / size ** 3)));
      const gf = [1, cores].map((t) => {
        setNativeThreads(t);
        return (2 * size ** 3) / (bestMs(() => native.gemm(a, b, c, args), reps, 2) * 1e6);
      });
      row.push(`${dtype === 'float32' ? 's' : 'd'}gemm ${gf[0]!.toFixed(1).padStart(6)} → ${gf[1]!.toFixed(1).padStart(6)} (×${(gf[1]! / gf[0]!).toFixed(2)})`);
    }
    console.log(`${String(size).padStart(5)}³  ${row.join('   ')}`);
  }
  setNativeThreads('auto');
}
