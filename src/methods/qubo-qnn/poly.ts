/**
 * Sparse quadratic forms over binary variables, g(x) = c + Σ lin_i x_i + Σ_{i<j} quad_ij x_i x_j,
 * the currency of the QCBO (objective and constraints) and of the penalty QUBO. x_i² = x_i, so a
 * diagonal product is folded into the linear part.
 */

export class QuadForm {
  c = 0;
  readonly lin = new Map<number, number>();
  /** Key i·2²⁶ + j (i < j): exact in a double for n < 2²⁶. */
  readonly quad = new Map<number, number>();

  addConst(v: number): this {
    this.c += v;
    return this;
  }

  addLin(i: number, v: number): this {
    if (v !== 0) this.lin.set(i, (this.lin.get(i) ?? 0) + v);
    return this;
  }

  addQuad(i: number, j: number, v: number): this {
    if (v === 0) return this;
    if (i === j) return this.addLin(i, v);
    const k = pairKey(i, j);
    this.quad.set(k, (this.quad.get(k) ?? 0) + v);
    return this;
  }

  /** Adds s·f. */
  addForm(f: QuadForm, s = 1): this {
    this.c += s * f.c;
    for (const [i, v] of f.lin) this.addLin(i, s * v);
    for (const [k, v] of f.quad) this.quad.set(k, (this.quad.get(k) ?? 0) + s * v);
    return this;
  }

  eval(x: ArrayLike<number>): number {
    let e = this.c;
    for (const [i, v] of this.lin) e += v * x[i]!;
    for (const [k, v] of this.quad) {
      const [i, j] = unpairKey(k);
      e += v * x[i]! * x[j]!;
    }
    return e;
  }

  /** Largest absolute coefficient (0 for a constant). */
  maxAbs(): number {
    let m = 0;
    for (const v of this.lin.values()) m = Math.max(m, Math.abs(v));
    for (const v of this.quad.values()) m = Math.max(m, Math.abs(v));
    return m;
  }

  /** Σ over coefficients of |coef| (no constant): the range of g − c is within ±this. */
  bounds(): { lo: number; hi: number } {
    let lo = this.c;
    let hi = this.c;
    for (const v of this.lin.values()) v < 0 ? (lo += v) : (hi += v);
    for (const v of this.quad.values()) v < 0 ? (lo += v) : (hi += v);
    return { lo, hi };
  }
}

const SHIFT = 2 ** 26;
export const pairKey = (i: number, j: number): number => (i < j ? i * SHIFT + j : j * SHIFT + i);
export const unpairKey = (k: number): [number, number] => [Math.floor(k / SHIFT), k % SHIFT];

/** A constraint lo ≤ g(x) ≤ hi (lo = hi: equality; ±Infinity: one-sided). */
export interface Constraint {
  readonly name: string;
  readonly g: QuadForm;
  readonly lo: number;
  readonly hi: number;
}

/** How far g(x) lies outside [lo, hi] (0 when satisfied). */
export function violation(c: Constraint, x: ArrayLike<number>): number {
  const v = c.g.eval(x);
  return v < c.lo ? c.lo - v : v > c.hi ? v - c.hi : 0;
}
