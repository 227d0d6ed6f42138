/**
 * The Lanczos recurrence with full reorthogonalization, one step at a time (internal: lanczos,
 * SLQ and the comparison scripts drive it). After j steps, A·Q_j = Q_j·T_j + β_j·q_{j+1}·e_jᵀ with
 * orthonormal Q_j, T_j = tridiag(beta, alpha, beta).
 *
 * Breakdown (β_j ≈ 0: the Krylov space is invariant) is never divided by: with `restart` the
 * process continues from a fresh random vector orthogonal to Q_j (T gets a zero coupling there,
 * so repeated eigenvalues are found with their multiplicity); without it the process ends.
 */
import { foldIn, type Key } from '../tensor/prng.ts';
import { applyChecked, type LinearOperator } from './operator.ts';
import { gaussian } from './probes.ts';
import { axpy, dot, norm, scale } from './vec.ts';
import { Basis } from './basis.ts';

/** β below this times ‖T‖ counts as a breakdown (the residual is rounding noise). */
const BREAKDOWN_RTOL = 1e-12;

export class KrylovProcess {
  readonly alpha: number[] = [];
  /** beta[j] couples basis j and j+1 (0 where a breakdown restarted the process). */
  readonly beta: number[] = [];
  /** The last β computed: the residual coupling to the next (not yet used) vector. */
  lastBeta = 0;
  matvecs = 0;
  breakdowns = 0;
  /** True when no further step is possible (the whole space is spanned, or a breakdown without restart). */
  exhausted = false;
  private next: Float64Array;
  private normT = 0;
  private readonly store: Basis;

  constructor(
    private readonly routine: string,
    private readonly op: LinearOperator,
    start: Float64Array,
    private readonly key: Key,
    private readonly restart: boolean,
  ) {
    if (start.length !== op.size) throw new Error(`${routine}: the start vector has length ${start.length}, the operator size ${op.size}`);
    const s = norm(start);
    if (!Number.isFinite(s)) throw new Error(`${routine}: the start vector is not finite`);
    if (s === 0) throw new Error(`${routine}: the start vector is zero`);
    this.next = scale(1 / s, start);
    this.store = new Basis(op.size);
  }

  /** The orthonormal Lanczos vectors q_1 … q_j. */
  get basis(): readonly Float64Array[] {
    return this.store.vectors;
  }

  get steps(): number {
    return this.alpha.length;
  }

  /** One Lanczos step (one matvec). Returns false when exhausted. */
  step(): boolean {
    if (this.exhausted) return false;
    const j = this.alpha.length;
    const q = this.store.push(this.next);
    const w = applyChecked(this.routine, this.op, q, `at Lanczos step ${j + 1}`);
    this.matvecs++;
    const a = dot(q, w);
    axpy(-a, q, w);
    if (j > 0 && this.lastBeta !== 0) axpy(-this.lastBeta, this.basis[j - 1]!, w);
    this.store.orthogonalize(w);
    this.alpha.push(a);
    if (j > 0) this.beta.push(this.lastBeta);
    const b = norm(w);
    this.normT = Math.max(this.normT, Math.abs(a) + b + (j > 0 ? this.lastBeta : 0));
    if (this.basis.length >= this.op.size) {
      this.lastBeta = 0;
      this.exhausted = true;
    } else if (b > BREAKDOWN_RTOL * this.normT) {
      this.lastBeta = b;
      this.next = scale(1 / b, w);
    } else {
      this.lastBeta = 0;
      this.breakdowns++;
      if (!this.restart) {
        this.exhausted = true;
      } else {
        this.exhausted = !this.freshVector();
      }
    }
    return true;
  }

  /** A random unit vector orthogonal to the basis (false if none is left numerically). */
  private freshVector(): boolean {
    for (let attempt = 0; attempt < 3; attempt++) {
      const v = gaussian(foldIn(foldIn(this.key, this.breakdowns), attempt), this.op.size);
      const before = norm(v);
      this.store.orthogonalize(v);
      const after = norm(v);
      if (after > 1e-8 * before) {
        this.next = scale(1 / after, v);
        return true;
      }
    }
    return false;
  }
}
