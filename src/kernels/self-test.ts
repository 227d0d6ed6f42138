/**
 * The operands a backend's load-time self-test multiplies: awkward sizes (13×37 · 37×11) and
 * small dyadic values (multiples of 1/8 and 1/4), so every partial sum is exact in f32 and f64
 * and any correct GEMM, whatever its summation order, must equal the js kernel bit for bit.
 */
export function dyadicGemmOperands(isF32: boolean): { a: Float32Array | Float64Array; b: Float32Array | Float64Array; m: number; n: number; k: number } {
  const m = 13, n = 11, k = 37;
  const Ctor = isF32 ? Float32Array : Float64Array;
  const a = new Ctor(m * k);
  const b = new Ctor(k * n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7919) % 23) / 8 - 1.375;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 104729) % 19) / 4 - 2.25;
  return { a, b, m, n, k };
}
