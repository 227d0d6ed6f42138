/*
 * trainscope's WebAssembly kernels: f32 and f64 GEMM (every transpose, batch strides) with
 * SIMD128, built by scripts/build-wasm.sh into kernels.wasm. Freestanding: no libc, no imports.
 *
 * Plain f32x4/f64x2 mul + add (no FMA): relaxed-SIMD's madd needs a flag in Node 20's V8.
 * Micro-tiles are sized for V8's 16 xmm registers on x64: accumulators + B vectors + one
 * broadcast A + one product temporary must fit, or V8 spills to the stack.
 */
#include <wasm_simd128.h>

#ifndef MR32
#define MR32 4
#endif
#ifndef NV32
#define NV32 2
#endif
#ifndef MR64
#define MR64 4
#endif
#ifndef NV64
#define NV64 2
#endif

/* ---- f32 ---- */
#define T float
#define LANES 4
#define SPLAT_LOAD(p) wasm_v128_load32_splat(p)
#define VADD wasm_f32x4_add
#define VMUL wasm_f32x4_mul
#define MR MR32
#define NV NV32
#define KC 256
#define MC 128
#define NC 2048
#define FN(name) name##_f32
#define EXPORT_NAME "gemm_f32"
#include "gemm-impl.h"
#undef T
#undef LANES
#undef SPLAT_LOAD
#undef VADD
#undef VMUL
#undef MR
#undef NV
#undef KC
#undef MC
#undef NC
#undef FN
#undef EXPORT_NAME

/* ---- f64 ---- */
#define T double
#define LANES 2
#define SPLAT_LOAD(p) wasm_v128_load64_splat(p)
#define VADD wasm_f64x2_add
#define VMUL wasm_f64x2_mul
#define MR MR64
#define NV NV64
#define KC 256
#define MC 64
#define NC 1024
#define FN(name) name##_f64
#define EXPORT_NAME "gemm_f64"
#include "gemm-impl.h"
