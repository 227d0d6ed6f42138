#!/usr/bin/env bash
# `npm run bench:torch`: trainscope's bench (every available backend) and the same workloads in
# PyTorch side by side, with ratios. PyTorch runs under Debian's system python3 (/usr/bin/python3
# with `apt-get install -y python3-torch`; add libopenblas0-pthread or torch uses the slow
# reference BLAS). If that python cannot import torch, says so and exits 0.
# Env: TORCH_THREADS (default 1; the *_default_threads GEMM fields use PyTorch's own default), PYTHON (default /usr/bin/python3),
#      BENCH_JSON=file to reuse a saved `npm run bench` output instead of rerunning it.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-/usr/bin/python3}"
if ! "$py" -c 'import torch' >/dev/null 2>&1; then
  echo "bench:torch: $py cannot import torch (apt-get install -y python3-torch libopenblas0-pthread); skipping the PyTorch comparison" >&2
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "${BENCH_JSON:-}" ]]; then
  cp "$BENCH_JSON" "$tmp/ours.json"
else
  BENCH_SWEEPS=0 npx tsx bench/bench.ts >"$tmp/ours.json"
fi
# The end-to-end MLP run trains on the same MNIST digits on both sides.
npx tsx bench/e2e.ts --export "$tmp/mnist.bin"
BENCH_MNIST="$tmp/mnist.bin" "$py" bench/torch.py >"$tmp/torch.json"
npx tsx bench/compare-torch.ts "$tmp/ours.json" "$tmp/torch.json"
