/*
 * trainscope's optional native kernels: GEMM and triangular solves through OpenBLAS
 * (cblas_sgemm/dgemm/dtrsm), QR/eigh/SVD/Cholesky through LAPACKE, and im2col/col2im, fused optimizer
 * (adam/scale/add) and elementwise binary loops, and vectorized float64 exp/tanh/sigmoid
 * (fast_math.h), as a plain-C N-API addon. src/kernels/native.ts
 * wraps it as a Kernels backend.
 *
 * Typed arrays are used in place (no copies) and every call is synchronous on the JS thread:
 * OpenBLAS may fan a large GEMM out to its own threads (set_threads), but the call returns only
 * when C is written. Arguments are validated here, cheaply, so a wrong length is a JS exception
 * rather than an out-of-bounds read in BLAS.
 *
 * LAPACK is column-major and the callers are row-major. A row-major n×n buffer read column-major
 * is its transpose, so eigh hands the buffer to dsyevd as is, with uplo = 'U' (the row-major
 * LOWER triangle), as Cholesky does to dpotrf (on a copy). QR transposes A into a column-major
 * copy (the factorization overwrites its input anyway) and builds Qᵀ column-major, which is Q
 * row-major.
 */
#include <node_api.h>
#include <cblas.h>
#include <lapacke.h>

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast_math.h"

/* cblas and LAPACKE dimensions are (32-bit) ints in the Debian/OpenBLAS builds this targets. */
#define MAX_DIM 2147483647LL
/* Batch counts and strides: anything larger cannot index a typed array anyway. */
#define MAX_COUNT 9007199254740991LL
/* Convolution geometry: at most 2^30 − 1 per field keeps every index product below 2^62. */
#define MAX_GEOMETRY 1073741823LL

/* Throws a JS Error with a printf-style message (unless one is already pending); returns NULL. */
static napi_value fail(napi_env env, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, msg);
  return NULL;
}

static const char *type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "typed array";
  }
}

typedef struct {
  void *data;
  size_t length;
} Array;

/* Reads a typed array of type `want` (its data pointer already includes the byte offset). */
static bool get_array(napi_env env, napi_value v, const char *fn, const char *name, napi_typedarray_type want, Array *out) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, &out->length, &out->data, NULL, NULL) != napi_ok) {
    fail(env, "%s: %s must be a %s", fn, name, type_name(want));
    return false;
  }
  if (type != want) {
    fail(env, "%s: %s must be a %s, got a %s", fn, name, type_name(want), type_name(type));
    return false;
  }
  return true;
}

/* Reads an integer in [0, max] (passed as a JS number). */
static bool get_count(napi_env env, napi_value v, const char *fn, const char *name, int64_t max, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    fail(env, "%s: %s must be a number", fn, name);
    return false;
  }
  if (!(d >= 0 && d <= (double)max) || d != (double)(int64_t)d) {
    fail(env, "%s: %s must be an integer in [0, %lld], got %.17g", fn, name, (long long)max, d);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

/* A transpose flag: a number (non-zero = true; what native.ts passes, the cheaper read) or a boolean. */
static bool get_flag(napi_env env, napi_value v, const char *fn, const char *name, bool *out) {
  double d;
  if (napi_get_value_double(env, v, &d) == napi_ok) {
    *out = d != 0;
    return true;
  }
  if (napi_get_value_bool(env, v, out) == napi_ok) return true;
  fail(env, "%s: %s must be a boolean", fn, name);
  return false;
}

/* Saturating int64 arithmetic for the length checks (INT64_MAX exceeds any real length). */
static int64_t mul_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

static int64_t add_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

/* ---------------------------------------------------------------------------------------------
 * GEMM
 * ------------------------------------------------------------------------------------------- */

#define GEMM_ARGC 11

static napi_value gemm(napi_env env, napi_callback_info info, bool f32) {
  const char *fn = f32 ? "gemm_f32" : "gemm_f64";
  size_t argc = GEMM_ARGC;
  napi_value argv[GEMM_ARGC];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < GEMM_ARGC) {
    return fail(env, "%s: expected 11 arguments (a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride), got %zu", fn, argc);
  }
  const napi_typedarray_type type = f32 ? napi_float32_array : napi_float64_array;
  Array A, B, C;
  int64_t batch, m, n, k, as, bs;
  bool ta, tb;
  if (!get_array(env, argv[0], fn, "a", type, &A) || !get_array(env, argv[1], fn, "b", type, &B) ||
      !get_array(env, argv[2], fn, "c", type, &C) || !get_count(env, argv[3], fn, "batch", MAX_COUNT, &batch) ||
      !get_count(env, argv[4], fn, "m", MAX_DIM, &m) || !get_count(env, argv[5], fn, "n", MAX_DIM, &n) ||
      !get_count(env, argv[6], fn, "k", MAX_DIM, &k) || !get_flag(env, argv[7], fn, "transA", &ta) ||
      !get_flag(env, argv[8], fn, "transB", &tb) || !get_count(env, argv[9], fn, "aBatchStride", MAX_COUNT, &as) ||
      !get_count(env, argv[10], fn, "bBatchStride", MAX_COUNT, &bs)) {
    return NULL;
  }
  if (batch == 0 || m == 0 || n == 0) return NULL;

  const int64_t mn = m * n; /* both < 2^31: no overflow */
  const int64_t cNeed = mul_sat(batch, mn);
  if ((uint64_t)cNeed > C.length) {
    return fail(env, "%s: c has length %zu, needs at least %lld (batch=%lld, m=%lld, n=%lld)", fn, C.length,
                (long long)cNeed, (long long)batch, (long long)m, (long long)n);
  }
  const size_t size = f32 ? sizeof(float) : sizeof(double);
  if (k == 0) {
    memset(C.data, 0, (size_t)cNeed * size);
    return NULL;
  }
  const int64_t aNeed = add_sat(mul_sat(batch - 1, as), m * k);
  if ((uint64_t)aNeed > A.length) {
    return fail(env, "%s: a has length %zu, needs at least %lld (batch=%lld, m=%lld, k=%lld, aBatchStride=%lld)", fn,
                A.length, (long long)aNeed, (long long)batch, (long long)m, (long long)k, (long long)as);
  }
  const int64_t bNeed = add_sat(mul_sat(batch - 1, bs), k * n);
  if ((uint64_t)bNeed > B.length) {
    return fail(env, "%s: b has length %zu, needs at least %lld (batch=%lld, k=%lld, n=%lld, bBatchStride=%lld)", fn,
                B.length, (long long)bNeed, (long long)batch, (long long)k, (long long)n, (long long)bs);
  }

  /* A stack of plain A's times one shared B is a single (batch·m)×k product: C is laid out the same. */
  if (batch > 1 && bs == 0 && !ta && as == m * k && batch * m <= MAX_DIM) {
    m *= batch;
    batch = 1;
  }
  /* Both operands broadcast: every C[b] is the same product; compute it once. */
  int64_t computed = batch;
  if (batch > 1 && as == 0 && bs == 0) computed = 1;

  const enum CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans;
  const enum CBLAS_TRANSPOSE opB = tb ? CblasTrans : CblasNoTrans;
  const int M = (int)m, N = (int)n, K = (int)k;
  const int lda = ta ? M : K, ldb = tb ? K : N;
  if (f32) {
    const float *a = A.data, *b = B.data;
    float *c = C.data;
    for (int64_t i = 0; i < computed; i++) {
      cblas_sgemm(CblasRowMajor, opA, opB, M, N, K, 1.0f, a + i * as, lda, b + i * bs, ldb, 0.0f, c + i * m * n, N);
    }
  } else {
    const double *a = A.data, *b = B.data;
    double *c = C.data;
    for (int64_t i = 0; i < computed; i++) {
      cblas_dgemm(CblasRowMajor, opA, opB, M, N, K, 1.0, a + i * as, lda, b + i * bs, ldb, 0.0, c + i * m * n, N);
    }
  }
  for (int64_t i = computed; i < batch; i++) memcpy((char *)C.data + (size_t)(i * mn) * size, C.data, (size_t)mn * size);
  return NULL;
}

static napi_value gemm_f32(napi_env env, napi_callback_info info) { return gemm(env, info, true); }
static napi_value gemm_f64(napi_env env, napi_callback_info info) { return gemm(env, info, false); }

/* ---------------------------------------------------------------------------------------------
 * im2col / col2im: the loops of src/kernels/js.ts (forEachPatchRow), same visiting order, so
 * col2im's sums are bit-identical to js. Measured 8-19× faster than the js closures.
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  int64_t n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
} Geometry;

static const char *const GEOMETRY_NAMES[14] = {"n", "c", "h", "w", "kh", "kw", "strideH", "strideW", "padH", "padW", "dilationH", "dilationW", "oh", "ow"};

/* floor(a / b) for b > 0 and any sign of a. */
static int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The output columns [lo, hi) whose input column o*stride + shift lies in [0, size) (js validRange). */
static void valid_range(int64_t shift, int64_t size, int64_t out, int64_t stride, int64_t *lo, int64_t *hi) {
  int64_t l = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  if (l > out) l = out;
  int64_t h = floor_div(size - 1 - shift, stride) + 1;
  if (h > out) h = out;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

/* Reads x/cols and out (same float type), the 14 geometry numbers, and checks both lengths. */
static bool get_patch_args(napi_env env, napi_callback_info info, const char *fn, const char *inName, size_t want,
                           napi_value *argv, Array *in, Array *out, bool *f32, Geometry *g) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    fail(env, "%s: expected %zu arguments, got %zu", fn, want, argc);
    return false;
  }
  napi_typedarray_type t;
  if (napi_get_typedarray_info(env, argv[0], &t, &in->length, &in->data, NULL, NULL) != napi_ok ||
      (t != napi_float32_array && t != napi_float64_array)) {
    fail(env, "%s: %s must be a Float32Array or Float64Array", fn, inName);
    return false;
  }
  *f32 = t == napi_float32_array;
  if (!get_array(env, argv[1], fn, "out", t, out)) return false;
  int64_t *field = &g->n;
  for (int i = 0; i < 14; i++) {
    if (!get_count(env, argv[2 + i], fn, GEOMETRY_NAMES[i], MAX_GEOMETRY, &field[i])) return false;
  }
  if (g->sh < 1 || g->sw < 1) {
    fail(env, "%s: strides must be at least 1, got %lld×%lld", fn, (long long)g->sh, (long long)g->sw);
    return false;
  }
  return true;
}

static bool check_len(napi_env env, const char *fn, const char *name, size_t have, int64_t need) {
  if ((uint64_t)need <= have) return true;
  fail(env, "%s: %s has length %zu, needs at least %lld", fn, name, have, (long long)need);
  return false;
}

#define DEFINE_IM2COL(T, NAME)                                                                          \
  static void NAME(const T *x, T *out, const Geometry *g, T pad) {                                      \
    const int64_t planes = g->n * g->c, ow = g->ow;                                                     \
    for (int64_t plane = 0; plane < planes; plane++) {                                                  \
      const T *xp = x + plane * g->h * g->w;                                                            \
      for (int64_t i = 0; i < g->kh; i++) {                                                             \
        for (int64_t j = 0; j < g->kw; j++) {                                                           \
          int64_t lo, hi;                                                                               \
          const int64_t shift = j * g->dw - g->pw;                                                      \
          valid_range(shift, g->w, ow, g->sw, &lo, &hi);                                                \
          const int64_t ix0 = lo * g->sw + shift;                                                       \
          T *col = out + ((plane * g->kh + i) * g->kw + j) * g->oh * ow;                                \
          for (int64_t oy = 0; oy < g->oh; oy++, col += ow) {                                           \
            const int64_t iy = oy * g->sh - g->ph + i * g->dh;                                          \
            if (iy < 0 || iy >= g->h) {                                                                 \
              for (int64_t o = 0; o < ow; o++) col[o] = pad;                                            \
              continue;                                                                                 \
            }                                                                                           \
            for (int64_t o = 0; o < lo; o++) col[o] = pad;                                              \
            const T *src = xp + iy * g->w + ix0;                                                        \
            if (g->sw == 1) {                                                                           \
              memcpy(col + lo, src, (size_t)(hi - lo) * sizeof(T));                                     \
            } else {                                                                                    \
              for (int64_t o = lo; o < hi; o++, src += g->sw) col[o] = *src;                            \
            }                                                                                           \
            for (int64_t o = hi; o < ow; o++) col[o] = pad;                                             \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }

/* Each sum is formed in double and rounded to T, exactly what `out[ix] += cols[i]` does in js. */
#define DEFINE_COL2IM(T, NAME)                                                                          \
  static void NAME(const T *cols, T *out, const Geometry *g) {                                          \
    const int64_t planes = g->n * g->c, ow = g->ow;                                                     \
    memset(out, 0, (size_t)(planes * g->h * g->w) * sizeof(T));                                         \
    for (int64_t plane = 0; plane < planes; plane++) {                                                  \
      T *xp = out + plane * g->h * g->w;                                                                \
      for (int64_t i = 0; i < g->kh; i++) {                                                             \
        for (int64_t j = 0; j < g->kw; j++) {                                                           \
          int64_t lo, hi;                                                                               \
          const int64_t shift = j * g->dw - g->pw;                                                      \
          valid_range(shift, g->w, ow, g->sw, &lo, &hi);                                                \
          const int64_t ix0 = lo * g->sw + shift;                                                       \
          const T *col = cols + ((plane * g->kh + i) * g->kw + j) * g->oh * ow;                         \
          for (int64_t oy = 0; oy < g->oh; oy++, col += ow) {                                           \
            const int64_t iy = oy * g->sh - g->ph + i * g->dh;                                          \
            if (iy < 0 || iy >= g->h) continue;                                                         \
            T *dst = xp + iy * g->w + ix0;                                                              \
            for (int64_t o = lo; o < hi; o++, dst += g->sw) *dst = (T)((double)*dst + (double)col[o]);  \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_IM2COL(float, im2col_f32)
DEFINE_IM2COL(double, im2col_f64)
DEFINE_COL2IM(float, col2im_f32)
DEFINE_COL2IM(double, col2im_f64)

/* im2col(x, out, n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow, padValue) */
static napi_value im2col(napi_env env, napi_callback_info info) {
  const char *fn = "im2col";
  napi_value argv[17];
  Array x, out;
  bool f32;
  Geometry g;
  double pad;
  if (!get_patch_args(env, info, fn, "x", 17, argv, &x, &out, &f32, &g)) return NULL;
  if (napi_get_value_double(env, argv[16], &pad) != napi_ok) return fail(env, "%s: padValue must be a number", fn);
  const int64_t planes = mul_sat(g.n, g.c);
  if (!check_len(env, fn, "x", x.length, mul_sat(planes, mul_sat(g.h, g.w))) ||
      !check_len(env, fn, "out", out.length, mul_sat(mul_sat(planes, mul_sat(g.kh, g.kw)), mul_sat(g.oh, g.ow)))) {
    return NULL;
  }
  if (f32) im2col_f32(x.data, out.data, &g, (float)pad);
  else im2col_f64(x.data, out.data, &g, pad);
  return NULL;
}

/* col2im(cols, out, n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow) */
static napi_value col2im(napi_env env, napi_callback_info info) {
  const char *fn = "col2im";
  napi_value argv[16];
  Array cols, out;
  bool f32;
  Geometry g;
  if (!get_patch_args(env, info, fn, "cols", 16, argv, &cols, &out, &f32, &g)) return NULL;
  const int64_t planes = mul_sat(g.n, g.c);
  if (!check_len(env, fn, "cols", cols.length, mul_sat(mul_sat(planes, mul_sat(g.kh, g.kw)), mul_sat(g.oh, g.ow))) ||
      !check_len(env, fn, "out", out.length, mul_sat(planes, mul_sat(g.h, g.w)))) {
    return NULL;
  }
  if (f32) col2im_f32(cols.data, out.data, &g);
  else col2im_f64(cols.data, out.data, &g);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Fused optimizer loops (the optional adam/scale/add of the Kernels interface): the loops of
 * src/optim/fused.ts, bit for bit. Every operand has one array type; float32 arrays are computed
 * in `float` and float64 ones in `double`, each operation rounded to that type in the order of the
 * js loops (IEEE single ops equal the js double op + Math.fround, sqrt and division included).
 * That needs no contraction into fused multiply-adds (-ffp-contract=off in binding.gyp, and the
 * pragma below for clang), no -ffast-math, and FTZ/DAZ off (Node leaves MXCSR at its default).
 * -fno-math-errno lets sqrt compile to the sqrt instruction, so the loops vectorize.
 * ------------------------------------------------------------------------------------------- */

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* GCC's -O2 vectorizes only loops with no epilogue; these want -O3's full vectorizer. clang
 * vectorizes them at -O2. */
#if defined(__GNUC__) && !defined(__clang__)
#define FUSED_OPT __attribute__((optimize("O3")))
#else
#define FUSED_OPT
#endif

/* An AVX2 clone beside the baseline (SSE2) one, picked at load time (ifunc) on x86-64 ELF. AVX2
 * alone does not enable FMA, so even a contraction the flags missed could not happen there. */
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define FUSED_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef FUSED_CLONES
#define FUSED_CLONES
#endif

#define FUSED FUSED_OPT FUSED_CLONES

#define DEFINE_FUSED(T, SQRT, SUFFIX)                                                                   \
  static FUSED void adam_##SUFFIX(size_t n, const T *restrict g, const T *restrict m, const T *restrict v, \
                                  T *restrict mo, T *restrict vo, T *restrict uo, T b1, T ob1, T b2, T ob2, \
                                  T c1, T c2, T eps) {                                                  \
    for (size_t i = 0; i < n; i++) {                                                                    \
      const T x = g[i];                                                                                 \
      const T mm = m[i] * b1 + x * ob1;                                                                 \
      const T vv = v[i] * b2 + (x * x) * ob2;                                                           \
      mo[i] = mm;                                                                                       \
      vo[i] = vv;                                                                                       \
      uo[i] = (mm * c1) / (SQRT(vv * c2) + eps);                                                        \
    }                                                                                                   \
  }                                                                                                     \
  static FUSED void scale_##SUFFIX(size_t n, const T *restrict x, T *restrict out, T s) {               \
    for (size_t i = 0; i < n; i++) out[i] = x[i] * s;                                                   \
  }                                                                                                     \
  static FUSED void add_##SUFFIX(size_t n, const T *restrict a, const T *restrict b, T *restrict out) { \
    for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];                                                \
  }

DEFINE_FUSED(float, sqrtf, f32)
DEFINE_FUSED(double, sqrt, f64)

#define FUSED_MAX_ARRAYS 6
#define FUSED_MAX_SCALARS 7

/*
 * Reads the call fn(array₀ … array_{arrays−1}, scalar₀ … scalar_{scalars−1}): the arrays all of
 * array₀'s type (Float32Array or Float64Array) and length; the last `outs` arrays are outputs and
 * must not share memory with any other operand (the loops assume no aliasing; inputs may alias
 * each other, they are only read). Scalars are any JS numbers.
 */
static bool get_fused_args(napi_env env, napi_callback_info info, const char *fn, const char *usage, size_t arrays,
                           size_t outs, size_t scalars, const char *const *names, Array *arr, double *sc, bool *f32) {
  size_t argc = FUSED_MAX_ARRAYS + FUSED_MAX_SCALARS;
  napi_value argv[FUSED_MAX_ARRAYS + FUSED_MAX_SCALARS];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    fail(env, "%s: cannot read arguments", fn);
    return false;
  }
  if (argc < arrays + scalars) {
    fail(env, "%s: expected %zu arguments %s, got %zu", fn, arrays + scalars, usage, argc);
    return false;
  }
  napi_typedarray_type t;
  if (napi_get_typedarray_info(env, argv[0], &t, &arr[0].length, &arr[0].data, NULL, NULL) != napi_ok ||
      (t != napi_float32_array && t != napi_float64_array)) {
    fail(env, "%s: %s must be a Float32Array or Float64Array", fn, names[0]);
    return false;
  }
  *f32 = t == napi_float32_array;
  for (size_t i = 1; i < arrays; i++) {
    napi_typedarray_type ti;
    if (napi_get_typedarray_info(env, argv[i], &ti, &arr[i].length, &arr[i].data, NULL, NULL) != napi_ok) {
      fail(env, "%s: %s must be a %s like %s", fn, names[i], type_name(t), names[0]);
      return false;
    }
    if (ti != t) {
      fail(env, "%s: every operand must have one array type: %s is a %s, %s a %s", fn, names[0], type_name(t), names[i], type_name(ti));
      return false;
    }
    if (arr[i].length != arr[0].length) {
      fail(env, "%s: %s has length %zu, %s has length %zu (all operands must have one length)", fn, names[i],
           arr[i].length, names[0], arr[0].length);
      return false;
    }
  }
  const size_t bytes = arr[0].length * (*f32 ? sizeof(float) : sizeof(double));
  for (size_t o = arrays - outs; o < arrays && bytes > 0; o++) {
    const uintptr_t lo = (uintptr_t)arr[o].data, hi = lo + bytes;
    for (size_t i = 0; i < arrays; i++) {
      if (i == o) continue;
      const uintptr_t li = (uintptr_t)arr[i].data;
      if (li < hi && lo < li + bytes) {
        fail(env, "%s: output %s shares memory with %s (outputs must be distinct fresh arrays)", fn, names[o], names[i]);
        return false;
      }
    }
  }
  for (size_t i = 0; i < scalars; i++) {
    if (napi_get_value_double(env, argv[arrays + i], &sc[i]) != napi_ok) {
      fail(env, "%s: %s must be a number", fn, names[arrays + i]);
      return false;
    }
  }
  return true;
}

/* adam(g, m, v, mOut, vOut, uOut, b1, ob1, b2, ob2, c1, c2, eps) */
static napi_value adam(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"g", "m", "v", "mOut", "vOut", "uOut", "b1", "ob1", "b2", "ob2", "c1", "c2", "eps"};
  Array a[6];
  double s[7];
  bool f32;
  if (!get_fused_args(env, info, "adam", "(g, m, v, mOut, vOut, uOut, b1, ob1, b2, ob2, c1, c2, eps)", 6, 3, 7, names, a, s, &f32)) {
    return NULL;
  }
  const size_t n = a[0].length;
  if (n == 0) return NULL;
  if (f32) {
    adam_f32(n, a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, (float)s[0], (float)s[1], (float)s[2],
             (float)s[3], (float)s[4], (float)s[5], (float)s[6]);
  } else {
    adam_f64(n, a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
  }
  return NULL;
}

/* scale(x, out, s) */
static napi_value scale(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"x", "out", "s"};
  Array a[2];
  double s;
  bool f32;
  if (!get_fused_args(env, info, "scale", "(x, out, s)", 2, 1, 1, names, a, &s, &f32)) return NULL;
  const size_t n = a[0].length;
  if (n == 0) return NULL;
  if (f32) scale_f32(n, a[0].data, a[1].data, (float)s);
  else scale_f64(n, a[0].data, a[1].data, s);
  return NULL;
}

/* add(a, b, out) */
static napi_value add(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"a", "b", "out"};
  Array a[3];
  bool f32;
  if (!get_fused_args(env, info, "add", "(a, b, out)", 3, 1, 0, names, a, NULL, &f32)) return NULL;
  const size_t n = a[0].length;
  if (n == 0) return NULL;
  if (f32) add_f32(n, a[0].data, a[1].data, a[2].data);
  else add_f64(n, a[0].data, a[1].data, a[2].data);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Elementwise binary ops (the optional Kernels.binary): the loops of src/tensor/primitives.ts'
 * `binary`, bit for bit. Ops by index, in BINARY_OPS order (src/kernels/kernels.ts):
 *   0 add a+b · 1 sub a−b · 2 mul a·b · 3 div a/b
 *   4 maximum (a or b NaN) ? NaN : a ≥ b ? a : b   (ties keep a: max(+0, −0) = +0, max(−0, +0) = −0)
 *   5 minimum (a or b NaN) ? NaN : a ≤ b ? a : b
 *   6 maskPositive a > 0 ? b : +0
 * float32 arrays are computed in float: one IEEE single op equals the js double op rounded once
 * on the store (the same argument as the fused loops above; the selects are exact). Five forms,
 * each its own loop so every one vectorizes: same length, scalar right (y[0]), scalar left (x[0]),
 * and a short operand repeated every `block` elements (a bias) on the right or the left.
 * x and y may alias each other (they are only read); out may not overlap either.
 * ------------------------------------------------------------------------------------------- */

#define BIN_ADD(T, a, b) ((a) + (b))
#define BIN_SUB(T, a, b) ((a) - (b))
#define BIN_MUL(T, a, b) ((a) * (b))
#define BIN_DIV(T, a, b) ((a) / (b))
#define BIN_MAX(T, a, b) (isunordered(a, b) ? (T)NAN : (a) >= (b) ? (a) : (b))
#define BIN_MIN(T, a, b) (isunordered(a, b) ? (T)NAN : (a) <= (b) ? (a) : (b))
#define BIN_MASK(T, a, b) ((a) > 0 ? (b) : (T)0)

#define DEFINE_BINARY_OP(T, SUFFIX, NAME, OP)                                                             \
  static FUSED void NAME##_same_##SUFFIX(size_t n, size_t block, const T *restrict x, const T *restrict y, \
                                         T *restrict out) {                                               \
    (void)block;                                                                                          \
    for (size_t i = 0; i < n; i++) {                                                                      \
      const T a = x[i], b = y[i];                                                                         \
      out[i] = OP(T, a, b);                                                                               \
    }                                                                                                     \
  }                                                                                                       \
  static FUSED void NAME##_scalar_right_##SUFFIX(size_t n, size_t block, const T *restrict x,             \
                                                 const T *restrict y, T *restrict out) {                  \
    (void)block;                                                                                          \
    const T b = y[0];                                                                                     \
    for (size_t i = 0; i < n; i++) {                                                                      \
      const T a = x[i];                                                                                   \
      out[i] = OP(T, a, b);                                                                               \
    }                                                                                                     \
  }                                                                                                       \
  static FUSED void NAME##_scalar_left_##SUFFIX(size_t n, size_t block, const T *restrict x,              \
                                                const T *restrict y, T *restrict out) {                   \
    (void)block;                                                                                          \
    const T a = x[0];                                                                                     \
    for (size_t i = 0; i < n; i++) {                                                                      \
      const T b = y[i];                                                                                   \
      out[i] = OP(T, a, b);                                                                               \
    }                                                                                                     \
  }                                                                                                       \
  static FUSED void NAME##_block_right_##SUFFIX(size_t n, size_t block, const T *restrict x,              \
                                                const T *restrict y, T *restrict out) {                   \
    for (size_t o = 0; o < n; o += block) {                                                               \
      for (size_t j = 0; j < block; j++) {                                                                \
        const T a = x[o + j], b = y[j];                                                                   \
        out[o + j] = OP(T, a, b);                                                                         \
      }                                                                                                   \
    }                                                                                                     \
  }                                                                                                       \
  static FUSED void NAME##_block_left_##SUFFIX(size_t n, size_t block, const T *restrict x,               \
                                               const T *restrict y, T *restrict out) {                    \
    for (size_t o = 0; o < n; o += block) {                                                               \
      for (size_t j = 0; j < block; j++) {                                                                \
        const T a = x[j], b = y[o + j];                                                                   \
        out[o + j] = OP(T, a, b);                                                                         \
      }                                                                                                   \
    }                                                                                                     \
  }

#define DEFINE_BINARY(T, SUFFIX)                   \
  DEFINE_BINARY_OP(T, SUFFIX, badd, BIN_ADD)       \
  DEFINE_BINARY_OP(T, SUFFIX, bsub, BIN_SUB)       \
  DEFINE_BINARY_OP(T, SUFFIX, bmul, BIN_MUL)       \
  DEFINE_BINARY_OP(T, SUFFIX, bdiv, BIN_DIV)       \
  DEFINE_BINARY_OP(T, SUFFIX, bmax, BIN_MAX)       \
  DEFINE_BINARY_OP(T, SUFFIX, bmin, BIN_MIN)       \
  DEFINE_BINARY_OP(T, SUFFIX, bmask, BIN_MASK)

DEFINE_BINARY(float, f32)
DEFINE_BINARY(double, f64)

#define BINARY_OP_COUNT 7
#define BINARY_FORMS 5
enum { FORM_SAME, FORM_SCALAR_RIGHT, FORM_SCALAR_LEFT, FORM_BLOCK_RIGHT, FORM_BLOCK_LEFT };

typedef void (*BinaryF32)(size_t, size_t, const float *restrict, const float *restrict, float *restrict);
typedef void (*BinaryF64)(size_t, size_t, const double *restrict, const double *restrict, double *restrict);

#define BINARY_ROW(NAME, SUFFIX) \
  {NAME##_same_##SUFFIX, NAME##_scalar_right_##SUFFIX, NAME##_scalar_left_##SUFFIX, NAME##_block_right_##SUFFIX, NAME##_block_left_##SUFFIX}
#define BINARY_TABLE(SUFFIX)                                                                                  \
  {BINARY_ROW(badd, SUFFIX), BINARY_ROW(bsub, SUFFIX), BINARY_ROW(bmul, SUFFIX), BINARY_ROW(bdiv, SUFFIX), \
   BINARY_ROW(bmax, SUFFIX), BINARY_ROW(bmin, SUFFIX), BINARY_ROW(bmask, SUFFIX)}

static const BinaryF32 BINARY_F32[BINARY_OP_COUNT][BINARY_FORMS] = BINARY_TABLE(f32);
static const BinaryF64 BINARY_F64[BINARY_OP_COUNT][BINARY_FORMS] = BINARY_TABLE(f64);

static const char *const BINARY_NAMES[BINARY_OP_COUNT] = {"add", "sub", "mul", "div", "maximum", "minimum", "maskPositive"};

/* True when [p, p + bytes) and [q, q + qbytes) share a byte. */
static bool overlaps(const void *p, size_t bytes, const void *q, size_t qbytes) {
  const uintptr_t lo = (uintptr_t)p, li = (uintptr_t)q;
  return bytes > 0 && qbytes > 0 && li < lo + bytes && lo < li + qbytes;
}

/*
 * binary(op, x, y, out): out[i] = op(x[i], y[i]) with the shorter of x and y repeating — nx = ny;
 * or ny divides nx (y[i % ny]: ny = 1 a scalar, else a bias); or nx divides ny (x[i % nx]). out
 * has max(nx, ny) elements. One float type throughout.
 */
static napi_value binary(napi_env env, napi_callback_info info) {
  const char *fn = "binary";
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < 4) return fail(env, "%s: expected 4 arguments (op, x, y, out), got %zu", fn, argc);
  int64_t op;
  if (!get_count(env, argv[0], fn, "op", BINARY_OP_COUNT - 1, &op)) return NULL;
  Array x, y, out;
  napi_typedarray_type t;
  if (napi_get_typedarray_info(env, argv[1], &t, &x.length, &x.data, NULL, NULL) != napi_ok ||
      (t != napi_float32_array && t != napi_float64_array)) {
    return fail(env, "%s: x must be a Float32Array or Float64Array", fn);
  }
  static const char *const names[] = {"y", "out"};
  Array *rest[] = {&y, &out};
  for (int i = 0; i < 2; i++) {
    napi_typedarray_type ti;
    if (napi_get_typedarray_info(env, argv[2 + i], &ti, &rest[i]->length, &rest[i]->data, NULL, NULL) != napi_ok) {
      return fail(env, "%s: %s must be a %s like x", fn, names[i], type_name(t));
    }
    if (ti != t) {
      return fail(env, "%s: every operand must have one array type: x is a %s, %s a %s", fn, type_name(t), names[i], type_name(ti));
    }
  }
  const size_t nx = x.length, ny = y.length, n = nx >= ny ? nx : ny, short_len = nx >= ny ? ny : nx;
  if (out.length != n || (nx != ny && (short_len == 0 || n % short_len != 0))) {
    return fail(env, "%s %s: lengths x %zu, y %zu, out %zu do not fit (equal, or the shorter divides the longer and out has the longer)",
                fn, BINARY_NAMES[op], nx, ny, out.length);
  }
  const size_t size = t == napi_float32_array ? sizeof(float) : sizeof(double);
  if (overlaps(out.data, n * size, x.data, nx * size)) return fail(env, "%s: output out shares memory with x", fn);
  if (overlaps(out.data, n * size, y.data, ny * size)) return fail(env, "%s: output out shares memory with y", fn);
  if (n == 0) return NULL;
  int form;
  if (nx == ny) form = FORM_SAME;
  else if (ny == 1) form = FORM_SCALAR_RIGHT;
  else if (nx == 1) form = FORM_SCALAR_LEFT;
  else if (ny < nx) form = FORM_BLOCK_RIGHT;
  else form = FORM_BLOCK_LEFT;
  if (t == napi_float32_array) BINARY_F32[op][form](n, short_len, x.data, y.data, out.data);
  else BINARY_F64[op][form](n, short_len, x.data, y.data, out.data);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Fast float64 unary math (exp, tanh, sigmoid; fast_math.h): within 2 ulp of Math's, not its bits
 * ------------------------------------------------------------------------------------------- */

/* These loops also get an AVX-512 clone: 8 lanes measured 2× faster than AVX2's 4 on Zen 4
 * (tanh of 160 000: 0.38 vs 0.75 ms), with the same bits (no FMA under -ffp-contract=off, and
 * every operation is an IEEE one, so the lane width cannot change a result). */
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define UNARY_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef UNARY_CLONES
#define UNARY_CLONES
#endif

/* restrict: an overlap check would send in-place calls to the scalar loop; unary_f64 below
 * routes those through a stack copy instead. */
#define DEFINE_UNARY_F64(NAME, FN)                                                                       \
  static FUSED_OPT UNARY_CLONES void NAME##_f64(size_t n, const double *restrict x, double *restrict out) { \
    for (size_t i = 0; i < n; i++) out[i] = FN(x[i]);                                                     \
  }
DEFINE_UNARY_F64(uexp, fm_exp)
DEFINE_UNARY_F64(utanh, fm_tanh)
DEFINE_UNARY_F64(usigmoid, fm_sigmoid)

#define UNARY_OP_COUNT 3
typedef void (*UnaryF64)(size_t, const double *, double *);
static const UnaryF64 UNARY_F64[UNARY_OP_COUNT] = {uexp_f64, utanh_f64, usigmoid_f64};

/* unary_f64(op, x, out): out[i] = f(x[i]) for op 0 exp, 1 tanh, 2 sigmoid; two Float64Arrays of
 * one length, disjoint or the same (in place). */
static napi_value unary_f64(napi_env env, napi_callback_info info) {
  const char *fn = "unary_f64";
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < 3) return fail(env, "%s: expected 3 arguments (op, x, out), got %zu", fn, argc);
  int64_t op;
  if (!get_count(env, argv[0], fn, "op", UNARY_OP_COUNT - 1, &op)) return NULL;
  Array x, out;
  if (!get_array(env, argv[1], fn, "x", napi_float64_array, &x)) return NULL;
  if (!get_array(env, argv[2], fn, "out", napi_float64_array, &out)) return NULL;
  if (x.length != out.length) return fail(env, "%s: x has %zu elements, out %zu (must be equal)", fn, x.length, out.length);
  const size_t n = x.length;
  if (n == 0) return NULL;
  if (!overlaps(out.data, n * sizeof(double), x.data, n * sizeof(double))) {
    UNARY_F64[op](n, x.data, out.data);
    return NULL;
  }
  if (out.data != x.data) return fail(env, "%s: output out partly overlaps x (only out = x, in place, is allowed)", fn);
  /* In place: a chunk at a time through a stack copy, so the loop keeps its restrict pointers. */
  double chunk[512];
  double *p = out.data;
  for (size_t o = 0; o < n; o += 512) {
    const size_t m = n - o < 512 ? n - o : 512;
    memcpy(chunk, p + o, m * sizeof(double));
    UNARY_F64[op](m, chunk, p + o);
  }
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * QR and eigh
 * ------------------------------------------------------------------------------------------- */

/* Index of the first NaN or ±Infinity in x[0..len), or -1. */
static int64_t first_nonfinite(const double *x, size_t len) {
  /* Exponent bits all ones ⇔ adding 1 to the exponent field carries into the sign bit. Four
   * independent accumulators, branch-free; the scan for the index runs only on failure. */
  const uint64_t EXP = 0x7ff0000000000000ULL, ONE = 1ULL << 52;
  uint64_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint64_t u[4];
    memcpy(u, x + i, sizeof u);
    acc0 |= (u[0] & EXP) + ONE;
    acc1 |= (u[1] & EXP) + ONE;
    acc2 |= (u[2] & EXP) + ONE;
    acc3 |= (u[3] & EXP) + ONE;
  }
  for (; i < len; i++) {
    uint64_t u;
    memcpy(&u, x + i, sizeof u);
    acc0 |= (u & EXP) + ONE;
  }
  if (((acc0 | acc1 | acc2 | acc3) >> 63) == 0) return -1;
  for (i = 0; i < len; i++) if (!isfinite(x[i])) return (int64_t)i;
  return -1;
}

static napi_value fail_nonfinite(napi_env env, const char *fn, const double *x, int64_t at) {
  const double v = x[at];
  const char *s = isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return fail(env, "%s: a contains a non-finite value (%s) at index %lld", fn, s, (long long)at);
}

/* A new Float64Array of `len` zeros; its data in *data. */
static napi_value new_f64(napi_env env, size_t len, double **data) {
  napi_value buf, arr;
  void *p = NULL;
  if (napi_create_arraybuffer(env, len * sizeof(double), &p, &buf) != napi_ok) return NULL;
  if (napi_create_typedarray(env, napi_float64_array, len, buf, 0, &arr) != napi_ok) return NULL;
  *data = p;
  return arr;
}

static napi_value pair(napi_env env, const char *k1, napi_value v1, const char *k2, napi_value v2) {
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok || napi_set_named_property(env, obj, k1, v1) != napi_ok ||
      napi_set_named_property(env, obj, k2, v2) != napi_ok) {
    return NULL;
  }
  return obj;
}

/*
 * dst (cols×rows, row-major) = transpose of src (rows×cols, row-major), row i of src scaled by
 * sign[i] when sign is given. Strips of 8 source rows: the reads stream along 8 rows and each
 * column step writes 8 adjacent doubles (one cache line) of dst. Measured 2-5× faster than
 * 32×32 tiles at 1024×64 and 256×256.
 */
static void transpose(const double *src, double *dst, int64_t rows, int64_t cols, const double *sign) {
  int64_t i = 0;
  for (; i + 8 <= rows; i += 8) {
    const double *s = src + i * cols;
    double g[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    if (sign) memcpy(g, sign + i, sizeof g);
    for (int64_t j = 0; j < cols; j++) {
      double *d = dst + j * rows + i;
      d[0] = g[0] * s[j];
      d[1] = g[1] * s[cols + j];
      d[2] = g[2] * s[2 * cols + j];
      d[3] = g[3] * s[3 * cols + j];
      d[4] = g[4] * s[4 * cols + j];
      d[5] = g[5] * s[5 * cols + j];
      d[6] = g[6] * s[6 * cols + j];
      d[7] = g[7] * s[7 * cols + j];
    }
  }
  for (; i < rows; i++) {
    const double g = sign ? sign[i] : 1.0;
    for (int64_t j = 0; j < cols; j++) dst[j * rows + i] = g * src[i * cols + j];
  }
}

/*
 * Scratch for QR/eigh, kept per env (worker threads each get their own) and reused across calls:
 * a fresh multi-megabyte malloc per call costs page faults comparable to the factorization at
 * small sizes. Requests above SCRATCH_KEEP bytes are allocated for the call and freed after, so
 * one huge matrix does not pin its workspace for the life of the process.
 */
#define SCRATCH_SLOTS 3
#define SCRATCH_KEEP ((size_t)16 << 20)

typedef struct {
  void *p[SCRATCH_SLOTS];
  size_t bytes[SCRATCH_SLOTS];
} Scratch;

static void scratch_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Scratch *s = data;
  for (int i = 0; i < SCRATCH_SLOTS; i++) free(s->p[i]);
  free(s);
}

/* `bytes` of scratch in slot i (NULL when out of memory); *temp is set when the caller must free it. */
static void *scratch(napi_env env, int i, size_t bytes, void **temp) {
  *temp = NULL;
  Scratch *s = NULL;
  if (bytes > SCRATCH_KEEP || napi_get_instance_data(env, (void **)&s) != napi_ok || !s) {
    *temp = malloc(bytes ? bytes : 1);
    return *temp;
  }
  if (s->bytes[i] < bytes) {
    free(s->p[i]);
    s->p[i] = malloc(bytes);
    s->bytes[i] = s->p[i] ? bytes : 0;
  }
  return s->p[i];
}

/*
 * The (a, m, n) arguments of a dense m×n float64 matrix routine: a Float64Array of length m·n with
 * 1 ≤ m, n ≤ max_dim, all finite. Returns false after raising the JS error.
 */
static bool get_matrix_args(napi_env env, napi_callback_info info, const char *fn, int64_t max_dim, Array *A, int64_t *m, int64_t *n) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn), false;
  if (argc < 3) return fail(env, "%s: expected 3 arguments (a, m, n), got %zu", fn, argc), false;
  if (!get_array(env, argv[0], fn, "a", napi_float64_array, A) || !get_count(env, argv[1], fn, "m", max_dim, m) ||
      !get_count(env, argv[2], fn, "n", max_dim, n)) {
    return false;
  }
  if ((uint64_t)(*m * *n) != A->length) {
    return fail(env, "%s: a has length %zu, expected %lld (m=%lld, n=%lld)", fn, A->length, (long long)(*m * *n), (long long)*m, (long long)*n), false;
  }
  const int64_t bad = first_nonfinite(A->data, A->length);
  if (bad >= 0) return fail_nonfinite(env, fn, A->data, bad), false;
  return true;
}

static napi_value qr_f64(napi_env env, napi_callback_info info) {
  const char *fn = "qr_f64";
  Array A;
  int64_t m, n;
  if (!get_matrix_args(env, info, fn, MAX_DIM, &A, &m, &n)) return NULL;
  if (m < n) return fail(env, "%s: thin QR needs m ≥ n, got m=%lld, n=%lld", fn, (long long)m, (long long)n);
  const double *a = A.data;

  double *q, *r;
  napi_value qv = new_f64(env, (size_t)(m * n), &q);
  napi_value rv = qv ? new_f64(env, (size_t)(n * n), &r) : NULL;
  if (!rv) return fail(env, "%s: out of memory (m=%lld, n=%lld)", fn, (long long)m, (long long)n);
  if (n == 0) return pair(env, "q", qv, "r", rv);

  /* Compact-WY QR (dgeqrt, recursive panels) measured faster than dgeqrf + dorgqr here. */
  const int64_t nb = n < 32 ? n : 32;
  void *t1, *t2, *t3;
  double *w = scratch(env, 0, (size_t)(m * n) * sizeof(double), &t1);     /* column-major A, then V */
  double *t = scratch(env, 1, (size_t)(nb * n) * sizeof(double), &t2);    /* the block reflectors' T */
  double *work = scratch(env, 2, (size_t)(nb * n + n) * sizeof(double), &t3); /* + n for the signs */
  lapack_int status = -1000;
  if (w && t && work) {
    const lapack_int M = (lapack_int)m, N = (lapack_int)n, NB = (lapack_int)nb;
    double *sign = work + nb * n;
    transpose(a, w, m, n, NULL);
    status = LAPACKE_dgeqrt_work(LAPACK_COL_MAJOR, M, N, NB, w, M, t, NB, work);
    if (status == 0) {
      /* R is the upper triangle of the factored copy; make diag(R) ≥ 0 by flipping row i of R
       * together with column i of Q. */
      for (int64_t i = 0; i < n; i++) {
        sign[i] = w[i * m + i] < 0 ? -1.0 : 1.0;
        for (int64_t j = i; j < n; j++) r[i * n + j] = sign[i] * w[j * m + i];
      }
      /* Q_thinᵀ = [I_n 0]·Qᵀ, an n×m column-major product, is the row-major m×n Q_thin itself, so
       * Q is built in place in the output (zeroed on allocation) with no transpose; seeding
       * [S 0], S = diag(sign), instead of [I_n 0] applies the column flips for free. */
      for (int64_t i = 0; i < n; i++) q[i * n + i] = sign[i];
      status = LAPACKE_dgemqrt_work(LAPACK_COL_MAJOR, 'R', 'T', N, M, N, NB, w, M, t, NB, q, N, work);
    }
  }
  free(t1);
  free(t2);
  free(t3);
  if (status == -1000) return fail(env, "%s: out of memory (m=%lld, n=%lld)", fn, (long long)m, (long long)n);
  if (status != 0) return fail(env, "%s: LAPACK dgeqrt/dgemqrt failed (info=%d, m=%lld, n=%lld)", fn, (int)status, (long long)m, (long long)n);
  return pair(env, "q", qv, "r", rv);
}

static napi_value eigh_f64(napi_env env, napi_callback_info info) {
  const char *fn = "eigh_f64";
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < 2) return fail(env, "%s: expected 2 arguments (a, n), got %zu", fn, argc);
  Array A;
  int64_t n;
  /* dsyevd's workspace, 1 + 6n + 2n², must stay a 32-bit int. */
  if (!get_array(env, argv[0], fn, "a", napi_float64_array, &A) || !get_count(env, argv[1], fn, "n", 32000, &n)) return NULL;
  if ((uint64_t)(n * n) != A.length) {
    return fail(env, "%s: a has length %zu, expected %lld (n=%lld)", fn, A.length, (long long)(n * n), (long long)n);
  }
  const double *a = A.data;
  const int64_t bad = first_nonfinite(a, A.length);
  if (bad >= 0) return fail_nonfinite(env, fn, a, bad);

  double *values, *vectors;
  napi_value valv = new_f64(env, (size_t)n, &values);
  napi_value vecv = valv ? new_f64(env, (size_t)(n * n), &vectors) : NULL;
  if (!vecv) return fail(env, "%s: out of memory (n=%lld)", fn, (long long)n);
  if (n == 0) return pair(env, "values", valv, "vectors", vecv);

  const lapack_int N = (lapack_int)n;
  double query = 0;
  lapack_int iquery = 0;
  lapack_int status = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', N, NULL, N, NULL, &query, -1, &iquery, -1);
  const size_t lwork = query < (double)n ? (size_t)n : (size_t)query;
  const size_t liwork = iquery < 1 ? 1 : (size_t)iquery;
  void *t1 = NULL, *t2 = NULL, *t3 = NULL;
  double *w = NULL, *work = NULL;
  lapack_int *iwork = NULL;
  if (status == 0) {
    w = scratch(env, 0, (size_t)(n * n) * sizeof(double), &t1);
    work = scratch(env, 1, lwork * sizeof(double), &t2);
    iwork = scratch(env, 2, liwork * sizeof(lapack_int), &t3);
    status = w && work && iwork ? 0 : -1000;
  }
  if (status == 0) {
    /* The row-major buffer read column-major is Aᵀ, whose UPPER triangle is A's lower one. On exit
     * column j of the column-major w (= row j of the buffer) is eigenvector j. */
    memcpy(w, a, (size_t)(n * n) * sizeof(double));
    status = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', N, w, N, values, work, (lapack_int)lwork, iwork, (lapack_int)liwork);
  }
  if (status == 0) {
    /* Sign convention of src/kernels/dense.ts: the largest-magnitude component (the first one on
     * exact ties) of every eigenvector is positive. Row j of w is eigenvector j. */
    double *sign = work;
    for (int64_t j = 0; j < n; j++) {
      const double *v = w + j * n;
      int64_t pivot = 0;
      for (int64_t i = 1; i < n; i++) if (fabs(v[i]) > fabs(v[pivot])) pivot = i;
      sign[j] = v[pivot] < 0 ? -1.0 : 1.0;
    }
    transpose(w, vectors, n, n, sign);
  }
  free(t1);
  free(t2);
  free(t3);
  if (status == -1000) return fail(env, "%s: out of memory (n=%lld)", fn, (long long)n);
  if (status > 0) return fail(env, "%s: LAPACK dsyevd did not converge (info=%d, n=%lld)", fn, (int)status, (long long)n);
  if (status != 0) return fail(env, "%s: LAPACK dsyevd failed (info=%d, n=%lld)", fn, (int)status, (long long)n);
  return pair(env, "values", valv, "vectors", vecv);
}

/*
 * Thin SVD through dgesdd (divide and conquer). The row-major m×n buffer read column-major is
 * Aᵀ (n×m, lda n) = V·S·Uᵀ, so dgesdd's "U" (n×k) is our V and its "VT" (k×m, column-major) is
 * our U row-major as it stands; only V needs a transpose. Singular values come out descending;
 * signs are left to the caller (the svd primitive, src/tensor/linalg-primitives.ts, applies the
 * convention).
 */
static napi_value svd_f64(napi_env env, napi_callback_info info) {
  const char *fn = "svd_f64";
  Array A;
  int64_t m, n;
  /* dgesdd's workspace is O(k² + max(m, n)·k) and must stay a 32-bit int. */
  if (!get_matrix_args(env, info, fn, 16000, &A, &m, &n)) return NULL;
  const double *a = A.data;

  const int64_t k = m < n ? m : n;
  double *u, *s, *v;
  napi_value uv = new_f64(env, (size_t)(m * k), &u);
  napi_value sv = uv ? new_f64(env, (size_t)k, &s) : NULL;
  napi_value vv = sv ? new_f64(env, (size_t)(n * k), &v) : NULL;
  if (!vv) return fail(env, "%s: out of memory (m=%lld, n=%lld)", fn, (long long)m, (long long)n);
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok || napi_set_named_property(env, obj, "u", uv) != napi_ok ||
      napi_set_named_property(env, obj, "s", sv) != napi_ok || napi_set_named_property(env, obj, "v", vv) != napi_ok) {
    return NULL;
  }
  if (k == 0) return obj;

  const lapack_int M = (lapack_int)n, N = (lapack_int)m, K = (lapack_int)k; /* dgesdd's view: Aᵀ, n×m */
  double query = 0;
  lapack_int status = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'S', M, N, NULL, M, NULL, NULL, M, NULL, K, &query, -1, NULL);
  const size_t lwork = query < 1 ? 1 : (size_t)query;
  void *t1 = NULL, *t2 = NULL, *t3 = NULL;
  double *w = NULL, *work = NULL;
  lapack_int *iwork = NULL;
  if (status == 0) {
    /* w: the input copy (dgesdd destroys it), then dgesdd's U (n×k column-major) after it. */
    w = scratch(env, 0, (size_t)(m * n + n * k) * sizeof(double), &t1);
    work = scratch(env, 1, lwork * sizeof(double), &t2);
    iwork = scratch(env, 2, (size_t)(8 * k) * sizeof(lapack_int), &t3);
    status = w && work && iwork ? 0 : -1000;
  }
  if (status == 0) {
    double *vcol = w + m * n;
    memcpy(w, a, (size_t)(m * n) * sizeof(double));
    status = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'S', M, N, w, M, s, vcol, M, u, K, work, (lapack_int)lwork, iwork);
    /* vcol column-major n×k read row-major is Vᵀ (k×n): transpose it into V (n×k). */
    if (status == 0) transpose(vcol, v, k, n, NULL);
  }
  free(t1);
  free(t2);
  free(t3);
  if (status == -1000) return fail(env, "%s: out of memory (m=%lld, n=%lld)", fn, (long long)m, (long long)n);
  if (status > 0) return fail(env, "%s: LAPACK dgesdd did not converge (info=%d, m=%lld, n=%lld)", fn, (int)status, (long long)m, (long long)n);
  if (status != 0) return fail(env, "%s: LAPACK dgesdd failed (info=%d, m=%lld, n=%lld)", fn, (int)status, (long long)m, (long long)n);
  return obj;
}

/* ---------------------------------------------------------------------------------------------
 * Cholesky and triangular solves (src/kernels/dense.ts's cholesky and solveTriangular). native.ts
 * runs dense.ts's checks (sizes, lengths, finiteness) first, so the messages match; the lengths
 * are checked again here so that no call can read out of bounds.
 * ------------------------------------------------------------------------------------------- */

/* x as JavaScript prints it, near enough: NaN, ±Infinity, else the shortest %g that reads back as x. */
static void format_number(double x, char *buf, size_t size) {
  if (!isfinite(x)) {
    snprintf(buf, size, "%s", isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
    return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return;
  }
}

static napi_value cholesky_f64(napi_env env, napi_callback_info info) {
  const char *fn = "cholesky_f64";
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < 2) return fail(env, "%s: expected 2 arguments (a, n), got %zu", fn, argc);
  Array A;
  int64_t n;
  if (!get_array(env, argv[0], fn, "a", napi_float64_array, &A) || !get_count(env, argv[1], fn, "n", MAX_DIM, &n)) return NULL;
  if ((uint64_t)(n * n) != A.length) {
    return fail(env, "%s: a has length %zu, expected %lld (n=%lld)", fn, A.length, (long long)(n * n), (long long)n);
  }
  double *l;
  napi_value lv = new_f64(env, (size_t)(n * n), &l);
  if (!lv) return fail(env, "%s: out of memory (n=%lld)", fn, (long long)n);
  if (n == 0) return lv;
  /* The row-major buffer read column-major is Aᵀ, whose UPPER triangle is A's lower one; dpotrf
   * 'U' factors it as UᵀU, and U column-major is L = Uᵀ row-major (its strict upper triangle, left
   * alone by dpotrf, still holds A's and is cleared below). */
  memcpy(l, A.data, (size_t)(n * n) * sizeof(double));
  lapack_int status = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, l, (lapack_int)n);
  if (status < 0) return fail(env, "%s: LAPACK dpotrf failed (info=%d, n=%lld)", fn, (int)status, (long long)n);
  /* A failing pivot is left on the diagonal as computed (a_ii − Σ l_ik², summed in LAPACK's
   * order). OpenBLAS tests `ajj <= 0`, so a NaN pivot (an overflowing sum) passes through as a NaN
   * diagonal: dense.ts's `!(s > 0)` catches that too. */
  int64_t pivot = status > 0 ? (int64_t)status - 1 : -1;
  for (int64_t i = 0; pivot < 0 && i < n; i++) if (!(l[i * n + i] > 0)) pivot = i;
  if (pivot >= 0) {
    char s[32];
    format_number(l[pivot * n + pivot], s, sizeof s);
    return fail(env, "cholesky: matrix is not positive definite (pivot %lld is %s, n=%lld)", (long long)pivot, s, (long long)n);
  }
  for (int64_t i = 0; i + 1 < n; i++) memset(l + i * n + i + 1, 0, (size_t)(n - i - 1) * sizeof(double));
  return lv;
}

#define TRSM_ARGC 7

static napi_value trsm_f64(napi_env env, napi_callback_info info) {
  const char *fn = "trsm_f64";
  size_t argc = TRSM_ARGC;
  napi_value argv[TRSM_ARGC];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "%s: cannot read arguments", fn);
  if (argc < TRSM_ARGC) return fail(env, "%s: expected 7 arguments (t, b, n, nrhs, lower, transpose, unitDiagonal), got %zu", fn, argc);
  Array T, B;
  int64_t n, nrhs;
  bool lower, trans, unit;
  if (!get_array(env, argv[0], fn, "t", napi_float64_array, &T) || !get_array(env, argv[1], fn, "b", napi_float64_array, &B) ||
      !get_count(env, argv[2], fn, "n", MAX_DIM, &n) || !get_count(env, argv[3], fn, "nrhs", MAX_DIM, &nrhs) ||
      !get_flag(env, argv[4], fn, "lower", &lower) || !get_flag(env, argv[5], fn, "transpose", &trans) ||
      !get_flag(env, argv[6], fn, "unitDiagonal", &unit)) {
    return NULL;
  }
  if ((uint64_t)(n * n) != T.length) {
    return fail(env, "%s: t has length %zu, expected %lld (n=%lld)", fn, T.length, (long long)(n * n), (long long)n);
  }
  const int64_t size = mul_sat(n, nrhs);
  if ((uint64_t)size != B.length) {
    return fail(env, "%s: b has length %zu, expected %lld (n=%lld, nrhs=%lld)", fn, B.length, (long long)size, (long long)n, (long long)nrhs);
  }
  const double *t = T.data;
  if (!unit) {
    for (int64_t i = 0; i < n; i++) {
      if (t[i * n + i] == 0) return fail(env, "solveTriangular: matrix is singular (zero diagonal at %lld, n=%lld)", (long long)i, (long long)n);
    }
  }
  double *x;
  napi_value xv = new_f64(env, (size_t)size, &x);
  if (!xv) return fail(env, "%s: out of memory (n=%lld, nrhs=%lld)", fn, (long long)n, (long long)nrhs);
  if (size == 0) return xv;
  memcpy(x, B.data, (size_t)size * sizeof(double));
  cblas_dtrsm(CblasRowMajor, CblasLeft, lower ? CblasLower : CblasUpper, trans ? CblasTrans : CblasNoTrans,
              unit ? CblasUnit : CblasNonUnit, (int)n, (int)nrhs, 1.0, t, (int)n, x, (int)nrhs);
  return xv;
}

/* ---------------------------------------------------------------------------------------------
 * Threads and configuration
 * ------------------------------------------------------------------------------------------- */

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return fail(env, "set_threads: expected 1 argument (threads)");
  if (!get_count(env, argv[0], "set_threads", "threads", 4096, &t)) return NULL;
  if (t < 1) return fail(env, "set_threads: threads must be at least 1, got %lld", (long long)t);
  openblas_set_num_threads((int)t);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

static napi_value info_fn(napi_env env, napi_callback_info cbinfo) {
  (void)cbinfo;
  napi_value obj, config, core, threads, procs, parallel;
  const char *cfg = openblas_get_config();
  const char *name = openblas_get_corename();
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &core);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
  napi_create_int32(env, openblas_get_num_procs(), &procs);
  /* 0: sequential build, 1: pthreads, 2: OpenMP */
  napi_create_int32(env, openblas_get_parallel(), &parallel);
  napi_set_named_property(env, obj, "blas", config);
  napi_set_named_property(env, obj, "corename", core);
  napi_set_named_property(env, obj, "threads", threads);
  napi_set_named_property(env, obj, "procs", procs);
  napi_set_named_property(env, obj, "parallel", parallel);
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  Scratch *s = calloc(1, sizeof(Scratch));
  if (s && napi_set_instance_data(env, s, scratch_finalize, NULL) != napi_ok) free(s);
  const napi_property_descriptor props[] = {
    {"gemm_f32", NULL, gemm_f32, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gemm_f64", NULL, gemm_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"im2col", NULL, im2col, NULL, NULL, NULL, napi_enumerable, NULL},
    {"col2im", NULL, col2im, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adam", NULL, adam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"scale", NULL, scale, NULL, NULL, NULL, napi_enumerable, NULL},
    {"add", NULL, add, NULL, NULL, NULL, napi_enumerable, NULL},
    {"binary", NULL, binary, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unary_f64", NULL, unary_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"qr_f64", NULL, qr_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"eigh_f64", NULL, eigh_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"svd_f64", NULL, svd_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cholesky_f64", NULL, cholesky_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"trsm_f64", NULL, trsm_f64, NULL, NULL, NULL, napi_enumerable, NULL},
    {"set_threads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
    {"get_threads", NULL, get_threads, NULL, NULL, NULL, napi_enumerable, NULL},
    {"info", NULL, info_fn, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
