/**
 * Raw float64 dense linear algebra on row-major Float64Arrays: Householder QR, symmetric
 * eigendecomposition (tridiagonalization + implicit QL), Cholesky and triangular solves.
 * No tensors, no autodiff: the js backend's qr/eigh/cholesky/solveTriangular (js.ts), and the
 * reference (with its argument checks and messages) that the wasm and native ports follow.
 *
 * Inputs are never modified. Hot loops run over contiguous memory, which is why several
 * routines work on a transposed copy internally. `symmetrize` (float32 or float64 in) prepares
 * eigh's and cholesky's input.
 */
import type { FloatArray } from './kernels.ts';

/** The argument checks, shared with the wasm port (same messages whichever backend runs). */
export function checkSize(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${fn}: ${name} must be a non-negative integer, got ${value}`);
}

/** Throws unless `arr` holds exactly `expected` finite numbers. */
export function checkArray(fn: string, name: string, arr: Float64Array, expected: number, sizes: string): void {
  if (arr.length !== expected) {
    throw new Error(`${fn}: ${name} has length ${arr.length}, expected ${expected} (${sizes})`);
  }
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isFinite(arr[i])) throw new Error(`${fn}: ${name} contains a non-finite value (${arr[i]}) at index ${i}`);
  }
}

/** sqrt(a² + b²) without overflow or underflow; cheaper than the variadic Math.hypot. */
function hypot2(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big === 0) return 0;
  const small = x > y ? y : x;
  const t = small / big;
  return big * Math.sqrt(1 + t * t);
}

/** Euclidean norm of x[start..end), scaled by the largest magnitude so that it cannot overflow or underflow. */
function norm2(x: Float64Array, start: number, end: number): number {
  let big = 0;
  for (let i = start; i < end; i++) {
    const v = Math.abs(x[i]!);
    if (v > big) big = v;
  }
  if (big === 0) return 0;
  const inv = 1 / big;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = x[i]! * inv;
    sum += v * v;
  }
  return big * Math.sqrt(sum);
}

/**
 * Applies the reflector H = I − τ v vᵀ to rows [rowStart, rowEnd) of x (row j at x[j*stride ..]),
 * touching only entries [lo, hi); v's entry i is at v[vOff + i]. Four rows share one pass over v,
 * which gives the dot products independent accumulators and halves the loads of v.
 */
function applyReflector(
  v: Float64Array,
  vOff: number,
  tau: number,
  x: Float64Array,
  stride: number,
  rowStart: number,
  rowEnd: number,
  lo: number,
  hi: number,
): void {
  let j = rowStart;
  for (; j + 3 < rowEnd; j += 4) {
    const x0 = j * stride;
    const x1 = x0 + stride;
    const x2 = x1 + stride;
    const x3 = x2 + stride;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let i = lo; i < hi; i++) {
      const vi = v[vOff + i]!;
      d0 += vi * x[x0 + i]!;
      d1 += vi * x[x1 + i]!;
      d2 += vi * x[x2 + i]!;
      d3 += vi * x[x3 + i]!;
    }
    d0 *= tau;
    d1 *= tau;
    d2 *= tau;
    d3 *= tau;
    for (let i = lo; i < hi; i++) {
      const vi = v[vOff + i]!;
      x[x0 + i]! -= d0 * vi;
      x[x1 + i]! -= d1 * vi;
      x[x2 + i]! -= d2 * vi;
      x[x3 + i]! -= d3 * vi;
    }
  }
  for (; j < rowEnd; j++) {
    const x0 = j * stride;
    let d0 = 0;
    for (let i = lo; i < hi; i++) d0 += v[vOff + i]! * x[x0 + i]!;
    d0 *= tau;
    for (let i = lo; i < hi; i++) x[x0 + i]! -= d0 * v[vOff + i]!;
  }
}

/**
 * Thin QR of the m×n matrix A (m ≥ n) by Householder reflections: Q is m×n with orthonormal
 * columns, R is n×n upper triangular with diag(R) ≥ 0 (unique, and > 0, for full-rank A).
 */
/** The symmetric part (A + Aᵀ)/2 of the n×n a, in float64 (contract in kernels.ts). */
export function symmetrize(a: FloatArray, n: number, s: Float64Array): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
}

export function qrHouseholder(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const fn = 'qrHouseholder';
  checkSize(fn, 'm', m);
  checkSize(fn, 'n', n);
  if (m < n) throw new Error(`${fn}: thin QR needs m ≥ n, got m=${m}, n=${n}`);
  checkArray(fn, 'a', a, m * n, `m=${m}, n=${n}`);

  // Column j of A is row j of `at`, so reflector dot products and updates are contiguous.
  // After step k, at[k*m + k..m) holds the Householder vector v_k (with v_k[0] = 1).
  const at = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!;
  const r = new Float64Array(n * n);
  const tau = new Float64Array(n);

  for (let k = 0; k < n; k++) {
    const ck = k * m;
    const alpha = at[ck + k]!;
    const tail = norm2(at, ck + k + 1, ck + m);
    let beta = alpha;
    if (tail !== 0) {
      // H = I − τ v vᵀ maps x to β e₁; β takes the sign opposite to α to avoid cancellation.
      beta = alpha > 0 ? -hypot2(alpha, tail) : hypot2(alpha, tail);
      tau[k] = (beta - alpha) / beta;
      const s = 1 / (alpha - beta);
      for (let i = ck + k + 1; i < ck + m; i++) at[i]! *= s;
      at[ck + k] = 1;
      applyReflector(at, ck, tau[k]!, at, m, k + 1, n, k, m);
    }
    r[k * n + k] = beta;
    for (let j = k + 1; j < n; j++) r[k * n + j] = at[j * m + k]!;
  }

  // Q = H₀H₁…H_{n−1} applied to the first n columns of I, accumulated backwards so that H_k only
  // touches columns ≥ k (columns < k are still unit vectors with zeros in rows ≥ k). Stored transposed.
  const qt = new Float64Array(n * m);
  for (let j = 0; j < n; j++) qt[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    if (tau[k] !== 0) applyReflector(at, k * m, tau[k]!, qt, m, k, n, k, m);
  }

  // Make diag(R) ≥ 0 by flipping row k of R together with column k of Q.
  for (let k = 0; k < n; k++) {
    if (r[k * n + k]! >= 0) continue;
    for (let j = k; j < n; j++) r[k * n + j] = -r[k * n + j]!;
    for (let i = 0; i < m; i++) qt[k * m + i] = -qt[k * m + i]!;
  }

  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) q[i * n + j] = qt[j * m + i]!;
  return { q, r };
}

/**
 * All eigenpairs of the symmetric n×n matrix A, reading only its LOWER triangle (the strict upper
 * triangle is ignored). Eigenvalues are ascending; eigenvector j is column j of `vectors`
 * (vectors[i*n + j] = component i), unit norm, with its sign fixed so that its largest-magnitude
 * component (the first one, on exact ties) is positive.
 *
 * Householder tridiagonalization followed by the implicit QL algorithm with Wilkinson-style
 * shifts (EISPACK tred2/tql2, as in JAMA). Internally the transformation matrix is kept
 * transposed, so eigenvectors are rows and every update touches contiguous memory.
 */
export function eighSymmetric(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const fn = 'eighSymmetric';
  checkSize(fn, 'n', n);
  checkArray(fn, 'a', a, n * n, `n=${n}`);
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };

  // w is Vᵀ for JAMA's V; starting from V = A, w's upper triangle is A's lower triangle (the
  // only part tridiagonalize reads before writing).
  const w = new Float64Array(n * n);
  let amax = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      w[j * n + i] = a[i * n + j]!;
      amax = Math.max(amax, Math.abs(a[i * n + j]!));
    }
  }
  // Products of two entries must neither overflow nor underflow: rescale far-out matrices by an
  // exact power of two (clamped so that the factor itself is representable), undone on the eigenvalues.
  const farOut = amax > 2 ** 200 || (amax > 0 && amax < 2 ** -200);
  const exponent = farOut ? Math.max(-1000, Math.min(1000, Math.round(Math.log2(amax)))) : 0;
  if (exponent !== 0) {
    const down = 2 ** -exponent;
    for (let i = 0; i < n * n; i++) w[i]! *= down;
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, d, e, n);
  tridiagonalQl(w, d, e, n);
  if (exponent !== 0) {
    const up = 2 ** exponent;
    for (let i = 0; i < n; i++) d[i]! *= up;
  }

  // Sort ascending (selection sort: n swaps of eigenvector rows at most).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (d[j]! < d[k]!) k = j;
    if (k === i) continue;
    const t = d[i]!;
    d[i] = d[k]!;
    d[k] = t;
    for (let c = 0; c < n; c++) {
      const s = w[i * n + c]!;
      w[i * n + c] = w[k * n + c]!;
      w[k * n + c] = s;
    }
  }

  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = j * n;
    let pivot = 0;
    for (let i = 1; i < n; i++) if (Math.abs(w[row + i]!) > Math.abs(w[row + pivot]!)) pivot = i;
    const sign = w[row + pivot]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i * n + j] = sign * w[row + i]!;
  }
  return { values: d, vectors };
}

/**
 * Householder reduction to tridiagonal form (tred2). On entry w's upper triangle holds the matrix;
 * on exit d is the diagonal, e[1..n) the subdiagonal (e[0] = 0) and w the transposed orthogonal
 * transformation. JAMA's loops with rows and columns swapped, so the inner loops run along rows.
 */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1]!;

  for (let i = n - 1; i > 0; i--) {
    // Scale the row to avoid under/overflow in the reflector.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!;
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      // Row i keeps the Householder vector u (= d) for the accumulation below; then
      // p = A u / h (in e), K = uᵀp / 2h, q = p − K u, and A −= u qᵀ + q uᵀ.
      for (let j = 0; j < i; j++) {
        e[j] = 0;
        w[i * n + j] = d[j]!;
      }
      symmetricMatVec(w, d, e, n, i);
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      rank2Update(w, d, e, n, i);
      // The next step reduces row i−1 of the updated block.
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!;
        w[j * n + i] = 0;
      }
    }
    d[i] = h;
  }

  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    const ri = i * n;
    const ri1 = (i + 1) * n;
    w[ri + n - 1] = w[ri + i]!;
    w[ri + i] = 1;
    // Row i+1 holds the Householder vector u of step i+1 and d[i+1] = uᵀu/2: apply I − u uᵀ/d[i+1].
    const h = d[i + 1]!;
    if (h !== 0) applyReflector(w, ri1, 1 / h, w, n, 0, i + 1, 0, i + 1);
    for (let k = 0; k <= i; k++) w[ri1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[n * n - 1] = 1;
  e[0] = 0;
}

/**
 * e += A·d for the leading i×i block of the symmetric matrix whose upper triangle lives in w's
 * rows: row j contributes a dot product to e[j] and, by symmetry, an axpy into e[j+1..i).
 * Two rows per pass share the loads and stores of d and e.
 */
function symmetricMatVec(w: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number): void {
  let j = 0;
  for (; j + 1 < i; j += 2) {
    const r0 = j * n;
    const r1 = r0 + n;
    const f0 = d[j]!;
    const f1 = d[j + 1]!;
    let g0 = e[j]! + w[r0 + j]! * f0 + w[r0 + j + 1]! * f1;
    e[j + 1]! += w[r0 + j + 1]! * f0;
    let g1 = e[j + 1]! + w[r1 + j + 1]! * f1;
    for (let k = j + 2; k < i; k++) {
      const dk = d[k]!;
      const a0 = w[r0 + k]!;
      const a1 = w[r1 + k]!;
      g0 += a0 * dk;
      g1 += a1 * dk;
      e[k]! += a0 * f0 + a1 * f1;
    }
    e[j] = g0;
    e[j + 1] = g1;
  }
  if (j < i) e[j]! += w[j * n + j]! * d[j]!;
}

/** A −= d eᵀ + e dᵀ on the upper triangle (in w's rows) of the leading i×i block, two rows per pass. */
function rank2Update(w: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number): void {
  let j = 0;
  for (; j + 1 < i; j += 2) {
    const r0 = j * n;
    const r1 = r0 + n;
    const f0 = d[j]!;
    const f1 = d[j + 1]!;
    const g0 = e[j]!;
    const g1 = e[j + 1]!;
    w[r0 + j]! -= 2 * f0 * g0;
    for (let k = j + 1; k < i; k++) {
      const ek = e[k]!;
      const dk = d[k]!;
      w[r0 + k]! -= f0 * ek + g0 * dk;
      w[r1 + k]! -= f1 * ek + g1 * dk;
    }
  }
  if (j < i) w[j * n + j]! -= 2 * d[j]! * e[j]!;
}

/**
 * Implicit QL with shifts on the symmetric tridiagonal (d, e) from `tridiagonalize` (tql2).
 * On exit d holds the eigenvalues (unsorted) and row j of w the eigenvector of d[j].
 */
function tridiagonalQl(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;

  const eps = 2 ** -52;
  // Typically under 2 sweeps per eigenvalue; the cap only guards against non-convergence.
  const maxSweeps = 30 * n;
  let sweeps = 0;
  let shift = 0;
  let tst1 = 0;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let l = 0; l < n; l++) {
    // Find a negligible subdiagonal element (e[n-1] = 0 ends the search).
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (Math.abs(e[m]!) > eps * tst1) m++;

    // If m == l, d[l] is already an eigenvalue; otherwise iterate.
    while (m > l && Math.abs(e[l]!) > eps * tst1) {
      if (++sweeps > maxSweeps) throw new Error(`eighSymmetric: QL iteration did not converge (n=${n})`);
      // Shift from the leading 2×2 block's eigenvalue closer to d[l].
      let g = d[l]!;
      let p = (d[l + 1]! - g) / (2 * e[l]!);
      let r = hypot2(p, 1);
      if (p < 0) r = -r;
      d[l] = e[l]! / (p + r);
      d[l + 1] = e[l]! * (p + r);
      const dl1 = d[l + 1]!;
      let h = g - d[l]!;
      for (let i = l + 2; i < n; i++) d[i]! -= h;
      shift += h;

      // Implicit QL sweep from m−1 up to l. Its rotations are recorded and applied to the
      // eigenvector rows afterwards, two per pass, which saves a load and store per element.
      p = d[m]!;
      let c = 1;
      let c2 = 1;
      let c3 = 1;
      const el1 = e[l + 1]!;
      let s = 0;
      let s2 = 0;
      for (let i = m - 1; i >= l; i--) {
        c3 = c2;
        c2 = c;
        s2 = s;
        g = c * e[i]!;
        h = c * p;
        r = hypot2(p, e[i]!);
        e[i + 1] = s * r;
        s = e[i]! / r;
        c = p / r;
        p = c * d[i]! - s * g;
        d[i + 1] = h + s * (c * g + s * d[i]!);
        cos[i] = c;
        sin[i] = s;
      }
      rotateRows(w, n, cos, sin, l, m);
      p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
      e[l] = s * p;
      d[l] = c * p;
    }
    d[l]! += shift;
    e[l] = 0;
  }
}

/**
 * Applies the plane rotations of one QL sweep to the eigenvector rows of w, in sweep order
 * i = m−1 down to l: rotation i mixes rows i and i+1 as
 * (row_i, row_{i+1}) ← (c·row_i − s·row_{i+1}, s·row_i + c·row_{i+1}).
 */
function rotateRows(w: Float64Array, n: number, cos: Float64Array, sin: Float64Array, l: number, m: number): void {
  let i = m - 1;
  // Rotations i and i−1 in one pass over rows i−1, i, i+1.
  for (; i > l; i -= 2) {
    const c1 = cos[i]!;
    const s1 = sin[i]!;
    const c0 = cos[i - 1]!;
    const s0 = sin[i - 1]!;
    const r0 = (i - 1) * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    for (let k = 0; k < n; k++) {
      const x0 = w[r0 + k]!;
      const x1 = w[r1 + k]!;
      const x2 = w[r2 + k]!;
      const y1 = c1 * x1 - s1 * x2;
      w[r2 + k] = s1 * x1 + c1 * x2;
      w[r1 + k] = s0 * x0 + c0 * y1;
      w[r0 + k] = c0 * x0 - s0 * y1;
    }
  }
  if (i === l) {
    const c = cos[i]!;
    const s = sin[i]!;
    const r0 = i * n;
    const r1 = r0 + n;
    for (let k = 0; k < n; k++) {
      const x0 = w[r0 + k]!;
      const x1 = w[r1 + k]!;
      w[r1 + k] = s * x0 + c * x1;
      w[r0 + k] = c * x0 - s * x1;
    }
  }
}

/** Lower-triangular L with A = LLᵀ, reading only the lower triangle of the n×n matrix A. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const fn = 'cholesky';
  checkSize(fn, 'n', n);
  checkArray(fn, 'a', a, n * n, `n=${n}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (j < i) {
        l[ri + j] = s / l[rj + j]!;
      } else {
        // `!(s > 0)` also catches NaN from an overflowing sum.
        if (!(s > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${i} is ${s}, n=${n})`);
        l[ri + i] = Math.sqrt(s);
      }
    }
  }
  return l;
}

/** solveTriangular's argument checks (sizes, lengths, finiteness), shared with the kernel ports. */
export function checkSolveTriangularArgs(t: Float64Array, b: Float64Array, n: number, nrhs: number): void {
  const fn = 'solveTriangular';
  checkSize(fn, 'n', n);
  checkSize(fn, 'nrhs', nrhs);
  checkArray(fn, 't', t, n * n, `n=${n}`);
  checkArray(fn, 'b', b, n * nrhs, `n=${n}, nrhs=${nrhs}`);
}

/**
 * X with op(T)·X = B, where T is n×n triangular (only its `lower` or upper triangle is read,
 * and with `unitDiagonal` not its diagonal either), op(T) = Tᵀ if `transpose`, and B is n×nrhs.
 */
export function solveTriangular(
  t: Float64Array,
  b: Float64Array,
  n: number,
  nrhs: number,
  opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean },
): Float64Array {
  checkSolveTriangularArgs(t, b, n, nrhs);
  const { lower, transpose } = opts;
  const unit = opts.unitDiagonal ?? false;
  if (!unit) {
    for (let i = 0; i < n; i++) {
      if (t[i * n + i] === 0) throw new Error(`solveTriangular: matrix is singular (zero diagonal at ${i}, n=${n})`);
    }
  }

  // op(T) is lower triangular exactly when T is lower XOR transposed: then substitute forwards.
  const forward = lower !== transpose;
  const x = Float64Array.from(b);
  for (let step = 0; step < n; step++) {
    const i = forward ? step : n - 1 - step;
    const xi = i * nrhs;
    // Row i of X minus op(T)[i][k] · row k for every already solved k (all within T's triangle).
    const kStart = forward ? 0 : i + 1;
    const kEnd = forward ? i : n;
    for (let k = kStart; k < kEnd; k++) {
      const c = transpose ? t[k * n + i]! : t[i * n + k]!;
      if (c === 0) continue;
      const xk = k * nrhs;
      for (let col = 0; col < nrhs; col++) x[xi + col]! -= c * x[xk + col]!;
    }
    if (!unit) {
      const diag = t[i * n + i]!;
      for (let col = 0; col < nrhs; col++) x[xi + col]! /= diag;
    }
  }
  return x;
}
