/**
 * The js backend's fused optimizer loops (contract in kernels.ts): one plain loop per leaf that
 * writes every output of a step, bit-identical to src/optim's per-op path. An op computes in
 * double precision and stores into an array of the tensor's dtype, so for float32 every single
 * op rounds to float32; the float32 loops replicate that with `Math.fround` after every step (a
 * store into a Float32Array rounds the same way). Float32 and float64 get separate loops, so each
 * stays monomorphic and the float64 ones need no rounding.
 */
import { adamScalars, scalarIn, type AdamScalars, type FloatArray } from './kernels.ts';

const fr = Math.fround;

/** Adam: m' = m·β₁ + g·(1−β₁), v' = v·β₂ + (g·g)·(1−β₂), u = (m'·c₁) / (√(v'·c₂) + ε). */
export function adamInto(g: FloatArray, m: FloatArray, v: FloatArray, mo: FloatArray, vo: FloatArray, u: FloatArray, s: AdamScalars): void {
  const n = g.length;
  const { b1: B1, ob1: OB1, b2: B2, ob2: OB2, c1: C1, c2: C2, eps: E } = s;
  if (g instanceof Float32Array) {
    for (let i = 0; i < n; i++) {
      const x = g[i]!;
      const mm = fr(fr(m[i]! * B1) + fr(x * OB1));
      const vv = fr(fr(v[i]! * B2) + fr(fr(x * x) * OB2));
      mo[i] = mm;
      vo[i] = vv;
      u[i] = fr(mm * C1) / fr(fr(Math.sqrt(fr(vv * C2))) + E);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = g[i]!;
      const mm = m[i]! * B1 + x * OB1;
      const vv = v[i]! * B2 + x * x * OB2;
      mo[i] = mm;
      vo[i] = vv;
      u[i] = (mm * C1) / (Math.sqrt(vv * C2) + E);
    }
  }
}

/** Heavy-ball trace b' = b·μ + g; with `u` (Nesterov) also u = g + b'·μ. */
export function momentumInto(g: FloatArray, b: FloatArray, to: FloatArray, u: FloatArray | null, M: number): void {
  const n = g.length;
  if (g instanceof Float32Array) {
    if (u) {
      for (let i = 0; i < n; i++) {
        const x = g[i]!;
        const t = fr(fr(b[i]! * M) + x);
        to[i] = t;
        u[i] = x + fr(t * M);
      }
    } else {
      for (let i = 0; i < n; i++) to[i] = fr(b[i]! * M) + g[i]!;
    }
  } else if (u) {
    for (let i = 0; i < n; i++) {
      const x = g[i]!;
      const t = b[i]! * M + x;
      to[i] = t;
      u[i] = x + t * M;
    }
  } else {
    for (let i = 0; i < n; i++) to[i] = b[i]! * M + g[i]!;
  }
}

/** x·s: one op, so the store does the float32 rounding. Two loops so each stays monomorphic. */
export function scaleInto(x: FloatArray, out: FloatArray, S: number): void {
  const n = x.length;
  if (x instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = x[i]! * S;
  else for (let i = 0; i < n; i++) out[i] = x[i]! * S;
}

/** y + x·a (weight decay: y = u, x = θ, a = wd). */
export function axpyInto(y: FloatArray, x: FloatArray, out: FloatArray, A: number): void {
  const n = y.length;
  if (y instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = y[i]! + fr(x[i]! * A);
  else for (let i = 0; i < n; i++) out[i] = y[i]! + x[i]! * A;
}

/** a + b (applyUpdates). */
export function addInto(a: FloatArray, b: FloatArray, out: FloatArray): void {
  const n = a.length;
  if (a instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
  else for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
}

// The loops above as allocating functions of raw (unrounded) scalars: the reference that the
// backend tests compare the wasm and native loops against.

const like = (x: FloatArray): FloatArray => (x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length));

export function fusedAdamLeaf(
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
): { u: FloatArray; m: FloatArray; v: FloatArray } {
  const u = like(g),
    mo = like(g),
    vo = like(g);
  adamInto(g, m, v, mo, vo, u, adamScalars(b1, b2, c1, c2, eps, g instanceof Float32Array));
  return { u, m: mo, v: vo };
}

export function fusedScaleLeaf(x: FloatArray, s: number): FloatArray {
  const out = like(x);
  scaleInto(x, out, scalarIn(s, x instanceof Float32Array));
  return out;
}

export function fusedAddLeaf(p: FloatArray, u: FloatArray): FloatArray {
  const out = like(p);
  addInto(p, u, out);
  return out;
}
