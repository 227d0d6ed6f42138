/*
 * Vectorized float64 exp and tanh for the wasm backend: native/fast_math.h's branch-free
 * code, which clang auto-vectorizes into f64x2/i64x2 lanes (SIMD128 has no FMA, so the bits are
 * the native addon's). Within 2 ulp of Math.exp/Math.tanh, not bit-identical to the js backend
 * (see fast_math.h); src/kernels/wasm.ts sends only arrays of at least its UNARY_MIN here.
 */
#include "../../../native/fast_math.h"

#define EXPORT(name) __attribute__((export_name(name)))

/* No sigmoid: its f64x2 loop plus the copies measured no faster than the js loop (V8's Math.exp is
 * quick; tanh gains 1.5×, exp 1.2×), so wasm.ts keeps sigmoid on js. */
enum { OP_EXP, OP_TANH };

/* out[i] = f(x[i]) over n elements; out must not overlap x (restrict: with an overlap check the
 * vectorized loop would fall back to the scalar one, 7× slower, when out is x). */
EXPORT("unary_f64") void unary_f64(int op, int n, const double *restrict x, double *restrict out) {
  switch (op) {
    case OP_EXP:
      for (int i = 0; i < n; i++) out[i] = fm_exp(x[i]);
      break;
    default:
      for (int i = 0; i < n; i++) out[i] = fm_tanh(x[i]);
      break;
  }
}
