#!/usr/bin/env bash
# Rebuilds kernels.wasm into a temp file and fails if its bytes differ from the committed one
# (CI calls this when clang is present): the committed binary must be what the sources build to.
set -euo pipefail
cd "$(dirname "$0")/.."
committed=src/kernels/wasm/kernels.wasm
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
scripts/build-wasm.sh "$tmp/kernels.wasm"
if cmp -s "$tmp/kernels.wasm" "$committed"; then
  echo "check-wasm: $committed matches its sources" >&2
else
  echo "check-wasm: $committed differs from a fresh build of src/kernels/wasm/*.c; run 'npm run build:wasm' and commit it" >&2
  echo "  committed: $(sha256sum <"$committed" | cut -c1-16)…  rebuilt: $(sha256sum <"$tmp/kernels.wasm" | cut -c1-16)…" >&2
  exit 1
fi
