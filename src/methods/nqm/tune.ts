/**
 * Steps to a target loss for one setting, and the notebook's per-batch-size tuning: an
 * exhaustive grid over α (× β or γ), keeping the first strict minimum in the notebook's loop
 * order (α outer, coefficient inner). Plain Float64Array loops: the power tables depend on
 * (α, coefficient, p) only, so each is built once and reused for every batch size.
 */
import { AffinePowers3, levelsFor } from './affine-powers.ts';
import { checkSetting, effectiveSteps, initialState, isStable, noiseTerms, readout, transition, type Method, type Setting } from './dynamics.ts';
import { coefGrid, momentumLrGrid, sgdLrGrid } from './grids.ts';
import { checkBatchSize, checkPrecondition, checkTarget, type Nqm } from './problem.ts';
import { bisectSteps, liftSteps, MOMENTUM_HIGH, SGD_HIGH } from './search.ts';

export type Search = 'lifting' | 'bisection';

/** One tuned result: steps null when no grid point reaches the target (lr null then too). */
export interface StepsRow {
  method: Method;
  p: number;
  B: number;
  steps: number | null;
  lr: number | null;
  beta?: number;
  gamma?: number;
}

export interface TuneOptions {
  /** Learning-rate grid (default: the notebook's for the method). */
  lrs?: readonly number[];
  /** β or γ grid for momentum/EMA (default 1 − logspace(−5, 0, 20)). */
  coefs?: readonly number[];
  /** 'lifting' (default) or the notebook's 'bisection' (same answers on monotone curves, ~log k times slower). */
  search?: Search;
  /** Exclusive upper end of the step search (default the notebook's: 1e9 SGD, 1e7 momentum/EMA). */
  high?: number;
}

/** Loss weights ½·count·h per group. */
function lossWeights(nqm: Nqm, factor = 1): Float64Array {
  return nqm.h.map((h, i) => 0.5 * h * nqm.count[i]! * factor);
}

/** SGD with one α: r^(2^j) tables per group, the notebook's closed form (1e-8 guard) read at any k. */
class SgdCurve {
  readonly R: Float64Array;
  readonly levels: number;
  private readonly r: Float64Array;
  private readonly q1: Float64Array;
  constructor(
    private readonly nqm: Nqm,
    p: number,
    lr: number,
    high: number,
  ) {
    const n = nqm.h.length;
    this.levels = levelsFor(high);
    const x = effectiveSteps(nqm, p, lr);
    this.r = x.map((v) => (1 - v) * (1 - v));
    this.q1 = noiseTerms(nqm, p, lr, 1);
    this.R = new Float64Array(this.levels * n);
    this.R.set(this.r);
    for (let j = 1; j < this.levels; j++) for (let g = 0; g < n; g++) this.R[j * n + g] = this.R[(j - 1) * n + g]! ** 2;
  }
  /** L(k) = L∞ + Σ a_g r_g^k for batch size B. */
  coefficients(B: number): { base: number; a: Float64Array } {
    const { nqm, r, q1 } = this;
    let base = 0;
    const a = new Float64Array(r.length);
    for (let g = 0; g < r.length; g++) {
      const w = 0.5 * nqm.h[g]! * nqm.count[g]!;
      const star = q1[g]! / B / (1 - r[g]! + 1e-8);
      base += w * star;
      a[g] = w * (nqm.initVariance - star);
    }
    return { base, a };
  }
  lossAt(B: number, k: number): number {
    const { base, a } = this.coefficients(B);
    let l = base;
    for (let g = 0; g < a.length; g++) l += a[g]! * Math.pow(this.r[g]!, k);
    return l;
  }
  steps(B: number, target: number, high: number, search: Search): number | null {
    if (search === 'bisection') return bisectSteps((k) => this.lossAt(B, k), target, high);
    const { base, a } = this.coefficients(B);
    const n = a.length;
    let rk = new Float64Array(n).fill(1);
    let cand = new Float64Array(n);
    return liftSteps(
      this.levels,
      high,
      target,
      (j) => {
        let l = base;
        const off = j * n;
        for (let g = 0; g < n; g++) {
          const v = rk[g]! * this.R[off + g]!;
          cand[g] = v;
          l += a[g]! * v;
        }
        return l;
      },
      () => {
        [rk, cand] = [cand, rk];
      },
    );
  }
}

/** Momentum or EMA with one (α, coefficient): the affine power table and what the loss reads. */
class AffineCurve {
  readonly table: AffinePowers3;
  readonly init: Float64Array;
  readonly w: Float64Array;
  readonly index: number;
  readonly q1: Float64Array;
  constructor(nqm: Nqm, method: 'momentum' | 'ema', p: number, lr: number, coef: number, high: number, table?: AffinePowers3) {
    const n = nqm.h.length;
    const x = effectiveSteps(nqm, p, lr);
    const mats = new Float64Array(9 * n);
    this.init = new Float64Array(3 * n);
    for (let g = 0; g < n; g++) {
      transition(method, x[g]!, coef, mats, 9 * g);
      initialState(method, nqm.initVariance, coef, this.init, 3 * g);
    }
    this.table = (table ?? new AffinePowers3(n, levelsFor(high))).build(mats);
    const ro = readout(method, coef);
    this.index = ro.index;
    this.w = lossWeights(nqm, ro.factor);
    this.q1 = noiseTerms(nqm, p, lr, 1);
  }
  q(B: number): Float64Array {
    return this.q1.map((v) => v / B);
  }
  lossAt(B: number, k: number): number {
    return AffinePowers3.read(this.table.stateAt(k, this.init, this.q(B)), this.w, this.index);
  }
  steps(B: number, target: number, high: number, search: Search): number | null {
    const q = this.q(B);
    if (search === 'bisection') return bisectSteps((k) => AffinePowers3.read(this.table.stateAt(k, this.init, q), this.w, this.index), target, high);
    let cur = Float64Array.from(this.init);
    let cand = new Float64Array(cur.length);
    return liftSteps(
      this.table.levels,
      high,
      target,
      (j) => AffinePowers3.read(this.table.advance(j, cur, q, cand), this.w, this.index),
      () => {
        [cur, cand] = [cand, cur];
      },
    );
  }
}

function defaultHigh(method: Method): number {
  return method === 'sgd' ? SGD_HIGH : MOMENTUM_HIGH;
}

/** E[L] after k steps of one setting, in O(log k). */
export function lossAt(nqm: Nqm, s: Setting, batchSize: number, k: number): number {
  checkSetting(s);
  checkBatchSize(batchSize);
  if (!Number.isInteger(k) || k < 0) throw new Error(`nqm: step count must be a non-negative integer, got ${k}`);
  if (s.method === 'sgd') return new SgdCurve(nqm, s.p, s.lr, k + 2).lossAt(batchSize, k);
  return new AffineCurve(nqm, s.method, s.p, s.lr, s.coef ?? 0, k + 2).lossAt(batchSize, k);
}

/** Steps for one setting to bring E[L] below `target` (notebook convention; null when unreachable or unstable). */
export function stepsToTarget(nqm: Nqm, s: Setting, batchSize: number, target: number, opts: { search?: Search; high?: number } = {}): number | null {
  checkSetting(s);
  checkBatchSize(batchSize);
  checkTarget(target);
  const high = opts.high ?? defaultHigh(s.method);
  if (!isStable(s, maxStep(nqm, s.p, s.lr))) return null;
  const search = opts.search ?? 'lifting';
  if (s.method === 'sgd') return new SgdCurve(nqm, s.p, s.lr, high).steps(batchSize, target, high, search);
  return new AffineCurve(nqm, s.method, s.p, s.lr, s.coef ?? 0, high).steps(batchSize, target, high, search);
}

function maxStep(nqm: Nqm, p: number, lr: number): number {
  let m = 0;
  for (let g = 0; g < nqm.h.length; g++) m = Math.max(m, lr * Math.pow(nqm.h[g]!, 1 - p));
  return m;
}

/**
 * The notebook's per-batch-size tuning for one method and p: the fewest steps over the grid at
 * each batch size, with the α (and β/γ) that gave it.
 */
export function tune(nqm: Nqm, method: Method, p: number, batchSizes: readonly number[], target: number, opts: TuneOptions = {}): StepsRow[] {
  checkPrecondition(p);
  checkTarget(target);
  if (batchSizes.length === 0) throw new Error('nqm: no batch sizes given');
  batchSizes.forEach(checkBatchSize);
  const lrs = opts.lrs ?? (method === 'sgd' ? sgdLrGrid() : momentumLrGrid());
  if (lrs.length === 0) throw new Error('nqm: empty learning-rate grid');
  lrs.forEach((a) => {
    if (!(a > 0) || !Number.isFinite(a)) throw new Error(`nqm: learning rates must be positive, got ${a}`);
  });
  const coefs = method === 'sgd' ? [0] : (opts.coefs ?? coefGrid());
  if (coefs.length === 0) throw new Error('nqm: empty coefficient grid');
  const high = opts.high ?? defaultHigh(method);
  const search = opts.search ?? 'lifting';
  const best = batchSizes.map(() => ({ steps: Infinity, lr: NaN, coef: NaN }));
  const table = method === 'sgd' ? undefined : new AffinePowers3(nqm.h.length, levelsFor(high));
  const order = [...batchSizes.keys()].sort((a, b) => batchSizes[b]! - batchSizes[a]!);
  for (const lr of lrs) {
    const xMax = maxStep(nqm, p, lr);
    for (const coef of coefs) {
      const s: Setting = { method, p, lr, coef };
      checkSetting(s);
      if (!isStable(s, xMax)) continue;
      const curve = method === 'sgd' ? new SgdCurve(nqm, p, lr, high) : new AffineCurve(nqm, method, p, lr, coef, high, table);
      // Largest B first. E[L] at every k falls as B grows (the noise part is a variance times 1/B),
      // and both searches are monotone in the curve, so a setting's steps never decrease as B
      // shrinks: unreachable at some B ⇒ unreachable below it, and steps at a larger B bound the
      // steps here from below. A batch size this setting cannot strictly improve is skipped — the
      // same answers as searching everything, several times faster.
      let floor = 0;
      for (const i of order) {
        if (floor >= best[i]!.steps) continue;
        const k = curve.steps(batchSizes[i]!, target, high, search);
        if (k === null) break;
        floor = k;
        if (k < best[i]!.steps) best[i] = { steps: k, lr, coef };
      }
    }
  }
  return batchSizes.map((B, i) => {
    const b = best[i]!;
    const found = Number.isFinite(b.steps);
    const row: StepsRow = { method, p, B, steps: found ? b.steps : null, lr: found ? b.lr : null };
    if (method === 'momentum') row.beta = found ? b.coef : undefined;
    if (method === 'ema') row.gamma = found ? b.coef : undefined;
    if (row.beta === undefined) delete row.beta;
    if (row.gamma === undefined) delete row.gamma;
    return row;
  });
}
