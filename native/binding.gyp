# The optional native kernel backend (OpenBLAS + LAPACKE), built by scripts/build-native.mjs.
# It lives in native/ rather than the repository root: a root binding.gyp makes npm run
# node-gyp unconditionally at install, and this addon must be skippable.
{
  "targets": [
    {
      "target_name": "trainscope_native",
      "sources": ["trainscope_native.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=gnu11"],
      "cflags!": ["-O3"],
      "libraries": ["-llapacke", "-lopenblas"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "2",
        "OTHER_CFLAGS": ["-std=gnu11"]
      }
    }
  ]
}
