/**
 * Deterministic test data for the kernel tests (not part of the library): a 32-bit LCG mapped
 * to [-1, 1), and arrays filled from it. Plain arithmetic, no PRNG keys: the kernel tests must
 * not depend on the engine they test.
 */
import type { FloatArray, GemmArgs, Kernels } from '../../src/kernels/kernels.ts';

export type FloatDType = 'float32' | 'float64';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function randomArray(dtype: FloatDType, size: number, rand: () => number): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rand();
  return out;
}

/** C = op(A)·op(B) by `kern` into a NaN-filled array (it must overwrite C, never accumulate). */
export function runGemm(kern: Kernels, a: FloatArray, b: FloatArray, dtype: FloatDType, args: GemmArgs): FloatArray {
  const size = args.batch * args.m * args.n;
  const c = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  c.fill(Number.NaN);
  kern.gemm(a, b, c, args);
  return c;
}
