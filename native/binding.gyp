# The optional native kernel backend (OpenBLAS + LAPACKE), built by scripts/build-native.mjs.
# It lives in native/ rather than the repository root: a root binding.gyp makes npm run
# node-gyp unconditionally at install, and this addon must be skippable.
# -ffp-contract=off: the fused optimizer loops must round every multiply and add separately (no
# FMA contraction, GCC's default in GNU C mode) to stay bit-identical to the js loops.
# -fno-math-errno: sqrt/sqrtf compile to the sqrt instruction (no errno path), so those loops vectorize.
{
  "targets": [
    {
      "target_name": "trainscope_native",
      "sources": ["trainscope_native.c", "fast_math.h"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno"],
      "cflags!": ["-O3"],
      "libraries": ["-llapacke", "-lopenblas"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "2",
        "OTHER_CFLAGS": ["-std=gnu11", "-ffp-contract=off", "-fno-math-errno"]
      }
    }
  ]
}
