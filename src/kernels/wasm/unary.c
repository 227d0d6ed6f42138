/*
 * Vectorized float64 exp, tanh and sigmoid for the wasm backend: native/fast_math.h's branch-free
 * code, which clang auto-vectorizes into f64x2/i64x2 lanes (SIMD128 has no FMA, so the bits are
 * the native addon's). Within 2 ulp of Math.exp/Math.tanh, not bit-identical to the js backend
 * (see fast_math.h); src/kernels/wasm.ts sends only arrays of at least its UNARY_MIN here.
 */
#include "../../../native/fast_math.h"

#define EXPORT(name) __attribute__((export_name(name)))

enum { OP_EXP, OP_TANH, OP_SIGMOID };

/* out[i] = f(x[i]) over n elements; out may be x (in place). */
EXPORT("unary_f64") void unary_f64(int op, int n, const double *x, double *out) {
  switch (op) {
    case OP_EXP:
      for (int i = 0; i < n; i++) out[i] = fm_exp(x[i]);
      break;
    case OP_TANH:
      for (int i = 0; i < n; i++) out[i] = fm_tanh(x[i]);
      break;
    default:
      for (int i = 0; i < n; i++) out[i] = fm_sigmoid(x[i]);
      break;
  }
}
