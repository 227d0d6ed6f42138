/*
 * Vectorizable float64 exp, tanh and sigmoid over arrays (included by trainscope_native.c and by
 * the wasm module's src/kernels/wasm/unary.c, so both backends compute the same bits).
 *
 * Why: the js loops call Math.tanh/Math.exp one element at a time (≈1.1 ns per tanh); these loops
 * are branch-free straight-line code that GCC/clang vectorize (4 lanes in the AVX2 clone), so a
 * [1600, 100] tanh runs several times faster. Results are within 2 ulp of Math.tanh/Math.exp
 * (src/kernels/fast-math.test.ts measures the max ulp error) but NOT bit-identical to the js
 * backend: the last bits may differ, which the README allows (byte-identity is per backend).
 * NaN, ±Infinity, ±0 and the saturation of tanh/sigmoid are exactly Math's.
 *
 * The shared core is expm1 on a reduced argument: y = n·ln2 + r with n = round(y/ln2),
 * |r| ≤ ln2/2, ln2 split in two so n·LN2_HI is exact; e^r − 1 is a degree-13 Taylor polynomial
 * (truncation < 4e-18 relative on |r| ≤ 0.347, so rounding dominates). n is found with the
 * 1.5·2^52 shifter trick and 2^n built in the exponent bits: no int conversion or table lookup,
 * which keeps the loops vectorizable. No FMA anywhere (the build's -ffp-contract=off and the
 * AVX2-without-FMA clone), so the bits are the same on every x86-64 machine.
 *
 * tanh(x) = sign(x) · t/(t + 2), t = e^(2|x|) − 1, for 2|x| < ln2/2 (|x| < 0.173): there n = 0 and
 * t is the polynomial itself, so there is no cancellation (this is the small-|x| odd path: t/(t+2)
 * of the Taylor expm1 is an odd function's series evaluated directly); above, 1 − 2/(t + 2)
 * (the form fdlibm uses), whose subtraction is from 1 of a quantity ≤ 1/2 so it loses nothing.
 * The switch is at t = 1 (|x| ≈ 0.3466), where both forms are accurate. 2|x| is clamped to 80
 * (tanh rounds to 1 from |x| ≈ 19.1), so ±Infinity gives ±1 and nothing overflows.
 */
#ifndef TRAINSCOPE_FAST_MATH_H
#define TRAINSCOPE_FAST_MATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FM_INV_LN2 1.4426950408889634074
#define FM_LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000: low 21 bits zero, n·HI exact for |n| < 2^21 */
#define FM_LN2_LO 1.90821492927058770002e-10
/* tanh's polynomial below FM_TANH_SWITCH (tanh = 1/2 there): P(w) ≈ (tanh(√w)/√w − 1)/w on
 * [0, 0.55²], a degree-10 Chebyshev interpolant (in 50-digit arithmetic, rounded to doubles);
 * its error including the rounded coefficients is < 0.05 ulp of tanh. */
#define FM_TANH_SWITCH 0.55
#define FM_TANH_P0 -0.3333333333333333
#define FM_TANH_P1 0.13333333333332714
#define FM_TANH_P2 -0.053968253967434016
#define FM_TANH_P3 0.021869488493666944
#define FM_TANH_P4 -0.008863234397814355
#define FM_TANH_P5 0.003592110378689024
#define FM_TANH_P6 -0.001455661830100716
#define FM_TANH_P7 0.0005889360520074057
#define FM_TANH_P8 -0.0002346347410887237
#define FM_TANH_P9 8.511313685577672e-05
#define FM_TANH_P10 -2.060276537636634e-05
#define FM_SHIFTER 6755399441055744.0 /* 1.5·2^52: adding it rounds to an integer held in the low mantissa bits */

/* c ? a : b as a bit mask: GCC if-converts a ?: whose arms compute floats only without
 * -fno-trapping-math, and a loop with a branch is not vectorized. */
static inline double fm_select(bool c, double a, double b);

static inline double fm_bits_to_double(uint64_t u) {
  double d;
  __builtin_memcpy(&d, &u, sizeof d); /* builtin: the wasm build is freestanding (no string.h) */
  return d;
}
static inline uint64_t fm_double_to_bits(double d) {
  uint64_t u;
  __builtin_memcpy(&u, &d, sizeof u);
  return u;
}

static inline double fm_select(bool c, double a, double b) {
  const uint64_t m = (uint64_t)0 - (uint64_t)c;
  return fm_bits_to_double((fm_double_to_bits(a) & m) | (fm_double_to_bits(b) & ~m));
}

/* e^r − 1 for |r| ≤ 0.35: r + r²·(1/2! + r·(1/3! + …)) (Taylor to r^13), Horner, the leading r added last. */
static inline double fm_expm1_reduced(double r) {
  double p = 1.0 / 6227020800.0; /* 1/13! */
  p = 1.0 / 479001600.0 + r * p;
  p = 1.0 / 39916800.0 + r * p;
  p = 1.0 / 3628800.0 + r * p;
  p = 1.0 / 362880.0 + r * p;
  p = 1.0 / 40320.0 + r * p;
  p = 1.0 / 5040.0 + r * p;
  p = 1.0 / 720.0 + r * p;
  p = 1.0 / 120.0 + r * p;
  p = 1.0 / 24.0 + r * p;
  p = 1.0 / 6.0 + r * p;
  p = 0.5 + r * p;
  return r + (r * r) * p;
}

/* n = round(y/ln2) (as a double) and the reduced r = y − n·ln2; |y| < 2^20. */
static inline double fm_reduce(double y, double *n) {
  const double k = (y * FM_INV_LN2 + FM_SHIFTER) - FM_SHIFTER;
  *n = k;
  return (y - k * FM_LN2_HI) - k * FM_LN2_LO;
}

/* 2^k for an integer-valued k in [−1022, 1023]: k + 1.5·2^52 holds k in its low mantissa bits
 * (two's complement), so k + 1023 lands in the exponent field after the shift; no float→int
 * conversion, which SSE2/AVX2 lack for 64-bit lanes and which stops GCC's vectorizer. */
static inline double fm_pow2(double k) {
  return fm_bits_to_double((fm_double_to_bits(k + FM_SHIFTER) + 1023) << 52);
}

/* e^x, Math.exp's specials: NaN → NaN, +∞ → +∞, −∞ → +0; overflow to +∞ above ≈709.78, underflow through the subnormals to 0. */
static inline double fm_exp(double x) {
  /* Clamp with comparisons that are false for NaN, so NaN flows through. */
  double y = x > 710.0 ? 710.0 : x;
  y = y < -746.0 ? -746.0 : y;
  y = fm_select(x != x, 0.0, y); /* NaN: compute on 0, returned as itself below */
  double k;
  const double r = fm_reduce(y, &k);
  const double p = fm_expm1_reduced(r);
  /* 2^k in two halves: k reaches 1025 and −1077, outside one double's normal exponents. */
  const double k1 = (k * 0.5 + FM_SHIFTER) - FM_SHIFTER, k2 = k - k1;
  const double v = ((1.0 + p) * fm_pow2(k1)) * fm_pow2(k2);
  return fm_select(x != x, x, v);
}

/* tanh(x) (see the file comment). */
static inline double fm_tanh(double x) {
  const uint64_t bits = fm_double_to_bits(x);
  const double a = fm_bits_to_double(bits & 0x7fffffffffffffffULL);
  /* |x| < 0.55: odd polynomial, tanh(a) = a + a·w·P(w), w = a². */
  const double w = a * a;
  double p = FM_TANH_P10;
  p = FM_TANH_P9 + w * p;
  p = FM_TANH_P8 + w * p;
  p = FM_TANH_P7 + w * p;
  p = FM_TANH_P6 + w * p;
  p = FM_TANH_P5 + w * p;
  p = FM_TANH_P4 + w * p;
  p = FM_TANH_P3 + w * p;
  p = FM_TANH_P2 + w * p;
  p = FM_TANH_P1 + w * p;
  p = FM_TANH_P0 + w * p;
  const double small = a + a * (w * p);
  /* Otherwise 1 − 2/(e^(2a) + 1), the subtraction from 1 of a quantity ≤ 1/2 (no cancellation);
   * e^(2a) + 1 = s·p + (s + 1) with s = 2^k, p = e^r − 1: s + 1 and s·p are exact, one rounding. */
  double y = a + a > 80.0 ? 80.0 : a + a;
  y = fm_select(x != x, 0.0, y); /* NaN: compute on 0 (defined integer bits), returned as itself below */
  double k;
  const double r = fm_reduce(y, &k);
  const double s = fm_pow2(k);
  const double large = 1.0 - 2.0 / (s * fm_expm1_reduced(r) + (s + 1.0));
  const double z = fm_select(a < FM_TANH_SWITCH, small, large);
  const double out = fm_bits_to_double(fm_double_to_bits(z) | (bits & 0x8000000000000000ULL));
  return fm_select(x != x, x, out);
}

/* Math's sigmoid as in kernels.ts: x ≥ 0 ? 1/(1 + e^−x) : e^x/(1 + e^x), both as e = e^−|x|. */
static inline double fm_sigmoid(double x) {
  const double e = fm_exp(-fm_bits_to_double(fm_double_to_bits(x) & 0x7fffffffffffffffULL));
  return fm_select(x >= 0, 1.0, e) / (1.0 + e); /* NaN: e is NaN, so is the result */
}

#endif
