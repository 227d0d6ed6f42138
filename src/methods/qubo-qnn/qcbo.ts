/**
 * The QCBO (quadratic constrained binary optimization) of a quantized d → H → 1 network on S samples
 * (our design, consistent with the paper's abstract; see README):
 *   weight bits   w1_ij, w2_j in an encoding (encoding.ts)                     — shared by all samples
 *   indicators    z_sjk (hidden j's pre-activation in interval k), Σ_k z_sjk = 1  — per sample
 *                 v_sk (margin in loss interval k), Σ_k v_sk = 1                 — per sample
 *   objective     (1/S) Σ_s Σ_k v_sk ℓ̃_k                                       — linear
 *   hidden        u_sj = Σ_i w1_ij x_si (linear in weight bits: x is data)
 *                 u_sj ≥ t_{k−1} − M⁻_sjk (1 − z_sjk),  u_sj ≤ t_k + M⁺_sjk (1 − z_sjk)   (big-M, linear)
 *   activation    a_sj = Σ_k z_sjk σ̃_k (spline level)
 *   margin        m_s = y_s Σ_j w2_j a_sj  (weight bit × indicator: quadratic)
 *                 m_s ≥ τ_{k−1} − N⁻ (1 − v_sk),  m_s ≤ τ_k + N⁺ (1 − v_sk)              (big-M, quadratic)
 * Every big-M constant comes from forward interval propagation (intervals.ts): per sample for u,
 * from the activation levels' range for m. A constraint that FIP proves always true is dropped.
 */
import { weightEncoding, type EncodingKind, type WeightEncoding } from './encoding.ts';
import { dotBounds, type Interval } from './intervals.ts';
import { QuadForm, violation, type Constraint } from './poly.ts';
import { breakpoints, spline, type Spline } from './spline.ts';
import { forward, marginLoss, type QnnWeights } from './network.ts';

export type ActivationName = 'tanh' | 'hardtanh' | 'sign';
export type LossName = 'logistic' | 'hinge' | 'squared-hinge';

export const ACTIVATIONS: Record<ActivationName, (u: number) => number> = {
  tanh: Math.tanh,
  hardtanh: (u) => Math.max(-1, Math.min(1, u)),
  sign: (u) => (u >= 0 ? 1 : -1),
};
export const LOSSES: Record<LossName, (m: number) => number> = {
  logistic: (m) => (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))),
  hinge: (m) => Math.max(0, 1 - m),
  'squared-hinge': (m) => Math.max(0, 1 - m) ** 2,
};

export interface QnnSpec {
  /** Inputs per sample, including a constant-1 bias column if the data has one. */
  readonly inputs: number;
  readonly hidden: number;
  readonly values: readonly number[];
  readonly encoding: EncodingKind;
  readonly activation: ActivationName;
  /** Activation intervals K and the half-width r of the inner breakpoints (K−1 points on [−r, r]). */
  readonly actIntervals: number;
  readonly actRange: number;
  readonly loss: LossName;
  readonly lossIntervals: number;
}

export interface QnnSplines {
  act: Spline;
  loss: Spline;
}

export interface Qcbo {
  readonly spec: QnnSpec;
  readonly enc: WeightEncoding;
  readonly splines: QnnSplines;
  readonly xs: readonly Float64Array[];
  readonly ys: readonly number[];
  /** Total binary variables; weight bits are [0, nWeightBits), then per-sample blocks of `localBits`. */
  readonly n: number;
  readonly nWeightBits: number;
  readonly localBits: number;
  readonly objective: QuadForm;
  readonly constraints: readonly Constraint[];
  /** Bit index of bit b of weight (layer 1: i·H + j; layer 2: d·H + j). */
  weightBit(w: number, b: number): number;
  zBit(s: number, j: number, k: number): number;
  vBit(s: number, k: number): number;
}

const weightInterval = (q: readonly number[]): Interval => ({ lo: Math.min(...q), hi: Math.max(...q) });

/** The splines shared by every subproblem: activation breakpoints over the data's pre-activation range, loss breakpoints over the margin's FIP range. */
export function qnnSplines(spec: QnnSpec, xs: readonly ArrayLike<number>[]): QnnSplines {
  const w = weightInterval(spec.values);
  let lo = 0;
  let hi = 0;
  for (const x of xs) {
    const b = dotBounds(
      w,
      Array.from(x as ArrayLike<number>, (v) => ({ lo: v, hi: v })),
    );
    lo = Math.min(lo, b.lo);
    hi = Math.max(hi, b.hi);
  }
  const fa = ACTIVATIONS[spec.activation];
  const act = spline(fa, breakpoints(lo - 1e-6, hi + 1e-6, spec.actIntervals, spec.actRange));
  const aRange = { lo: Math.min(...act.level), hi: Math.max(...act.level) };
  const m = dotBounds(
    w,
    Array.from({ length: spec.hidden }, () => aRange),
  );
  const M = Math.max(Math.abs(m.lo), Math.abs(m.hi), 1e-9) + 1e-6;
  const Ko = spec.lossIntervals;
  // Inner breakpoints shifted up slightly (as in breakpoints()): a zero margin (all output weights 0)
  // must fall strictly inside the interval below 0, not on a breakpoint where it would get the better loss.
  const shift = Math.SQRT2 * 1e-7 * M;
  const loss = spline(
    LOSSES[spec.loss],
    Float64Array.from({ length: Ko + 1 }, (_, k) => (k === 0 ? -M : k === Ko ? M : -M + (2 * M * k) / Ko + shift)),
  );
  return { act, loss };
}

export function buildQcbo(spec: QnnSpec, xs: readonly Float64Array[], ys: readonly number[], splines: QnnSplines = qnnSplines(spec, xs)): Qcbo {
  const { inputs: d, hidden: H } = spec;
  if (xs.length !== ys.length || xs.length === 0)
    throw new Error(`buildQcbo: need ≥ 1 sample with one label each, got ${xs.length} rows and ${ys.length} labels`);
  for (const [s, x] of xs.entries()) if (x.length !== d) throw new Error(`buildQcbo: sample ${s} has ${x.length} inputs, spec says ${d}`);
  for (const [s, y] of ys.entries()) if (y !== 1 && y !== -1) throw new Error(`buildQcbo: label ${s} must be ±1, got ${y}`);
  const enc = weightEncoding(spec.encoding, spec.values);
  const B = enc.bits;
  const nWeights = d * H + H;
  const nWeightBits = nWeights * B;
  const K = spec.actIntervals;
  const Ko = spec.lossIntervals;
  const localBits = H * K + Ko;
  const S = xs.length;
  const n = nWeightBits + S * localBits;
  const weightBit = (w: number, b: number): number => w * B + b;
  const zBit = (s: number, j: number, k: number): number => nWeightBits + s * localBits + j * K + k;
  const vBit = (s: number, k: number): number => nWeightBits + s * localBits + H * K + k;
  const { act, loss } = splines;
  const constraints: Constraint[] = [];
  const wI = weightInterval(spec.values);

  // Encoding constraints, once per weight.
  if (enc.constraint) {
    for (let w = 0; w < nWeights; w++) {
      const g = new QuadForm();
      enc.constraint.coef.forEach((c, b) => g.addLin(weightBit(w, b), c));
      constraints.push({ name: `enc[${w}]`, g, lo: enc.constraint.lo, hi: enc.constraint.hi });
    }
  }
  /** w as a form in its bits. */
  const weightForm = (w: number): QuadForm => {
    const g = new QuadForm().addConst(enc.constant);
    enc.coef.forEach((c, b) => g.addLin(weightBit(w, b), c));
    return g;
  };

  const objective = new QuadForm();
  for (let s = 0; s < S; s++) {
    const x = xs[s]!;
    for (let j = 0; j < H; j++) {
      // u_sj = Σ_i w1_ij x_si: linear in weight bits.
      const u = new QuadForm();
      for (let i = 0; i < d; i++) u.addForm(weightForm(i * H + j), x[i]!);
      const ub = dotBounds(
        wI,
        Array.from(x, (v) => ({ lo: v, hi: v })),
      );
      const one = new QuadForm();
      for (let k = 0; k < K; k++) one.addLin(zBit(s, j, k), 1);
      constraints.push({ name: `onehot z[${s},${j}]`, g: one, lo: 1, hi: 1 });
      for (let k = 0; k < K; k++) {
        const tl = act.t[k]!;
        const th = act.t[k + 1]!;
        const Mlo = Math.max(0, tl - ub.lo);
        if (Mlo > 0) {
          // u − t_{k−1} + M(1 − z) ≥ 0
          const g = new QuadForm()
            .addForm(u)
            .addConst(Mlo - tl)
            .addLin(zBit(s, j, k), -Mlo);
          constraints.push({ name: `u≥t z[${s},${j},${k}]`, g, lo: 0, hi: Infinity });
        }
        const Mhi = Math.max(0, ub.hi - th);
        if (Mhi > 0) {
          // t_k − u + M(1 − z) ≥ 0
          const g = new QuadForm()
            .addForm(u, -1)
            .addConst(th + Mhi)
            .addLin(zBit(s, j, k), -Mhi);
          constraints.push({ name: `u≤t z[${s},${j},${k}]`, g, lo: 0, hi: Infinity });
        }
      }
    }
    // m_s = y_s Σ_j w2_j Σ_k level_k z_sjk: weight bits × indicators.
    const m = new QuadForm();
    for (let j = 0; j < H; j++) {
      const w = d * H + j;
      for (let k = 0; k < K; k++) {
        const a = ys[s]! * act.level[k]!;
        m.addLin(zBit(s, j, k), a * enc.constant);
        enc.coef.forEach((c, b) => m.addQuad(weightBit(w, b), zBit(s, j, k), a * c));
      }
    }
    const mb = { lo: loss.t[0]!, hi: loss.t[Ko]! };
    const onev = new QuadForm();
    for (let k = 0; k < Ko; k++) onev.addLin(vBit(s, k), 1);
    constraints.push({ name: `onehot v[${s}]`, g: onev, lo: 1, hi: 1 });
    for (let k = 0; k < Ko; k++) {
      const tl = loss.t[k]!;
      const th = loss.t[k + 1]!;
      const Mlo = Math.max(0, tl - mb.lo);
      if (Mlo > 0)
        constraints.push({
          name: `m≥τ v[${s},${k}]`,
          g: new QuadForm()
            .addForm(m)
            .addConst(Mlo - tl)
            .addLin(vBit(s, k), -Mlo),
          lo: 0,
          hi: Infinity,
        });
      const Mhi = Math.max(0, mb.hi - th);
      if (Mhi > 0)
        constraints.push({
          name: `m≤τ v[${s},${k}]`,
          g: new QuadForm()
            .addForm(m, -1)
            .addConst(th + Mhi)
            .addLin(vBit(s, k), -Mhi),
          lo: 0,
          hi: Infinity,
        });
      objective.addLin(vBit(s, k), loss.level[k]! / S);
    }
  }
  return { spec, enc, splines, xs, ys, n, nWeightBits, localBits, objective, constraints, weightBit, zBit, vBit };
}

/** The weights encoded by x's weight bits (invalid encodings repaired: one-hot argmax / clipped). */
export function decodeWeights(q: Qcbo, x: ArrayLike<number>): QnnWeights {
  const { inputs: d, hidden: H } = q.spec;
  const B = q.enc.bits;
  const vals = new Float64Array(d * H + H);
  for (let w = 0; w < vals.length; w++) {
    const bits = Array.from({ length: B }, (_, b) => x[q.weightBit(w, b)]!);
    vals[w] = q.enc.valid(bits) ? q.enc.decode(bits) : q.enc.repair(bits);
  }
  return { w1: vals.slice(0, d * H), w2: vals.slice(d * H) };
}

/** The full bit vector for given weights: indicators from the forward pass (the optimal completion: feasible, and the best loss interval at ties). */
export function complete(q: Qcbo, w: QnnWeights): Uint8Array {
  const x = new Uint8Array(q.n);
  const { inputs: d, hidden: H } = q.spec;
  for (let k = 0; k < d * H + H; k++) {
    const v = k < d * H ? w.w1[k]! : w.w2[k - d * H]!;
    q.enc.encode(v).forEach((bit, b) => (x[q.weightBit(k, b)] = bit));
  }
  for (let s = 0; s < q.xs.length; s++) {
    const f = forward(w, q.splines.act, q.xs[s]!);
    for (let j = 0; j < H; j++) x[q.zBit(s, j, f.k[j]!)] = 1;
    x[q.vBit(s, marginLoss(q.splines.loss, q.ys[s]! * f.out).k)] = 1;
  }
  return x;
}

export interface Feasibility {
  feasible: boolean;
  maxViolation: number;
  violated: number;
}

export function feasibility(q: Qcbo, x: ArrayLike<number>, tol = 1e-9): Feasibility {
  let maxViolation = 0;
  let violated = 0;
  for (const c of q.constraints) {
    const v = violation(c, x);
    if (v > tol * Math.max(1, c.g.maxAbs())) violated++;
    maxViolation = Math.max(maxViolation, v);
  }
  return { feasible: violated === 0, maxViolation, violated };
}

/** The model's objective, (1/S) Σ_s ℓ̃ of the chosen loss intervals. */
export const objectiveValue = (q: Qcbo, x: ArrayLike<number>): number => q.objective.eval(x);

/** The network's own training loss with the model's function (forward pass + loss levels). */
export function networkLoss(q: Qcbo, w: QnnWeights): number {
  let t = 0;
  for (let s = 0; s < q.xs.length; s++) t += marginLoss(q.splines.loss, q.ys[s]! * forward(w, q.splines.act, q.xs[s]!).out).value;
  return t / q.xs.length;
}
