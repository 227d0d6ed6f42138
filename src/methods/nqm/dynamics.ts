/**
 * Exact second-moment recursions of the NQM for preconditioned SGD (P = H^−p), heavy-ball
 * momentum (PyTorch form: m ← βm + g, θ ← θ − αPm) and an EMA of the iterates. Per group,
 * with x = α·h^{1−p} and q = α²·h^{−2p}·c/B:
 *   SGD:      s' = (1−x)²·s + q
 *   momentum: p' = T(x, β)·p + q·[1,1,1],  p = [Eθ², E(θ−θ₋₁)², Eθ(θ−θ₋₁)]        (paper eqn. 21)
 *   EMA:      p' = T(x, γ)·p + q·[1,1,1],  p = [Eθ², Eu², Eθu], u = θ̃/(1−γ)       (paper eqn. 38)
 */
import { checkBatchSize, checkLr, checkPrecondition, type Nqm } from './problem.ts';

export type Method = 'sgd' | 'momentum' | 'ema';

/** A linear optimizer on the NQM: learning rate, preconditioner power and (momentum/EMA) coefficient. */
export interface Setting {
  method: Method;
  p: number;
  lr: number;
  /** β for momentum, γ for EMA; ignored for SGD. */
  coef?: number;
}

export function checkSetting(s: Setting): void {
  if (s.method !== 'sgd' && s.method !== 'momentum' && s.method !== 'ema') throw new Error(`nqm: method must be sgd, momentum or ema, got ${String(s.method)}`);
  checkPrecondition(s.p);
  checkLr(s.lr);
  if (s.method !== 'sgd') {
    const c = s.coef ?? 0;
    if (!(c >= 0 && c < 1)) throw new Error(`nqm: ${s.method === 'momentum' ? 'β' : 'γ'} must be in [0, 1), got ${c}`);
  }
}

/** x = α·h^{1−p} per group (the effective step); does not depend on B. */
export function effectiveSteps(nqm: Nqm, p: number, lr: number, out = new Float64Array(nqm.h.length)): Float64Array {
  for (let i = 0; i < nqm.h.length; i++) out[i] = lr * Math.pow(nqm.h[i]!, 1 - p);
  return out;
}

/** q = α²·h^{−2p}·c/B per group: the variance the noise adds per step. */
export function noiseTerms(nqm: Nqm, p: number, lr: number, batchSize: number, out = new Float64Array(nqm.h.length)): Float64Array {
  checkBatchSize(batchSize);
  for (let i = 0; i < nqm.h.length; i++) out[i] = (lr * lr * Math.pow(nqm.h[i]!, -2 * p) * nqm.c[i]!) / batchSize;
  return out;
}

/** Row-major 3×3 transition for one group, written at out[off…off+8]. */
export function transition(method: 'momentum' | 'ema', x: number, coef: number, out: Float64Array, off = 0): void {
  const a = 1 - x;
  if (method === 'momentum') {
    const b = coef;
    out[off] = a * a;
    out[off + 1] = b * b;
    out[off + 2] = 2 * a * b;
    out[off + 3] = x * x;
    out[off + 4] = b * b;
    out[off + 5] = -2 * x * b;
    out[off + 6] = -a * x;
    out[off + 7] = b * b;
    out[off + 8] = (1 - 2 * x) * b;
  } else {
    const g = coef;
    out[off] = a * a;
    out[off + 1] = 0;
    out[off + 2] = 0;
    out[off + 3] = a * a;
    out[off + 4] = g * g;
    out[off + 5] = 2 * g * a;
    out[off + 6] = a * a;
    out[off + 7] = 0;
    out[off + 8] = g * a;
  }
}

/** The initial 3-state of a group with E[θ₀²] = s0. */
export function initialState(method: 'momentum' | 'ema', s0: number, coef: number, out: Float64Array, off = 0): void {
  if (method === 'momentum') {
    out[off] = s0;
    out[off + 1] = 0;
    out[off + 2] = 0;
  } else {
    out[off] = s0;
    out[off + 1] = s0 / ((1 - coef) * (1 - coef));
    out[off + 2] = s0 / (1 - coef);
  }
}

/** Which state entry the loss reads, and its factor: momentum Eθ², EMA (1−γ)²·Eu² = E θ̃². */
export function readout(method: 'momentum' | 'ema', coef: number): { index: number; factor: number } {
  return method === 'momentum' ? { index: 0, factor: 1 } : { index: 1, factor: (1 - coef) * (1 - coef) };
}

/**
 * Whether every group's recursion contracts (spectral radius < 1). SGD and EMA: 0 < x < 2
 * (EMA also γ < 1); momentum: 0 < x < 2(1+β) with β < 1. An unstable setting never settles,
 * so the searches report it unreachable without searching.
 */
export function isStable(s: Setting, xMax: number): boolean {
  if (!(xMax > 0) || !Number.isFinite(xMax)) return false;
  if (s.method === 'momentum') return xMax < 2 * (1 + (s.coef ?? 0));
  return xMax < 2;
}

/** SGD second moments after k steps, the notebook's closed form s* + r^k(s₀ − s*) with its 1e-8 guard in 1 − r. */
export function sgdMoments(nqm: Nqm, p: number, lr: number, batchSize: number, k: number): Float64Array {
  checkPrecondition(p);
  checkLr(lr);
  const x = effectiveSteps(nqm, p, lr);
  const q = noiseTerms(nqm, p, lr, batchSize);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const r = (1 - x[i]!) * (1 - x[i]!);
    const star = q[i]! / (1 - r + 1e-8);
    out[i] = star + Math.pow(r, k) * (nqm.initVariance - star);
  }
  return out;
}

/**
 * E[L] after k steps by explicit iteration of the recursions (O(k); a reference for tests and
 * for short curves). Returns the losses at steps 0…k.
 */
export function iterateLoss(nqm: Nqm, s: Setting, batchSize: number, k: number): Float64Array {
  checkSetting(s);
  const n = nqm.h.length;
  const x = effectiveSteps(nqm, s.p, s.lr);
  const q = noiseTerms(nqm, s.p, s.lr, batchSize);
  const losses = new Float64Array(k + 1);
  const w = nqm.h.map((h, i) => 0.5 * h * nqm.count[i]!);
  if (s.method === 'sgd') {
    const st = new Float64Array(n).fill(nqm.initVariance);
    for (let t = 0; t <= k; t++) {
      let l = 0;
      for (let i = 0; i < n; i++) {
        l += w[i]! * st[i]!;
        st[i] = (1 - x[i]!) * (1 - x[i]!) * st[i]! + q[i]!;
      }
      losses[t] = l;
    }
    return losses;
  }
  const coef = s.coef ?? 0;
  const T = new Float64Array(9 * n);
  const st = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    transition(s.method, x[i]!, coef, T, 9 * i);
    initialState(s.method, nqm.initVariance, coef, st, 3 * i);
  }
  const { index, factor } = readout(s.method, coef);
  for (let t = 0; t <= k; t++) {
    let l = 0;
    for (let i = 0; i < n; i++) {
      l += w[i]! * factor * st[3 * i + index]!;
      const a = st[3 * i]!,
        b = st[3 * i + 1]!,
        c = st[3 * i + 2]!,
        o = 9 * i;
      st[3 * i] = T[o]! * a + T[o + 1]! * b + T[o + 2]! * c + q[i]!;
      st[3 * i + 1] = T[o + 3]! * a + T[o + 4]! * b + T[o + 5]! * c + q[i]!;
      st[3 * i + 2] = T[o + 6]! * a + T[o + 7]! * b + T[o + 8]! * c + q[i]!;
    }
    losses[t] = l;
  }
  return losses;
}
