/*
 * Dense float64 linear algebra for the wasm backend: the symmetric eigendecomposition and the
 * thin Householder QR of src/kernels/dense.ts (eighSymmetric, qrHouseholder), ported loop for loop
 * so that results agree with the js reference to rounding and the conventions are identical
 * (see the `qr`/`eigh` contract in src/kernels/kernels.ts); and its cholesky and
 * solveTriangular, register-blocked (see their section below). The scalar recurrences run in the
 * same order as dense.ts; the O(n³) inner loops use f64x2 lanes. Element-wise updates (axpys,
 * the rank-2 update, Givens rotations) therefore give the same bits as the JS loops; only the
 * dot products sum in a different order (two lanes, then the tail).
 *
 * Freestanding: no libc. sqrt and fabs are builtins (f64.sqrt, f64.abs); hypot is written out,
 * scaled like dense.ts's hypot2. The caller (src/kernels/wasm.ts) validates the input (sizes,
 * finiteness) before calling, and provides all memory: inputs, outputs and a work area.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
/*
 * The O(n³) loops stay separate functions. V8 first runs a module in its baseline compiler and
 * recompiles hot functions in the background, but a call already running is never switched
 * over: kept out of line, the hot loops get the optimized code from their next call on, even
 * during the very first (long) eigh_f64 or qr_f64 call.
 */
#define NOINLINE __attribute__((noinline))

typedef v128_t V;
#define LD(p) wasm_v128_load(p)
#define ST(p, x) wasm_v128_store(p, x)
#define VADD wasm_f64x2_add
#define VSUB wasm_f64x2_sub
#define VMUL wasm_f64x2_mul
#define SPLAT wasm_f64x2_splat

static inline double hsum(V x) { return wasm_f64x2_extract_lane(x, 0) + wasm_f64x2_extract_lane(x, 1); }

static inline double fabs_(double x) { return __builtin_fabs(x); }
static inline double sqrt_(double x) { return __builtin_sqrt(x); }

/* Fills n doubles with zero (clang lowers this to memory.fill). */
static void zero(double *p, int n) { __builtin_memset(p, 0, (unsigned long)n * sizeof(double)); }

/* sqrt(a² + b²) without overflow or underflow (dense.ts's hypot2). */
static inline double hypot2(double a, double b) {
  double x = fabs_(a), y = fabs_(b);
  double big = x > y ? x : y;
  if (big == 0) return 0;
  double small = x > y ? y : x;
  double t = small / big;
  return big * sqrt_(1 + t * t);
}

/* Euclidean norm of x[0..len), scaled by the largest magnitude (dense.ts's norm2, same order). */
static double norm2(const double *x, int len) {
  double big = 0;
  for (int i = 0; i < len; i++) {
    double v = fabs_(x[i]);
    if (v > big) big = v;
  }
  if (big == 0) return 0;
  double inv = 1 / big, sum = 0;
  for (int i = 0; i < len; i++) {
    double v = x[i] * inv;
    sum += v * v;
  }
  return big * sqrt_(sum);
}

/* Σ v[i]·x[i] over [0, len): two lanes (even and odd offsets), then the odd tail. */
static inline double dot(const double *v, const double *x, int len) {
  V acc = SPLAT(0);
  int i = 0;
  for (; i + 2 <= len; i += 2) acc = VADD(acc, VMUL(LD(v + i), LD(x + i)));
  double s = hsum(acc);
  for (; i < len; i++) s += v[i] * x[i];
  return s;
}

/* x[0..len) −= d·v[0..len): the same bits as the scalar loop (no FMA in SIMD128). */
static inline void axpy_sub(double d, const double *v, double *x, int len) {
  V D = SPLAT(d);
  int i = 0;
  for (; i + 2 <= len; i += 2) ST(x + i, VSUB(LD(x + i), VMUL(D, LD(v + i))));
  for (; i < len; i++) x[i] -= d * v[i];
}

/*
 * Applies H = I − τ v vᵀ to rows [rowStart, rowEnd) of x (row j at x + j*stride), entries
 * [lo, hi); v's entry i is v[i]. Four rows share each pass over v (dense.ts's applyReflector).
 * v never overlaps the rows being updated.
 */
NOINLINE static void apply_reflector(const double *v, double tau, double *x, int stride, int rowStart, int rowEnd, int lo, int hi) {
  const double *vv = v + lo;
  const int len = hi - lo;
  int j = rowStart;
  for (; j + 3 < rowEnd; j += 4) {
    double *x0 = x + j * stride + lo, *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
    V a0 = SPLAT(0), a1 = SPLAT(0), a2 = SPLAT(0), a3 = SPLAT(0);
    int i = 0;
    for (; i + 2 <= len; i += 2) {
      V vi = LD(vv + i);
      a0 = VADD(a0, VMUL(vi, LD(x0 + i)));
      a1 = VADD(a1, VMUL(vi, LD(x1 + i)));
      a2 = VADD(a2, VMUL(vi, LD(x2 + i)));
      a3 = VADD(a3, VMUL(vi, LD(x3 + i)));
    }
    double d0 = hsum(a0), d1 = hsum(a1), d2 = hsum(a2), d3 = hsum(a3);
    for (; i < len; i++) {
      double vi = vv[i];
      d0 += vi * x0[i];
      d1 += vi * x1[i];
      d2 += vi * x2[i];
      d3 += vi * x3[i];
    }
    d0 *= tau;
    d1 *= tau;
    d2 *= tau;
    d3 *= tau;
    V D0 = SPLAT(d0), D1 = SPLAT(d1), D2 = SPLAT(d2), D3 = SPLAT(d3);
    for (i = 0; i + 2 <= len; i += 2) {
      V vi = LD(vv + i);
      ST(x0 + i, VSUB(LD(x0 + i), VMUL(D0, vi)));
      ST(x1 + i, VSUB(LD(x1 + i), VMUL(D1, vi)));
      ST(x2 + i, VSUB(LD(x2 + i), VMUL(D2, vi)));
      ST(x3 + i, VSUB(LD(x3 + i), VMUL(D3, vi)));
    }
    for (; i < len; i++) {
      double vi = vv[i];
      x0[i] -= d0 * vi;
      x1[i] -= d1 * vi;
      x2[i] -= d2 * vi;
      x3[i] -= d3 * vi;
    }
  }
  for (; j < rowEnd; j++) {
    double *x0 = x + j * stride + lo;
    double d0 = dot(vv, x0, len) * tau;
    axpy_sub(d0, vv, x0, len);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* QR                                                                                          */
/* ------------------------------------------------------------------------------------------ */

/*
 * Thin QR of the row-major m×n A (m ≥ n ≥ 1): Q (m×n) and R (n×n, diag ≥ 0), dense.ts's
 * qrHouseholder. work holds 2·m·n + n doubles.
 */
EXPORT("qr_f64")
void qr_f64(int m, int n, const double *restrict a, double *restrict q, double *restrict r, double *restrict work) {
  double *at = work;          /* column j of A is row j of at */
  double *qt = at + m * n;    /* Qᵀ */
  double *tau = qt + n * m;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
  zero(r, n * n);
  zero(tau, n);

  for (int k = 0; k < n; k++) {
    double *ck = at + k * m;
    double alpha = ck[k];
    double tail = norm2(ck + k + 1, m - k - 1);
    double beta = alpha;
    if (tail != 0) {
      beta = alpha > 0 ? -hypot2(alpha, tail) : hypot2(alpha, tail);
      tau[k] = (beta - alpha) / beta;
      double s = 1 / (alpha - beta);
      for (int i = k + 1; i < m; i++) ck[i] *= s;
      ck[k] = 1;
      apply_reflector(ck, tau[k], at, m, k + 1, n, k, m);
    }
    r[k * n + k] = beta;
    for (int j = k + 1; j < n; j++) r[k * n + j] = at[j * m + k];
  }

  /* Q = H₀…H_{n−1} applied to the first n columns of I, backwards, kept transposed. */
  zero(qt, n * m);
  for (int j = 0; j < n; j++) qt[j * m + j] = 1;
  for (int k = n - 1; k >= 0; k--) {
    if (tau[k] != 0) apply_reflector(at + k * m, tau[k], qt, m, k, n, k, m);
  }

  /* diag(R) ≥ 0: flip row k of R with column k of Q. */
  for (int k = 0; k < n; k++) {
    if (r[k * n + k] >= 0) continue;
    for (int j = k; j < n; j++) r[k * n + j] = -r[k * n + j];
    for (int i = 0; i < m; i++) qt[k * m + i] = -qt[k * m + i];
  }

  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) q[i * n + j] = qt[j * m + i];
}

/* ------------------------------------------------------------------------------------------ */
/* Symmetric eigendecomposition                                                               */
/* ------------------------------------------------------------------------------------------ */

/*
 * e += A·d for the leading i×i block of the symmetric matrix whose upper triangle is in w's rows
 * (dense.ts's symmetricMatVec): row j gives a dot product into e[j] and an axpy into e[j+1..i).
 */
NOINLINE static void sym_matvec(const double *restrict w, const double *restrict d, double *restrict e, int n, int i) {
  int j = 0;
  for (; j + 1 < i; j += 2) {
    const double *r0 = w + j * n, *r1 = r0 + n;
    const double f0 = d[j], f1 = d[j + 1];
    double g0 = e[j] + r0[j] * f0 + r0[j + 1] * f1;
    e[j + 1] += r0[j + 1] * f0;
    double g1 = e[j + 1] + r1[j + 1] * f1;
    const V F0 = SPLAT(f0), F1 = SPLAT(f1);
    V G0 = SPLAT(0), G1 = SPLAT(0);
    int k = j + 2;
    for (; k + 2 <= i; k += 2) {
      V dk = LD(d + k), a0 = LD(r0 + k), a1 = LD(r1 + k);
      G0 = VADD(G0, VMUL(a0, dk));
      G1 = VADD(G1, VMUL(a1, dk));
      ST(e + k, VADD(LD(e + k), VADD(VMUL(a0, F0), VMUL(a1, F1))));
    }
    double t0 = hsum(G0), t1 = hsum(G1);
    for (; k < i; k++) {
      double dk = d[k], a0 = r0[k], a1 = r1[k];
      t0 += a0 * dk;
      t1 += a1 * dk;
      e[k] += a0 * f0 + a1 * f1;
    }
    e[j] = g0 + t0;
    e[j + 1] = g1 + t1;
  }
  if (j < i) e[j] += w[j * n + j] * d[j];
}

/* A −= d eᵀ + e dᵀ on the upper triangle (w's rows) of the leading i×i block (rank2Update). */
NOINLINE static void rank2_update(double *restrict w, const double *restrict d, const double *restrict e, int n, int i) {
  int j = 0;
  for (; j + 1 < i; j += 2) {
    double *r0 = w + j * n, *r1 = r0 + n;
    const double f0 = d[j], f1 = d[j + 1], g0 = e[j], g1 = e[j + 1];
    r0[j] -= 2 * f0 * g0;
    const V F0 = SPLAT(f0), F1 = SPLAT(f1), G0 = SPLAT(g0), G1 = SPLAT(g1);
    int k = j + 1;
    for (; k + 2 <= i; k += 2) {
      V ek = LD(e + k), dk = LD(d + k);
      ST(r0 + k, VSUB(LD(r0 + k), VADD(VMUL(F0, ek), VMUL(G0, dk))));
      ST(r1 + k, VSUB(LD(r1 + k), VADD(VMUL(F1, ek), VMUL(G1, dk))));
    }
    for (; k < i; k++) {
      double ek = e[k], dk = d[k];
      r0[k] -= f0 * ek + g0 * dk;
      r1[k] -= f1 * ek + g1 * dk;
    }
  }
  if (j < i) w[j * n + j] -= 2 * d[j] * e[j];
}

/*
 * Householder reduction to tridiagonal form (tred2), as dense.ts's tridiagonalize: on entry w's
 * upper triangle holds the matrix; on exit d is the diagonal, e[1..n) the subdiagonal and w the
 * transposed orthogonal transformation.
 */
static void tridiagonalize(double *restrict w, double *restrict d, double *restrict e, int n) {
  for (int j = 0; j < n; j++) d[j] = w[j * n + n - 1];

  for (int i = n - 1; i > 0; i--) {
    double scale = 0, h = 0;
    for (int k = 0; k < i; k++) scale += fabs_(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (int j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (int k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = sqrt_(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (int j = 0; j < i; j++) {
        e[j] = 0;
        w[i * n + j] = d[j];
      }
      sym_matvec(w, d, e, n, i);
      f = 0;
      for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      double hh = f / (h + h);
      for (int j = 0; j < i; j++) e[j] -= hh * d[j];
      rank2_update(w, d, e, n, i);
      for (int j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
      }
    }
    d[i] = h;
  }

  /* Accumulate the transformations. */
  for (int i = 0; i < n - 1; i++) {
    double *ri = w + i * n, *ri1 = ri + n;
    ri[n - 1] = ri[i];
    ri[i] = 1;
    double h = d[i + 1];
    if (h != 0) apply_reflector(ri1, 1 / h, w, n, 0, i + 1, 0, i + 1);
    for (int k = 0; k <= i; k++) ri1[k] = 0;
  }
  for (int j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[n * n - 1] = 1;
  e[0] = 0;
}

/*
 * Rotations top, top−1, …, top−cnt+1 of a sweep in one pass over rows top−cnt+1 … top+1: each
 * column's current row top+1 is carried through the chain in a register, so a pass loads and
 * stores cnt+1 rows for cnt rotations (dense.ts fuses two). cnt is a constant after inlining.
 */
static inline __attribute__((always_inline)) void rotate_chain(double *restrict w, int n, const double *restrict cs, const double *restrict sn, int top, int cnt) {
  double *base = w + (top + 1) * n; /* row top+1; rotation top−t reads row top−t at base − (t+1)·n */
  V C[4], S[4];
  double c[4], s[4];
  for (int t = 0; t < cnt; t++) {
    c[t] = cs[top - t];
    s[t] = sn[top - t];
    C[t] = SPLAT(c[t]);
    S[t] = SPLAT(s[t]);
  }
  int k = 0;
  for (; k + 2 <= n; k += 2) {
    V x = LD(base + k);
    for (int t = 0; t < cnt; t++) {
      double *p = base - (t + 1) * n + k;
      V y = LD(p);
      ST(p + n, VADD(VMUL(S[t], y), VMUL(C[t], x)));
      x = VSUB(VMUL(C[t], y), VMUL(S[t], x));
    }
    ST(base - cnt * n + k, x);
  }
  for (; k < n; k++) {
    double x = base[k];
    for (int t = 0; t < cnt; t++) {
      double *p = base - (t + 1) * n + k;
      double y = *p;
      p[n] = s[t] * y + c[t] * x;
      x = c[t] * y - s[t] * x;
    }
    base[k - cnt * n] = x;
  }
}

/*
 * The rotations of one QL sweep applied to the eigenvector rows of w in sweep order i = m−1 down
 * to l: (row_i, row_{i+1}) ← (c·row_i − s·row_{i+1}, s·row_i + c·row_{i+1}), dense.ts's formulas
 * (so the same bits as its rotateRows), four rotations per pass over the rows.
 */
NOINLINE static void rotate_rows(double *restrict w, int n, const double *restrict cs, const double *restrict sn, int l, int m) {
  int i = m - 1;
  for (; i - 3 >= l; i -= 4) rotate_chain(w, n, cs, sn, i, 4);
  switch (i - l + 1) {
    case 3: rotate_chain(w, n, cs, sn, i, 3); break;
    case 2: rotate_chain(w, n, cs, sn, i, 2); break;
    case 1: rotate_chain(w, n, cs, sn, i, 1); break;
    default: break;
  }
}

/*
 * One implicit QL sweep (shift, chase, rotations of the eigenvector rows) on the unreduced
 * block l..m of (d, e), as in dense.ts's tridiagonalQl; returns the shift it subtracted from
 * d[l+2..n).
 */
NOINLINE static double ql_sweep(double *restrict w, double *restrict d, double *restrict e, double *restrict cs, double *restrict sn, int n, int l, int m) {
  double g = d[l];
  double p = (d[l + 1] - g) / (2 * e[l]);
  double r = hypot2(p, 1);
  if (p < 0) r = -r;
  d[l] = e[l] / (p + r);
  d[l + 1] = e[l] * (p + r);
  const double dl1 = d[l + 1];
  double h = g - d[l];
  for (int i = l + 2; i < n; i++) d[i] -= h;
  const double shift = h;

  /* The chase from m−1 up to l; its rotations are recorded, then applied to w's rows. */
  p = d[m];
  double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
  const double el1 = e[l + 1];
  for (int i = m - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    g = c * e[i];
    h = c * p;
    r = hypot2(p, e[i]);
    e[i + 1] = s * r;
    s = e[i] / r;
    c = p / r;
    p = c * d[i] - s * g;
    d[i + 1] = h + s * (c * g + s * d[i]);
    cs[i] = c;
    sn[i] = s;
  }
  rotate_rows(w, n, cs, sn, l, m);
  p = (-s * s2 * c3 * el1 * e[l]) / dl1;
  e[l] = s * p;
  d[l] = c * p;
  return shift;
}

/*
 * Implicit QL with shifts on the tridiagonal (d, e) (tql2, dense.ts's tridiagonalQl). On exit d
 * holds the eigenvalues (unsorted) and row j of w the eigenvector of d[j]. Returns 0, or 1 when
 * the iteration cap is hit.
 */
static int tridiagonal_ql(double *restrict w, double *restrict d, double *restrict e, double *restrict cs, double *restrict sn, int n) {
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;

  const double eps = 0x1p-52;
  /* Typically under 2 sweeps per eigenvalue; the cap only guards against non-convergence. */
  const long maxSweeps = 30L * n;
  long sweeps = 0;
  double shift = 0, tst1 = 0;
  for (int l = 0; l < n; l++) {
    /* Find a negligible subdiagonal element (e[n−1] = 0 ends the search). */
    double t = fabs_(d[l]) + fabs_(e[l]);
    if (t > tst1) tst1 = t;
    int m = l;
    while (fabs_(e[m]) > eps * tst1) m++;

    while (m > l && fabs_(e[l]) > eps * tst1) {
      if (++sweeps > maxSweeps) return 1;
      shift += ql_sweep(w, d, e, cs, sn, n, l, m);
    }
    d[l] += shift;
    e[l] = 0;
  }
  return 0;
}

/* 2^k as a double, for −1022 ≤ k ≤ 1023. */
static double pow2(int k) {
  unsigned long long bits = (unsigned long long)(k + 1023) << 52;
  double x;
  __builtin_memcpy(&x, &bits, sizeof x);
  return x;
}

/*
 * round(log2(x)) for finite x > 0, as Math.round(Math.log2(x)): the binary exponent, plus one
 * when the significand is at least √2 (log2 of it ≥ ½).
 */
static int round_log2(double x) {
  int adjust = 0;
  if (x < 0x1p-1022) {
    x *= 0x1p52;
    adjust = -52;
  }
  unsigned long long bits;
  __builtin_memcpy(&bits, &x, sizeof bits);
  int e = (int)((bits >> 52) & 0x7ff) - 1023;
  unsigned long long mant = bits & 0xfffffffffffffULL;
  double sig;
  unsigned long long one = (1023ULL << 52) | mant;
  __builtin_memcpy(&sig, &one, sizeof sig);
  /* √2 rounded up: every double significand ≥ it has log2 > ½ − 2⁻⁵³. */
  return e + adjust + (sig >= 1.4142135623730951 ? 1 : 0);
}

/*
 * All eigenpairs of the symmetric n×n A (n ≥ 1), reading its LOWER triangle only: values
 * ascending, vectors[i*n + j] = component i of eigenvector j, unit norm, largest-magnitude
 * component (first on ties) positive. dense.ts's eighSymmetric. work holds n² + 4n doubles.
 * Returns 0, or 1 if the QL iteration did not converge.
 */
EXPORT("eigh_f64")
int eigh_f64(int n, const double *restrict a, double *restrict values, double *restrict vectors, double *restrict work) {
  double *w = work;       /* Vᵀ for JAMA's V */
  double *e = w + n * n;
  double *cs = e + n;
  double *sn = cs + n;
  double *d = values;

  zero(w, n * n);
  double amax = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) {
      double v = a[i * n + j];
      w[j * n + i] = v;
      double av = fabs_(v);
      if (av > amax) amax = av;
    }
  }
  /* Rescale far-out matrices by an exact power of two (undone on the eigenvalues). */
  int exponent = 0;
  if (amax > 0x1p200 || (amax > 0 && amax < 0x1p-200)) {
    exponent = round_log2(amax);
    if (exponent > 1000) exponent = 1000;
    if (exponent < -1000) exponent = -1000;
  }
  if (exponent != 0) {
    const double down = pow2(-exponent);
    for (int i = 0; i < n * n; i++) w[i] *= down;
  }
  zero(d, n);
  zero(e, n);
  tridiagonalize(w, d, e, n);
  if (tridiagonal_ql(w, d, e, cs, sn, n)) return 1;
  if (exponent != 0) {
    const double up = pow2(exponent);
    for (int i = 0; i < n; i++) d[i] *= up;
  }

  /* Sort ascending (selection sort: at most n swaps of eigenvector rows). */
  for (int i = 0; i < n - 1; i++) {
    int k = i;
    for (int j = i + 1; j < n; j++)
      if (d[j] < d[k]) k = j;
    if (k == i) continue;
    double t = d[i];
    d[i] = d[k];
    d[k] = t;
    double *ri = w + i * n, *rk = w + k * n;
    for (int c = 0; c < n; c++) {
      double s = ri[c];
      ri[c] = rk[c];
      rk[c] = s;
    }
  }

  for (int j = 0; j < n; j++) {
    const double *row = w + j * n;
    int pivot = 0;
    for (int i = 1; i < n; i++)
      if (fabs_(row[i]) > fabs_(row[pivot])) pivot = i;
    const double sign = row[pivot] < 0 ? -1 : 1;
    for (int i = 0; i < n; i++) vectors[i * n + j] = sign * row[i];
  }
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Cholesky and triangular solves                                                             */
/* ------------------------------------------------------------------------------------------ */

/*
 * Both are dense.ts's loops (cholesky, solveTriangular) reorganized into register blocks of four
 * rows of the result (and, for the solve, four right-hand sides): the block's coefficients are
 * packed k-major in `p` (p[4k + q] is entry k of block row q), so that a coefficient is one
 * load64_splat or one f64x2 holds two rows' entries, and the pass over k keeps 8 f64x2
 * accumulators in registers. Every entry is still formed as in dense.ts: its initial value minus
 * the products in increasing k, one multiply and one subtract each (no FMA in SIMD128), then
 * divided (or square-rooted). Cholesky and the forward triangular solve therefore give dense.ts's
 * bits; the backward solve subtracts the same products in another order (rounding-level
 * differences), and skipped zero rows (trsm_f64) can change the sign of a zero.
 */

#define LD_SPLAT(p) wasm_v128_load64_splat(p)
#define VDIV wasm_f64x2_div
#define INLINE static inline __attribute__((always_inline))

/*
 * Columns j..j+JB−1 (all left of the block) of the RB block rows i0..: acc[c] holds column j+c
 * for rows (0, 1) and (2, 3). The products with columns k < j in one pass over the rows of L,
 * then the JB×JB triangle, then the division by L[j+c][j+c].
 */
INLINE void chol_panel(double *restrict l, double *restrict p, int n, int i0, int rb, int j, int jb) {
  V acc[4][2];
  for (int c = 0; c < jb; c++) {
    double a[4] = {0, 0, 0, 0};
    for (int q = 0; q < rb; q++) a[q] = l[(i0 + q) * n + j + c];
    acc[c][0] = wasm_f64x2_make(a[0], a[1]);
    acc[c][1] = wasm_f64x2_make(a[2], a[3]);
  }
  const double *lj = l + j * n;
  for (int k = 0; k < j; k++) {
    const V p0 = LD(p + 4 * k), p1 = LD(p + 4 * k + 2);
    for (int c = 0; c < jb; c++) {
      const V s = LD_SPLAT(lj + c * n + k);
      acc[c][0] = VSUB(acc[c][0], VMUL(p0, s));
      acc[c][1] = VSUB(acc[c][1], VMUL(p1, s));
    }
  }
  for (int c = 0; c < jb; c++) {
    for (int e = 0; e < c; e++) {
      const V s = LD_SPLAT(lj + c * n + j + e);
      acc[c][0] = VSUB(acc[c][0], VMUL(acc[e][0], s));
      acc[c][1] = VSUB(acc[c][1], VMUL(acc[e][1], s));
    }
    const V d = LD_SPLAT(lj + c * n + j + c);
    acc[c][0] = VDIV(acc[c][0], d);
    acc[c][1] = VDIV(acc[c][1], d);
    ST(p + 4 * (j + c), acc[c][0]);
    ST(p + 4 * (j + c) + 2, acc[c][1]);
    for (int q = 0; q < rb; q++) l[(i0 + q) * n + j + c] = p[4 * (j + c) + q];
  }
}

NOINLINE static void chol_panel4(double *restrict l, double *restrict p, int n, int i0, int rb, int j) { chol_panel(l, p, n, i0, rb, j, 4); }
NOINLINE static void chol_panel1(double *restrict l, double *restrict p, int n, int i0, int rb, int j) { chol_panel(l, p, n, i0, rb, j, 1); }

/*
 * Lower-triangular L with A = LLᵀ, in place: on entry a holds the row-major n×n A (only its lower
 * triangle is read), on exit L (strict upper triangle zero). dense.ts's cholesky, same bits.
 * work holds 4n doubles. Returns −1, or the first pivot i whose value s = a_ii − Σ l_ik² is not
 * positive (or NaN), with s in work[0]; a is then partly overwritten.
 */
EXPORT("cholesky_f64")
int cholesky_f64(int n, double *restrict a, double *restrict work) {
  double *p = work;
  for (int i0 = 0; i0 < n; i0 += 4) {
    const int rb = n - i0 < 4 ? n - i0 : 4;
    zero(p + 4 * i0, 4 * rb);
    int j = 0;
    for (; j + 4 <= i0; j += 4) chol_panel4(a, p, n, i0, rb, j);
    for (; j < i0; j++) chol_panel1(a, p, n, i0, rb, j);
    /* The diagonal block, row by row as in dense.ts (so the first failing pivot is dense.ts's). */
    for (int q = 0; q < rb; q++) {
      const int i = i0 + q;
      for (int c = 0; c <= q; c++) {
        double s = a[i * n + i0 + c];
        for (int k = 0; k < i0 + c; k++) s -= p[4 * k + q] * p[4 * k + c];
        if (c < q) {
          s /= p[4 * (i0 + c) + c];
        } else {
          if (!(s > 0)) {
            work[0] = s;
            return i;
          }
          s = sqrt_(s);
        }
        p[4 * (i0 + c) + q] = s;
        a[i * n + i0 + c] = s;
      }
      zero(a + i * n + i + 1, n - i - 1);
    }
  }
  return -1;
}

/*
 * The next RB steps of the substitution (block rows q < RB, rows rows[q]) in one n×4 panel of X
 * (row i at x + 4i), its first W columns (4, 2 or 1; the rest is zero padding): minus the
 * products with the rows of steps lo..s0−1 (solved; steps before lo are zero in this panel), then
 * the RB×RB triangle and the diagonal. p holds op(T)'s entries k-major by step
 * (p[4k + q] = op(T)[rows[q]][row of step k]).
 */
INLINE void trsm_block(double *restrict x, const double *restrict p, const double *restrict diag, const int *rows,
                       int lo, int s0, int first, int step, int unit, int rb, int w) {
  V acc[4][2];
  for (int q = 0; q < rb; q++) {
    const double *xq = x + 4 * rows[q];
    if (w == 1) {
      acc[q][0] = wasm_v128_load64_zero(xq);
    } else {
      acc[q][0] = LD(xq);
      if (w == 4) acc[q][1] = LD(xq + 2);
    }
  }
  const double *xk = x + 4 * (first + lo * step);
  const int stride = 4 * step;
  for (int k = lo; k < s0; k++, xk += stride) {
    V x0, x1 = SPLAT(0);
    if (w == 1) {
      x0 = wasm_v128_load64_zero(xk);
    } else {
      x0 = LD(xk);
      if (w == 4) x1 = LD(xk + 2);
    }
    for (int q = 0; q < rb; q++) {
      const V c = LD_SPLAT(p + 4 * k + q);
      acc[q][0] = VSUB(acc[q][0], VMUL(c, x0));
      if (w == 4) acc[q][1] = VSUB(acc[q][1], VMUL(c, x1));
    }
  }
  for (int q = 0; q < rb; q++) {
    for (int e = 0; e < q; e++) {
      const V c = LD_SPLAT(p + 4 * (s0 + e) + q);
      acc[q][0] = VSUB(acc[q][0], VMUL(c, acc[e][0]));
      if (w == 4) acc[q][1] = VSUB(acc[q][1], VMUL(c, acc[e][1]));
    }
    if (!unit) {
      const V d = LD_SPLAT(diag + q);
      acc[q][0] = VDIV(acc[q][0], d);
      if (w == 4) acc[q][1] = VDIV(acc[q][1], d);
    }
    double *xq = x + 4 * rows[q];
    if (w == 1) {
      wasm_v128_store64_lane(xq, acc[q][0], 0);
    } else {
      ST(xq, acc[q][0]);
      if (w == 4) ST(xq + 2, acc[q][1]);
    }
  }
}

#define TRSM_ARGS double *restrict x, const double *restrict p, const double *restrict diag, const int *rows, int lo, int s0, int first, int step, int unit
#define TRSM_PASS x, p, diag, rows, lo, s0, first, step, unit
NOINLINE static void trsm_block4(TRSM_ARGS, int w) {
  if (w == 4) trsm_block(TRSM_PASS, 4, 4);
  else if (w == 2) trsm_block(TRSM_PASS, 4, 2);
  else trsm_block(TRSM_PASS, 4, 1);
}
NOINLINE static void trsm_block_tail(TRSM_ARGS, int rb, int w) {
  switch (rb * 8 + w) {
    case 3 * 8 + 4: trsm_block(TRSM_PASS, 3, 4); break;
    case 3 * 8 + 2: trsm_block(TRSM_PASS, 3, 2); break;
    case 3 * 8 + 1: trsm_block(TRSM_PASS, 3, 1); break;
    case 2 * 8 + 4: trsm_block(TRSM_PASS, 2, 4); break;
    case 2 * 8 + 2: trsm_block(TRSM_PASS, 2, 2); break;
    case 2 * 8 + 1: trsm_block(TRSM_PASS, 2, 1); break;
    case 1 * 8 + 4: trsm_block(TRSM_PASS, 1, 4); break;
    case 1 * 8 + 2: trsm_block(TRSM_PASS, 1, 2); break;
    default: trsm_block(TRSM_PASS, 1, 1); break;
  }
}

/*
 * X with op(T)·X = B, in place over x (on entry the row-major n×nrhs B), dense.ts's
 * solveTriangular: op(T) = Tᵀ when `transpose`; only T's `lower` (else upper) triangle is read,
 * and not its diagonal when `unit`. The caller has checked for zero diagonals. Substitution runs
 * forwards (rows 0, 1, …) when op(T) is lower triangular, else backwards; step s is row
 * first + s·step. X is solved in groups of four columns, each copied into a contiguous n×4 panel
 * (so that the pass over the solved rows streams through memory instead of striding across
 * pages); a group's rows before its first nonzero of B (in substitution order) are zero in X and
 * skipped (a solve against I does half the work). work holds 4n + 4 + 4n·⌈nrhs/4⌉ doubles and
 * ⌈nrhs/4⌉ ints.
 */
EXPORT("trsm_f64")
void trsm_f64(int n, int nrhs, int lower, int transpose, int unit, const double *restrict t, double *restrict x, double *restrict work) {
  const int forward = lower != transpose;
  const int first = forward ? 0 : n - 1, step = forward ? 1 : -1;
  const int groups = (nrhs + 3) / 4;
  double *p = work;
  double *diag = p + 4 * n;
  double *panels = diag + 4;
  int *lo = (int *)(panels + 4 * n * groups);
  for (int g = 0; g < groups; g++) {
    const int col = 4 * g, w = nrhs - col < 4 ? nrhs - col : 4;
    double *panel = panels + 4 * n * g;
    lo[g] = n;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 4; c++) panel[4 * i + c] = c < w ? x[i * nrhs + col + c] : 0;
    }
    for (int s = 0; s < n; s++) {
      const double *xr = panel + 4 * (first + s * step);
      if (xr[0] != 0 || xr[1] != 0 || xr[2] != 0 || xr[3] != 0) {
        lo[g] = s;
        break;
      }
    }
  }
  for (int s0 = 0; s0 < n; s0 += 4) {
    const int rb = n - s0 < 4 ? n - s0 : 4;
    int rows[4];
    for (int q = 0; q < 4; q++) {
      rows[q] = first + (s0 + (q < rb ? q : 0)) * step;
      diag[q] = q < rb ? t[rows[q] * n + rows[q]] : 1;
    }
    /* p[4k + q] = op(T)[rows[q]][row of step k] for the steps k < s0 + q; zero elsewhere. */
    for (int k = 0; k < s0 + rb; k++) {
      const int rk = first + k * step;
      for (int q = 0; q < 4; q++) {
        double v = 0;
        if (q < rb && k < s0 + q) v = transpose ? t[rk * n + rows[q]] : t[rows[q] * n + rk];
        p[4 * k + q] = v;
      }
    }
    for (int g = 0; g < groups; g++) {
      const int lg = lo[g] < s0 ? lo[g] : s0;
      const int w = nrhs - 4 * g >= 3 ? 4 : nrhs - 4 * g; /* a third column takes the zero fourth along */
      double *panel = panels + 4 * n * g;
      if (rb == 4) trsm_block4(panel, p, diag, rows, lg, s0, first, step, unit, w);
      else trsm_block_tail(panel, p, diag, rows, lg, s0, first, step, unit, rb, w);
    }
  }
  for (int g = 0; g < groups; g++) {
    const int col = 4 * g, w = nrhs - col < 4 ? nrhs - col : 4;
    const double *panel = panels + 4 * n * g;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < w; c++) x[i * nrhs + col + c] = panel[4 * i + c];
    }
  }
}
