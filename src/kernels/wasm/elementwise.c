/*
 * Elementwise binary ops for the wasm backend (the `binary` contract in src/kernels/kernels.ts):
 * the JS expressions of src/tensor/primitives.ts per element, in f32x4 / f64x2 lanes. Arithmetic
 * is IEEE in the arrays' precision (no FMA in SIMD128), maximum/minimum/maskPositive are
 * compare-and-select with the JS tie and NaN rules, so results are the JS loops' bits (NaN
 * payloads aside).
 *
 * Forms: x and y the same length; y repeating every `ny` elements (a scalar when ny = 1, a bias
 * otherwise); or x repeating every `nx`.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_MASK };

/* One op on vectors and on scalars, for each precision. NaN rules: see the file comment. */
#define DEFINE_OPS(T, P, NANV)                                                                   \
  static inline v128_t vop_##P(int op, v128_t a, v128_t b) {                                     \
    switch (op) {                                                                                \
      case OP_ADD: return wasm_##P##_add(a, b);                                                  \
      case OP_SUB: return wasm_##P##_sub(a, b);                                                  \
      case OP_MUL: return wasm_##P##_mul(a, b);                                                  \
      case OP_DIV: return wasm_##P##_div(a, b);                                                  \
      case OP_MAX: {                                                                             \
        v128_t pick = wasm_v128_bitselect(a, b, wasm_##P##_ge(a, b));                            \
        v128_t nan = wasm_v128_or(wasm_##P##_ne(a, a), wasm_##P##_ne(b, b));                     \
        return wasm_v128_bitselect(wasm_##P##_splat(NANV), pick, nan);                           \
      }                                                                                          \
      case OP_MIN: {                                                                             \
        v128_t pick = wasm_v128_bitselect(a, b, wasm_##P##_le(a, b));                            \
        v128_t nan = wasm_v128_or(wasm_##P##_ne(a, a), wasm_##P##_ne(b, b));                     \
        return wasm_v128_bitselect(wasm_##P##_splat(NANV), pick, nan);                           \
      }                                                                                          \
      default: return wasm_v128_and(b, wasm_##P##_gt(a, wasm_##P##_splat(0)));                   \
    }                                                                                            \
  }                                                                                              \
  static inline T sop_##P(int op, T a, T b) {                                                    \
    switch (op) {                                                                                \
      case OP_ADD: return a + b;                                                                 \
      case OP_SUB: return a - b;                                                                 \
      case OP_MUL: return a * b;                                                                 \
      case OP_DIV: return a / b;                                                                 \
      case OP_MAX: return (a != a || b != b) ? NANV : (a >= b ? a : b);                          \
      case OP_MIN: return (a != a || b != b) ? NANV : (a <= b ? a : b);                          \
      default: return a > 0 ? b : (T)0;                                                          \
    }                                                                                            \
  }

DEFINE_OPS(float, f32x4, __builtin_nanf(""))
DEFINE_OPS(double, f64x2, __builtin_nan(""))

/*
 * The loops take `op` as a compile-time constant after inlining into one specialized copy per op
 * (the switch below), so the per-element switch disappears.
 */
#define DEFINE_LOOPS(T, P, LANES, SPLAT)                                                          \
  static inline __attribute__((always_inline)) void run_##P(int op, int nx, const T *x, int ny,   \
                                                            const T *y, T *out) {                 \
    int n = nx > ny ? nx : ny;                                                                    \
    if (nx == ny) {                                                                               \
      int i = 0;                                                                                  \
      for (; i + LANES <= n; i += LANES)                                                          \
        wasm_v128_store(out + i, vop_##P(op, wasm_v128_load(x + i), wasm_v128_load(y + i)));      \
      for (; i < n; i++) out[i] = sop_##P(op, x[i], y[i]);                                        \
    } else if (ny == 1) {                                                                         \
      v128_t b = SPLAT(y[0]);                                                                     \
      int i = 0;                                                                                  \
      for (; i + LANES <= n; i += LANES) wasm_v128_store(out + i, vop_##P(op, wasm_v128_load(x + i), b)); \
      for (; i < n; i++) out[i] = sop_##P(op, x[i], y[0]);                                        \
    } else if (nx == 1) {                                                                         \
      v128_t a = SPLAT(x[0]);                                                                     \
      int i = 0;                                                                                  \
      for (; i + LANES <= n; i += LANES) wasm_v128_store(out + i, vop_##P(op, a, wasm_v128_load(y + i))); \
      for (; i < n; i++) out[i] = sop_##P(op, x[0], y[i]);                                        \
    } else if (ny < nx) {                                                                         \
      for (int o = 0; o < n; o += ny) {                                                           \
        int j = 0;                                                                                \
        for (; j + LANES <= ny; j += LANES)                                                       \
          wasm_v128_store(out + o + j, vop_##P(op, wasm_v128_load(x + o + j), wasm_v128_load(y + j))); \
        for (; j < ny; j++) out[o + j] = sop_##P(op, x[o + j], y[j]);                             \
      }                                                                                           \
    } else {                                                                                      \
      for (int o = 0; o < n; o += nx) {                                                           \
        int j = 0;                                                                                \
        for (; j + LANES <= nx; j += LANES)                                                       \
          wasm_v128_store(out + o + j, vop_##P(op, wasm_v128_load(x + j), wasm_v128_load(y + o + j))); \
        for (; j < nx; j++) out[o + j] = sop_##P(op, x[j], y[o + j]);                             \
      }                                                                                           \
    }                                                                                             \
  }

DEFINE_LOOPS(float, f32x4, 4, wasm_f32x4_splat)
DEFINE_LOOPS(double, f64x2, 2, wasm_f64x2_splat)

#define DISPATCH(P)                                                                               \
  switch (op) {                                                                                   \
    case OP_ADD: run_##P(OP_ADD, nx, x, ny, y, out); break;                                       \
    case OP_SUB: run_##P(OP_SUB, nx, x, ny, y, out); break;                                       \
    case OP_MUL: run_##P(OP_MUL, nx, x, ny, y, out); break;                                       \
    case OP_DIV: run_##P(OP_DIV, nx, x, ny, y, out); break;                                       \
    case OP_MAX: run_##P(OP_MAX, nx, x, ny, y, out); break;                                       \
    case OP_MIN: run_##P(OP_MIN, nx, x, ny, y, out); break;                                       \
    default: run_##P(OP_MASK, nx, x, ny, y, out); break;                                          \
  }

EXPORT("binary_f32")
void binary_f32(int op, int nx, const float *x, int ny, const float *y, float *out) { DISPATCH(f32x4) }

EXPORT("binary_f64")
void binary_f64(int op, int nx, const double *x, int ny, const double *y, double *out) { DISPATCH(f64x2) }
