/**
 * The penalty-QUBO baseline: f(x) + P·Σ_c (ĝ_c(x) − slack_c − lo_c)², with every constraint row
 * normalized to ∞-norm 1 (ĝ = g/scale) and P in units of the objective's largest coefficient.
 *  - Inequalities get slack bits: slack = δ·Σ_b 2^b σ_b over [0, range], δ = range/(2^B − 1) (δ = 1 with
 *    the fewest bits when the row is integral, so a feasible point can zero its penalty exactly).
 *  - Quadratic rows (the margin's weight × indicator products) are made linear first: each product
 *    x_i x_j becomes a new bit y_ij with Rosenberg's penalty P_R(x_i x_j − 2x_i y − 2x_j y + 3y),
 *    so the square of a linear form stays quadratic.
 * This is the form that needs P tuned: too small and the minimizer violates constraints, too large
 * and the objective is drowned (and SA struggles on the rugged landscape).
 */
import type { Qubo } from './solvers/model.ts';
import { QuadForm, unpairKey } from './poly.ts';
import type { Qcbo } from './qcbo.ts';

export interface PenaltyOptions {
  /** Penalty weight in units of the objective's largest |coefficient|. */
  penalty: number;
  /** Slack bits per non-integral inequality (default 3). */
  slackBits?: number;
  /** Rosenberg weight in the same units (default: the penalty). */
  rosenberg?: number;
}

export interface PenaltyQubo {
  qubo: Qubo;
  /** Variables: the QCBO's first, then products, then slack. */
  nOriginal: number;
  nProducts: number;
  nSlack: number;
}

export function penaltyQubo(q: Qcbo, o: PenaltyOptions): PenaltyQubo {
  if (!(o.penalty > 0)) throw new Error(`penaltyQubo: penalty must be positive, got ${o.penalty}`);
  const B = o.slackBits ?? 3;
  const objScale = Math.max(q.objective.maxAbs(), 1e-12);
  const P = o.penalty * objScale;
  const PR = (o.rosenberg ?? o.penalty) * objScale;
  let next = q.n;
  const product = new Map<number, number>();
  const total = new QuadForm().addForm(q.objective);
  const rows: { lin: QuadForm; lo: number; hi: number }[] = [];
  for (const c of q.constraints) {
    const s = Math.max(c.g.maxAbs(), 1e-12);
    const lin = new QuadForm().addConst(c.g.c / s);
    for (const [i, v] of c.g.lin) lin.addLin(i, v / s);
    for (const [k, v] of c.g.quad) {
      let y = product.get(k);
      if (y === undefined) {
        y = next++;
        product.set(k, y);
      }
      lin.addLin(y, v / s);
    }
    rows.push({ lin, lo: c.lo / s, hi: c.hi / s });
  }
  const nProducts = product.size;
  for (const [k, y] of product) {
    const [i, j] = unpairKey(k);
    total
      .addQuad(i, j, PR)
      .addQuad(i, y, -2 * PR)
      .addQuad(j, y, -2 * PR)
      .addLin(y, 3 * PR);
  }
  const integral = (v: number): boolean => Math.abs(v - Math.round(v)) < 1e-9;
  for (const r of rows) {
    // The residual ĝ − target − slack, squared.
    const res = new QuadForm().addForm(r.lin);
    if (r.lo !== r.hi) {
      const b = r.lin.bounds();
      const lo = r.lo;
      const hi = Math.min(r.hi, b.hi);
      const range = hi - lo;
      if (range > 0) {
        const isInt = [...r.lin.lin.values(), r.lin.c, lo].every(integral) && integral(range);
        const bits = isInt ? Math.max(1, Math.ceil(Math.log2(range + 1))) : B;
        const delta = isInt ? 1 : range / (2 ** bits - 1);
        for (let t = 0; t < bits; t++) res.addLin(next++, -delta * 2 ** t);
      }
      res.addConst(-lo);
    } else res.addConst(-r.lo);
    squareInto(total, res, P);
  }
  const n = next;
  const linear = new Float64Array(n);
  for (const [i, v] of total.lin) linear[i]! += v;
  const pairs = [...total.quad].map(([k, v]) => {
    const [i, j] = unpairKey(k);
    return { i, j, v };
  });
  return { qubo: { n, linear, pairs, offset: total.c }, nOriginal: q.n, nProducts, nSlack: n - q.n - nProducts };
}

/** total += w·(c + Σ a_i x_i)² with x binary: a_i² x_i, 2a_i a_j x_i x_j, 2c a_i x_i, c². */
function squareInto(total: QuadForm, f: QuadForm, w: number): void {
  const terms = [...f.lin];
  total.addConst(w * f.c * f.c);
  for (let p = 0; p < terms.length; p++) {
    const [i, a] = terms[p]!;
    total.addLin(i, w * (a * a + 2 * f.c * a));
    for (let r = p + 1; r < terms.length; r++) total.addQuad(i, terms[r]![0], 2 * w * a * terms[r]![1]);
  }
}
