"""PyTorch twin of bench/bench.ts: the same workloads, same field names, one JSON object on stdout.

Run by Debian's system python3 (/usr/bin/python3 with python3-torch), not whatever python3 is
first on PATH. Threads: TORCH_THREADS (default 1, the thread count of trainscope's kernels). PyTorch's GEMM and
LAPACK speed depend on which libblas.so.3 Debian's alternatives select: the reference BLAS that
python3-torch pulls in by default is ~20x slower than OpenBLAS (apt-get install -y
libopenblas0-pthread switches it); the meta field "blas" reports which one is loaded.
Progress goes to stderr.
"""
import json
import os
import sys
import time

# This file is named torch.py: drop its own folder from the path so `import torch` finds PyTorch.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
# Thread count, set before PyTorch loads its BLAS (OpenBLAS reads these at load, ignoring
# torch.set_num_threads).
_threads = os.environ.get("TORCH_THREADS", "1")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads
import torch  # noqa: E402

torch.set_num_threads(int(_threads))
gen = torch.Generator().manual_seed(0)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def timed(fn, reps, warmup=2):
    """Best (minimum) wall time in ms of fn over reps runs after warmup runs: the statistic
    bench/bench.ts reports too (bench/timing.ts bestMs: on a shared VM noise only adds time)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return min(samples)


def gemm_gflops(n, dtype):
    a = torch.randn(n, n, dtype=dtype, generator=gen)
    b = torch.randn(n, n, dtype=dtype, generator=gen)
    c = torch.empty(n, n, dtype=dtype)
    ms = timed(lambda: torch.mm(a, b, out=c), 3 if n >= 1024 else 7, 1)
    return 2 * n ** 3 / (ms * 1e6)


def mlp(sizes, act, dtype):
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(sizes[i + 1], sizes[i], dtype=dtype, generator=gen) * (2 / sizes[i]) ** 0.5)
            lin.bias.zero_()
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def batch(sizes, n, dtype):
    x = torch.randn(n, sizes[0], dtype=dtype, generator=gen)
    y = torch.randint(0, sizes[-1], (n,), generator=gen)
    return x, y


def mlp_step_ms():
    sizes = [784, 256, 256, 10]
    net = mlp(sizes, torch.nn.ReLU, torch.float32)
    x, y = batch(sizes, 128, torch.float32)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    return timed(step, 15, 3)


def tiny_mlp_step_ms():
    sizes = [256, 20, 10]
    net = mlp(sizes, torch.nn.ReLU, torch.float32)
    x, y = batch(sizes, 8, torch.float32)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    def many():
        for _ in range(200):
            step()

    return timed(many, 9, 2) / 200


def hvp_over_grad():
    sizes = [784, 256, 256, 10]
    net = mlp(sizes, torch.nn.Tanh, torch.float64)
    x, y = batch(sizes, 128, torch.float64)
    params = list(net.parameters())
    v = [torch.randn(p.shape, dtype=p.dtype, generator=gen) for p in params]

    def loss():
        return torch.nn.functional.cross_entropy(net(x), y)

    def grad():
        torch.autograd.grad(loss(), params)

    def hvp():
        g = torch.autograd.grad(loss(), params, create_graph=True)
        dot = sum((gi * vi).sum() for gi, vi in zip(g, v))
        torch.autograd.grad(dot, params)

    return timed(hvp, 7, 2) / timed(grad, 7, 2)


def eigh_ms():
    a = torch.randn(256, 256, dtype=torch.float64, generator=gen)
    s = (a + a.T) * 0.5
    return timed(lambda: torch.linalg.eigh(s), 5, 1)


def qr_ms():
    a = torch.randn(1024, 64, dtype=torch.float64, generator=gen)
    return timed(lambda: torch.linalg.qr(a, mode="reduced"), 9, 2)


def svd_ms():
    a = torch.randn(256, 256, dtype=torch.float64, generator=gen)
    return timed(lambda: torch.linalg.svd(a, full_matrices=False), 5, 1)


def blas_library():
    """The libblas.so.3 this process loaded (reference BLAS vs OpenBLAS), from /proc/self/maps."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "libblas.so" in path or "libopenblas" in path or "libmkl" in path:
                    return os.path.realpath(path)
    except OSError:
        pass
    return "unknown"


def main():
    log(f"bench/torch.py: torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    r = {}
    rnd = lambda x: round(x, 3)
    r["sgemm512_gflops"] = rnd(gemm_gflops(512, torch.float32))
    r["sgemm1024_gflops"] = rnd(gemm_gflops(1024, torch.float32))
    r["dgemm512_gflops"] = rnd(gemm_gflops(512, torch.float64))
    r["dgemm1024_gflops"] = rnd(gemm_gflops(1024, torch.float64))
    log(f"  gemm done: {json.dumps(r)}")
    with torch.enable_grad():
        r["mlp_step_ms"] = rnd(mlp_step_ms())
        r["tiny_mlp_step_ms"] = rnd(tiny_mlp_step_ms())
        r["hvp_over_grad"] = rnd(hvp_over_grad())
    r["eigh256_f64_ms"] = rnd(eigh_ms())
    r["qr1024x64_f64_ms"] = rnd(qr_ms())
    r["svd256_f64_ms"] = rnd(svd_ms())
    print(json.dumps({"torch": r, "meta": {"torch": torch.__version__, "threads": int(_threads), "blas": blas_library()}}))


if __name__ == "__main__":
    main()
