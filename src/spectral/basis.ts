/**
 * An orthonormal basis stored in contiguous blocks of vectors, so that full reorthogonalization
 * is two GEMM-shaped products per block (h = B·w, w −= Bᵀ·h) on the active kernel backend rather
 * than j separate dot/axpy loops: the Krylov routines' cost besides the matvecs.
 */
import { kernels } from '../kernels/backend.ts';
import { norm } from './vec.ts';

const BLOCK = 32;

export class Basis {
  /** The vectors, as views into the blocks (do not modify). */
  readonly vectors: Float64Array[] = [];
  private readonly blocks: Float64Array[] = [];
  private readonly h = new Float64Array(BLOCK);
  private readonly t: Float64Array;

  constructor(readonly n: number) {
    this.t = new Float64Array(n);
  }

  get length(): number {
    return this.vectors.length;
  }

  push(v: Float64Array): Float64Array {
    const i = this.vectors.length % BLOCK;
    if (i === 0) this.blocks.push(new Float64Array(BLOCK * this.n));
    const block = this.blocks[this.blocks.length - 1]!;
    const view = block.subarray(i * this.n, (i + 1) * this.n);
    view.set(v);
    this.vectors.push(view);
    return view;
  }

  /**
   * w ← (I − Q·Qᵀ)w in place by classical Gram–Schmidt, repeated once when the first pass removed
   * most of w (‖w‖ fell below 1/√2 of its value: Daniel–Gragg–Kaufman–Stewart), which is when
   * rounding can leave w measurably non-orthogonal. "Twice is enough" for machine precision.
   */
  orthogonalize(w: Float64Array): void {
    const n = this.n;
    const k = kernels();
    for (let pass = 0; pass < 2; pass++) {
      const before = pass === 0 ? norm(w) : 0;
      this.blocks.forEach((block, b) => {
        const c = Math.min(BLOCK, this.vectors.length - b * BLOCK);
        const h = this.h.subarray(0, c);
        const a = block.subarray(0, c * n);
        k.gemm(a, w, h, { batch: 1, m: c, n: 1, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
        k.gemm(a, h, this.t, { batch: 1, m: n, n: 1, k: c, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 });
        const t = this.t;
        for (let i = 0; i < n; i++) w[i]! -= t[i]!;
      });
      if (pass === 0 && norm(w) > Math.SQRT1_2 * before) return;
    }
  }
}
