/**
 * The quantized network the QCBO models: d → H → 1, weights in a finite set Q (e.g. ternary),
 * a piecewise-constant activation (the spline level of the interval holding the pre-activation)
 * and a margin loss read off the loss spline's level on the margin's interval. A bias is a
 * constant-1 input column added by the data preparation.
 */
import { intervalOf, type Spline } from './spline.ts';

export interface QnnWeights {
  /** [d·H], row-major (input i, hidden j) at i·H + j. */
  readonly w1: Float64Array;
  /** [H] */
  readonly w2: Float64Array;
}

export interface QnnForward {
  /** Pre-activations [H] and their interval indices. */
  u: Float64Array;
  k: Int32Array;
  a: Float64Array;
  out: number;
}

export function forward(w: QnnWeights, act: Spline, x: ArrayLike<number>): QnnForward {
  const H = w.w2.length;
  const d = w.w1.length / H;
  const u = new Float64Array(H);
  const k = new Int32Array(H);
  const a = new Float64Array(H);
  let out = 0;
  for (let j = 0; j < H; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += w.w1[i * H + j]! * x[i]!;
    u[j] = s;
    k[j] = intervalOf(act, s);
    a[j] = act.level[k[j]!]!;
    out += w.w2[j]! * a[j]!;
  }
  return { u, k, a, out };
}

/** The loss level for a margin m: the smallest level over intervals that contain m (ties at breakpoints go to the better one, as the optimizer would choose). */
export function marginLoss(loss: Spline, m: number): { k: number; value: number } {
  const K = loss.level.length;
  let best = -1;
  for (let k = 0; k < K; k++) {
    const inside = (k === 0 || m >= loss.t[k]! - 1e-12) && (k === K - 1 || m <= loss.t[k + 1]! + 1e-12);
    if (inside && (best < 0 || loss.level[k]! < loss.level[best]!)) best = k;
  }
  return { k: best, value: loss.level[best]! };
}

/** Accuracy of sign(out) against labels y ∈ {−1, +1} (out = 0 counts as wrong). */
export function accuracy(w: QnnWeights, act: Spline, xs: readonly Float64Array[], ys: readonly number[]): number {
  let ok = 0;
  for (let s = 0; s < xs.length; s++) if (forward(w, act, xs[s]!).out * ys[s]! > 0) ok++;
  return xs.length ? ok / xs.length : NaN;
}
