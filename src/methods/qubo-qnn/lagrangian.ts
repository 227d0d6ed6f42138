/**
 * The QCGD oracle's QUBO, min_x f(x) + Σ_i v_i g_i(x), assembled without ever forming the lifted
 * matrix: the union sparsity pattern of the objective and all constraints is fixed once (CSR of the
 * Ising couplings, each constraint's terms as slots into it), and each iteration only scatters
 * v-weighted coefficients into preallocated arrays — O(total nonzeros), no maps, no sorting.
 * It also evaluates all constraints at a point in one pass (𝒜(H) for H = [1;x][1;x]ᵀ).
 */
import { isingModel, type IsingModel } from './solvers/model.ts';
import { unpairKey, type Constraint, type QuadForm } from './poly.ts';

interface Rows {
  /** Per row: ranges into the lin and quad arrays. */
  linPtr: Int32Array;
  linIdx: Int32Array;
  linVal: Float64Array;
  quadPtr: Int32Array;
  quadSlot: Int32Array;
  quadVal: Float64Array;
  konst: Float64Array;
}

export class LagrangianPattern {
  readonly n: number;
  readonly m: number;
  /** Pair endpoints per slot. */
  readonly pi: Int32Array;
  readonly pj: Int32Array;
  private readonly rows: Rows;
  /** The objective as row m. */
  private readonly model: IsingModel;
  /** For slot p: the two CSR positions of the coupling (i→j and j→i). */
  private readonly csrA: Int32Array;
  private readonly csrB: Int32Array;
  private readonly linear: Float64Array;
  private readonly pairVal: Float64Array;

  constructor(n: number, objective: QuadForm, constraints: readonly { g: QuadForm; scale: number }[]) {
    this.n = n;
    this.m = constraints.length;
    const slotOf = new Map<number, number>();
    const forms = [...constraints.map((c) => ({ g: c.g, s: 1 / c.scale })), { g: objective, s: 1 }];
    for (const { g } of forms) for (const k of g.quad.keys()) if (!slotOf.has(k)) slotOf.set(k, slotOf.size);
    const P = slotOf.size;
    this.pi = new Int32Array(P);
    this.pj = new Int32Array(P);
    for (const [k, p] of slotOf) {
      const [i, j] = unpairKey(k);
      this.pi[p] = i;
      this.pj[p] = j;
    }
    const R = forms.length;
    const linPtr = new Int32Array(R + 1);
    const quadPtr = new Int32Array(R + 1);
    forms.forEach(({ g }, r) => {
      linPtr[r + 1] = linPtr[r]! + g.lin.size;
      quadPtr[r + 1] = quadPtr[r]! + g.quad.size;
    });
    const linIdx = new Int32Array(linPtr[R]!);
    const linVal = new Float64Array(linPtr[R]!);
    const quadSlot = new Int32Array(quadPtr[R]!);
    const quadVal = new Float64Array(quadPtr[R]!);
    const konst = new Float64Array(R);
    forms.forEach(({ g, s }, r) => {
      let a = linPtr[r]!;
      for (const [i, v] of g.lin) {
        linIdx[a] = i;
        linVal[a++] = v * s;
      }
      let b = quadPtr[r]!;
      for (const [k, v] of g.quad) {
        quadSlot[b] = slotOf.get(k)!;
        quadVal[b++] = v * s;
      }
      konst[r] = g.c * s;
    });
    this.rows = { linPtr, linIdx, linVal, quadPtr, quadSlot, quadVal, konst };
    // A model with every pattern coupling present (value 1) fixes the CSR layout; values are overwritten per call.
    const couplings = Array.from({ length: P }, (_, p) => ({ i: this.pi[p]!, j: this.pj[p]!, v: 1 }));
    this.model = isingModel(new Float64Array(n), couplings, 0);
    this.csrA = new Int32Array(P);
    this.csrB = new Int32Array(P);
    const find = (i: number, j: number): number => {
      for (let q = this.model.rowPtr[i]!; q < this.model.rowPtr[i + 1]!; q++) if (this.model.col[q] === j) return q;
      throw new Error('LagrangianPattern: coupling missing from the CSR layout');
    };
    for (let p = 0; p < P; p++) {
      this.csrA[p] = find(this.pi[p]!, this.pj[p]!);
      this.csrB[p] = find(this.pj[p]!, this.pi[p]!);
    }
    this.linear = new Float64Array(n);
    this.pairVal = new Float64Array(P);
  }

  /** Values of all rows (scaled constraints, then the objective as the last) at a 0/1 point. */
  evaluate(x: ArrayLike<number>, out = new Float64Array(this.m + 1)): Float64Array {
    const { linPtr, linIdx, linVal, quadPtr, quadSlot, quadVal, konst } = this.rows;
    for (let r = 0; r <= this.m; r++) {
      let v = konst[r]!;
      for (let a = linPtr[r]!; a < linPtr[r + 1]!; a++) v += linVal[a]! * x[linIdx[a]!]!;
      for (let b = quadPtr[r]!; b < quadPtr[r + 1]!; b++) {
        const p = quadSlot[b]!;
        v += quadVal[b]! * x[this.pi[p]!]! * x[this.pj[p]!]!;
      }
      out[r] = v;
    }
    return out;
  }

  /**
   * The Ising model of objScale·f(x) + extra·x + Σ_i w_i g_i(x) (constants dropped). The returned
   * model is reused by the next call: solve it before assembling again.
   */
  assemble(w: Float64Array, objScale: number, extra?: Float64Array): IsingModel {
    const { linPtr, linIdx, linVal, quadPtr, quadSlot, quadVal } = this.rows;
    const lin = this.linear;
    const pv = this.pairVal;
    lin.fill(0);
    pv.fill(0);
    for (let r = 0; r <= this.m; r++) {
      const c = r === this.m ? objScale : w[r]!;
      if (c === 0) continue;
      for (let a = linPtr[r]!; a < linPtr[r + 1]!; a++) lin[linIdx[a]!]! += c * linVal[a]!;
      for (let b = quadPtr[r]!; b < quadPtr[r + 1]!; b++) pv[quadSlot[b]!]! += c * quadVal[b]!;
    }
    if (extra) for (let i = 0; i < this.n; i++) lin[i]! += extra[i]!;
    // QUBO → Ising in place (convert.ts's formulas): h_i = a_i/2 + Σ_j b_ij/4, J_ij = b_ij/4.
    const h = this.model.h;
    for (let i = 0; i < this.n; i++) h[i] = lin[i]! / 2;
    const val = this.model.val;
    for (let p = 0; p < pv.length; p++) {
      const b = pv[p]!;
      h[this.pi[p]!]! += b / 4;
      h[this.pj[p]!]! += b / 4;
      val[this.csrA[p]!] = b / 4;
      val[this.csrB[p]!] = b / 4;
    }
    return this.model;
  }
}

/** Per-constraint normalization: rows scaled by their largest coefficient (CGAL's SCALE_A, by ∞-norm). */
export function constraintScales(cs: readonly Constraint[]): number[] {
  return cs.map((c) => Math.max(c.g.maxAbs(), 1e-12));
}
