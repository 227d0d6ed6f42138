/**
 * The two problem forms every solver speaks, both sparse:
 *   QUBO   E(x) = offset + Σ_i linear_i x_i + Σ_{i<j} q_ij x_i x_j,   x ∈ {0,1}ⁿ
 *   Ising  E(s) = offset + Σ_i h_i s_i     + Σ_{i<j} J_ij s_i s_j,    s ∈ {−1,+1}ⁿ (dimod's convention)
 * The Ising model is stored as a symmetric CSR adjacency (each pair in both rows) so a spin's
 * local field is one contiguous row scan — the shape the SA inner loop wants.
 */

/** A QUBO as a term list: pairs (i < j) may repeat; repeats add. */
export interface Qubo {
  readonly n: number;
  readonly linear: Float64Array;
  readonly pairs: readonly { i: number; j: number; v: number }[];
  readonly offset: number;
}

/** An Ising model with a symmetric CSR coupling matrix (row i lists every j ≠ i with J_ij ≠ 0). */
export interface IsingModel {
  readonly n: number;
  readonly h: Float64Array;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
  readonly offset: number;
}

function checkIndex(where: string, n: number, i: number, j: number): void {
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= n || j >= n) {
    throw new Error(`${where}: pair (${i}, ${j}) is out of range for n = ${n}`);
  }
}

/** Builds the CSR Ising model from h and a list of couplings (i ≠ j, any order, repeats add; exact zeros dropped). */
export function isingModel(h: ArrayLike<number>, couplings: readonly { i: number; j: number; v: number }[], offset = 0): IsingModel {
  const n = h.length;
  const acc = new Map<number, number>();
  for (const { i, j, v } of couplings) {
    checkIndex('isingModel', n, i, j);
    if (i === j) throw new Error(`isingModel: coupling (${i}, ${i}) on the diagonal (s_i² = 1 is a constant: put it in the offset)`);
    if (!Number.isFinite(v)) throw new Error(`isingModel: coupling (${i}, ${j}) is ${v}`);
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    const k = a * n + b;
    acc.set(k, (acc.get(k) ?? 0) + v);
  }
  const deg = new Int32Array(n);
  for (const [k, v] of acc) {
    if (v === 0) continue;
    deg[Math.floor(k / n)]!++;
    deg[k % n]!++;
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i]! + deg[i]!;
  const col = new Int32Array(rowPtr[n]!);
  const val = new Float64Array(rowPtr[n]!);
  const fill = rowPtr.slice(0, n);
  // Sorted keys give sorted rows (deterministic layout, independent of insertion order).
  for (const k of [...acc.keys()].sort((p, q) => p - q)) {
    const v = acc.get(k)!;
    if (v === 0) continue;
    const a = Math.floor(k / n);
    const b = k % n;
    col[fill[a]!] = b;
    val[fill[a]!++] = v;
    col[fill[b]!] = a;
    val[fill[b]!++] = v;
  }
  const hh = Float64Array.from(h);
  for (let i = 0; i < n; i++) if (!Number.isFinite(hh[i]!)) throw new Error(`isingModel: h[${i}] is ${hh[i]}`);
  if (!Number.isFinite(offset)) throw new Error(`isingModel: offset is ${offset}`);
  return { n, h: hh, rowPtr, col, val, offset };
}

/** The pairs (i < j) of an Ising model with their couplings. */
export function isingCouplings(m: IsingModel): { i: number; j: number; v: number }[] {
  const out: { i: number; j: number; v: number }[] = [];
  for (let i = 0; i < m.n; i++) for (let p = m.rowPtr[i]!; p < m.rowPtr[i + 1]!; p++) if (m.col[p]! > i) out.push({ i, j: m.col[p]!, v: m.val[p]! });
  return out;
}

export function isingEnergy(m: IsingModel, s: ArrayLike<number>): number {
  let e = m.offset;
  for (let i = 0; i < m.n; i++) {
    const si = s[i]!;
    let f = 0;
    for (let p = m.rowPtr[i]!; p < m.rowPtr[i + 1]!; p++) if (m.col[p]! > i) f += m.val[p]! * s[m.col[p]!]!;
    e += si * (m.h[i]! + f);
  }
  return e;
}

export function quboEnergy(q: Qubo, x: ArrayLike<number>): number {
  let e = q.offset;
  for (let i = 0; i < q.n; i++) e += q.linear[i]! * x[i]!;
  for (const { i, j, v } of q.pairs) e += v * x[i]! * x[j]!;
  return e;
}

/** Maximum degree and mean degree of the coupling graph (for reports). */
export function degreeStats(m: IsingModel): { max: number; mean: number } {
  let max = 0;
  for (let i = 0; i < m.n; i++) max = Math.max(max, m.rowPtr[i + 1]! - m.rowPtr[i]!);
  return { max, mean: m.n ? m.rowPtr[m.n]! / m.n : 0 };
}
