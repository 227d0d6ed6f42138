/*
 * The Jacobi sweeps of the thin SVD for the wasm backend: src/kernels/svd.ts's jacobiSweeps
 * (one-sided Jacobi), ported loop for loop. Dot products sum in two f64x2 lanes (even and odd
 * indices), the tail into the even lane, as svd.ts does in JS; rotations are element-wise; wasm
 * has no fused multiply-add; so from the same start they give the js reference's bits. The rest
 * (scaling, the Gram-eigenvector start through the backend's GEMM and eigh, order,
 * normalization) stays in svd.ts, shared by both backends.
 * Freestanding, no libc; the caller (src/kernels/wasm.ts) validates input and provides memory.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define NOINLINE __attribute__((noinline))
#define MAX_SWEEPS 60 /* svd.ts's SVD_MAX_SWEEPS */

static const double EPS = 2.220446049250313e-16;

static inline double fabs_(double x) { return __builtin_fabs(x); }
static inline double sqrt_(double x) { return __builtin_sqrt(x); }

static NOINLINE double dot(const double *x, const double *y, int len) {
  v128_t acc = wasm_f64x2_splat(0);
  int i = 0;
  for (; i + 1 < len; i += 2) acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_v128_load(x + i), wasm_v128_load(y + i)));
  double s0 = wasm_f64x2_extract_lane(acc, 0);
  if (i < len) s0 += x[i] * y[i];
  return s0 + wasm_f64x2_extract_lane(acc, 1);
}

/* [x, y] ← [c·x − s·y, s·x + c·y], element-wise. */
static NOINLINE void rotate(double *x, double *y, int len, double c, double s) {
  const v128_t vc = wasm_f64x2_splat(c), vs = wasm_f64x2_splat(s);
  int i = 0;
  for (; i + 1 < len; i += 2) {
    v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(y + i);
    wasm_v128_store(x + i, wasm_f64x2_sub(wasm_f64x2_mul(vc, a), wasm_f64x2_mul(vs, b)));
    wasm_v128_store(y + i, wasm_f64x2_add(wasm_f64x2_mul(vs, a), wasm_f64x2_mul(vc, b)));
  }
  for (; i < len; i++) {
    double a = x[i], b = y[i];
    x[i] = c * a - s * b;
    y[i] = s * a + c * b;
  }
}

/* w: cols×rows (rows ≥ cols), vt: cols×cols, norms: cols doubles of work. Returns sweeps used, 0 if none converged. */
EXPORT("svd_jacobi_f64") int svd_jacobi_f64(int rows, int cols, double *w, double *vt, double *norms) {
  const double tol = EPS * (double)(rows > 1 ? rows : 1);
  for (int sweep = 1; sweep <= MAX_SWEEPS; sweep++) {
    for (int j = 0; j < cols; j++) norms[j] = dot(w + j * rows, w + j * rows, rows);
    int rotated = 0;
    for (int j = 0; j < cols - 1; j++) {
      for (int k = j + 1; k < cols; k++) {
        const double alpha = norms[j], beta = norms[k];
        if (alpha == 0 || beta == 0) continue;
        const double gamma = dot(w + j * rows, w + k * rows, rows);
        if (!(fabs_(gamma) > tol * sqrt_(alpha) * sqrt_(beta))) continue;
        rotated = 1;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (fabs_(zeta) + sqrt_(1 + zeta * zeta));
        const double c = 1 / sqrt_(1 + t * t);
        const double s = c * t;
        rotate(w + j * rows, w + k * rows, rows, c, s);
        rotate(vt + j * cols, vt + k * cols, cols, c, s);
        norms[j] = alpha - t * gamma;
        norms[k] = beta + t * gamma;
      }
    }
    if (!rotated) return sweep;
  }
  return 0;
}
