/*
 * Fused optimizer loops for the wasm backend (see the `adam`/`scale`/`add` contract in
 * src/kernels/kernels.ts): one pass per leaf, f32x4 / f64x2 lanes, and every arithmetic step
 * an IEEE operation of the arrays' own precision, in the reference order of src/optim/fused.ts.
 * No FMA exists in SIMD128 (relaxed-SIMD is not enabled), so nothing is contracted: results are
 * bit-identical to the JS loops.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("adam_f32")
void adam_f32(int n, const float *g, const float *m, const float *v, float *mo, float *vo, float *u,
              float b1, float ob1, float b2, float ob2, float c1, float c2, float eps) {
  const v128_t B1 = wasm_f32x4_splat(b1), OB1 = wasm_f32x4_splat(ob1);
  const v128_t B2 = wasm_f32x4_splat(b2), OB2 = wasm_f32x4_splat(ob2);
  const v128_t C1 = wasm_f32x4_splat(c1), C2 = wasm_f32x4_splat(c2), E = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t x = wasm_v128_load(g + i);
    v128_t mm = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), B1), wasm_f32x4_mul(x, OB1));
    v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), B2), wasm_f32x4_mul(wasm_f32x4_mul(x, x), OB2));
    wasm_v128_store(mo + i, mm);
    wasm_v128_store(vo + i, vv);
    wasm_v128_store(u + i, wasm_f32x4_div(wasm_f32x4_mul(mm, C1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_mul(vv, C2)), E)));
  }
  for (; i < n; i++) {
    float x = g[i];
    float mm = m[i] * b1 + x * ob1;
    float vv = v[i] * b2 + (x * x) * ob2;
    mo[i] = mm;
    vo[i] = vv;
    u[i] = (mm * c1) / (__builtin_sqrtf(vv * c2) + eps);
  }
}

EXPORT("adam_f64")
void adam_f64(int n, const double *g, const double *m, const double *v, double *mo, double *vo, double *u,
              double b1, double ob1, double b2, double ob2, double c1, double c2, double eps) {
  const v128_t B1 = wasm_f64x2_splat(b1), OB1 = wasm_f64x2_splat(ob1);
  const v128_t B2 = wasm_f64x2_splat(b2), OB2 = wasm_f64x2_splat(ob2);
  const v128_t C1 = wasm_f64x2_splat(c1), C2 = wasm_f64x2_splat(c2), E = wasm_f64x2_splat(eps);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    v128_t x = wasm_v128_load(g + i);
    v128_t mm = wasm_f64x2_add(wasm_f64x2_mul(wasm_v128_load(m + i), B1), wasm_f64x2_mul(x, OB1));
    v128_t vv = wasm_f64x2_add(wasm_f64x2_mul(wasm_v128_load(v + i), B2), wasm_f64x2_mul(wasm_f64x2_mul(x, x), OB2));
    wasm_v128_store(mo + i, mm);
    wasm_v128_store(vo + i, vv);
    wasm_v128_store(u + i, wasm_f64x2_div(wasm_f64x2_mul(mm, C1), wasm_f64x2_add(wasm_f64x2_sqrt(wasm_f64x2_mul(vv, C2)), E)));
  }
  for (; i < n; i++) {
    double x = g[i];
    double mm = m[i] * b1 + x * ob1;
    double vv = v[i] * b2 + (x * x) * ob2;
    mo[i] = mm;
    vo[i] = vv;
    u[i] = (mm * c1) / (__builtin_sqrt(vv * c2) + eps);
  }
}

/* out = x·s and out = a + b: pure bandwidth, yet several times faster than a JS loop over typed arrays. */
#define AXPY_LIKE(T, V, LANES, SPLAT, MUL, ADD)                                                  \
  EXPORT("scale_" #T) void scale_##T(int n, const V *x, V *out, V s) {                          \
    const v128_t S = SPLAT(s);                                                                   \
    int i = 0;                                                                                   \
    for (; i + LANES <= n; i += LANES) wasm_v128_store(out + i, MUL(wasm_v128_load(x + i), S));  \
    for (; i < n; i++) out[i] = x[i] * s;                                                        \
  }                                                                                              \
  EXPORT("add_" #T) void add_##T(int n, const V *a, const V *b, V *out) {                       \
    int i = 0;                                                                                   \
    for (; i + LANES <= n; i += LANES)                                                           \
      wasm_v128_store(out + i, ADD(wasm_v128_load(a + i), wasm_v128_load(b + i)));               \
    for (; i < n; i++) out[i] = a[i] + b[i];                                                     \
  }
AXPY_LIKE(f32, float, 4, wasm_f32x4_splat, wasm_f32x4_mul, wasm_f32x4_add)
AXPY_LIKE(f64, double, 2, wasm_f64x2_splat, wasm_f64x2_mul, wasm_f64x2_add)
