/** Float64 vector helpers for the Krylov routines (internal; plain loops, no allocation beyond results). */

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + alpha·x, in place. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
}

export function scale(alpha: number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]!;
  return out;
}

/**
 * Orthogonalize w against every vector of `basis` in place, twice (classical Gram–Schmidt run
 * twice is as stable as modified Gram–Schmidt and keeps orthogonality at machine precision).
 */
export function orthogonalize(w: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) axpy(-dot(q, w), q, w);
  }
}

/** Index of the first non-finite entry, or -1. */
export function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}
