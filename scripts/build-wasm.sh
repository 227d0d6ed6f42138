#!/usr/bin/env bash
# Builds src/kernels/wasm/kernels.wasm from the C sources beside it with Debian's clang + lld
# (apt-get install -y clang lld). Reproducible: no debug info, no paths, custom sections
# stripped, sources passed by relative path from the repo root, so the same clang gives the same
# bytes. Usage: scripts/build-wasm.sh [OUT]   (default src/kernels/wasm/kernels.wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-src/kernels/wasm/kernels.wasm}"
CLANG="${CLANG:-clang}"
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "build-wasm: '$CLANG' not found; install Debian's clang and lld (apt-get install -y clang lld)" >&2
  exit 1
fi
# -mbulk-memory: clang turns copy/zero loops into memcpy/memset; with bulk memory those become
# memory.copy/memory.fill instructions instead of calls into a libc we do not link.
# Memory is exported and growable (no maximum); the JS side places operands above __heap_base.
"$CLANG" --target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -ffreestanding \
  -fno-ident -g0 -ffile-prefix-map="$PWD"=. \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all -Wl,-z,stack-size=65536 \
  -o "$out.tmp" src/kernels/wasm/gemm.c src/kernels/wasm/fused.c src/kernels/wasm/linalg.c src/kernels/wasm/conv.c src/kernels/wasm/elementwise.c src/kernels/wasm/svd.c src/kernels/wasm/unary.c
mv "$out.tmp" "$out"
echo "build-wasm: wrote $out ($(wc -c <"$out") bytes, $("$CLANG" --version | head -n1))" >&2
