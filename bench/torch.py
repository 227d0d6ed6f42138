"""PyTorch twin of bench/bench.ts: the same workloads, same field names, one JSON object on stdout.

Run by Debian's system python3 (/usr/bin/python3 with python3-torch), not whatever python3 is
first on PATH. Threads: TORCH_THREADS (default 1) for every field, plus sgemm/dgemm 1024 at PyTorch's own
DEFAULT thread count (*_default_threads: a child process with no thread variables set), the
numbers trainscope's default (automatic-thread) native GEMM is compared with. PyTorch's GEMM and
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
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# --gemm-default-threads: only the 1024 GEMMs, at whatever thread count PyTorch picks by itself.
_default_mode = "--gemm-default-threads" in sys.argv
_threads = os.environ.get("TORCH_THREADS", "1")
if not _default_mode:
    for _var in _THREAD_VARS:
        os.environ[_var] = _threads
import torch  # noqa: E402

if not _default_mode:
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


def hvp_mlp_ms():
    """One Hessian-vector product by double backward (PyHessian's way): 784-256-256-10 tanh MLP,
    batch 128, float64 — bench/spectral.ts hvp_mlp_ms does the same through trainscope's operator."""
    sizes = [784, 256, 256, 10]
    net = mlp(sizes, torch.nn.Tanh, torch.float64)
    x, y = batch(sizes, 128, torch.float64)
    params = list(net.parameters())
    v = [torch.randn(p.shape, dtype=p.dtype, generator=gen) for p in params]

    def hvp():
        g = torch.autograd.grad(torch.nn.functional.cross_entropy(net(x), y), params, create_graph=True)
        torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    return timed(hvp, 9, 2)


def eigh_ms():
    a = torch.randn(256, 256, dtype=torch.float64, generator=gen)
    s = (a + a.T) * 0.5
    return timed(lambda: torch.linalg.eigh(s), 5, 1)



def amortized_eigen():
    """eigh512/1024 (eigh256 is eigh_ms) and one amortized tracker step (k = 16, Brockett, Adam
    lr 1e-2, A/||A||_F, QR backward by autograd), as in bench/amortized-eigen.ts."""
    out = {}
    for n in (256, 512, 1024):
        a = torch.randn(n, n, dtype=torch.float64, generator=gen)
        s = (a + a.T) * 0.5
        w = torch.randn(n, 16, dtype=torch.float64, generator=gen).requires_grad_(True)
        m = torch.arange(16, 0, -1, dtype=torch.float64)
        opt = torch.optim.Adam([w], lr=1e-2)

        def step():
            with torch.enable_grad():
                sn = s / torch.linalg.norm(s)
                q = torch.linalg.qr(w).Q
                loss = -(m * (q * (sn @ q)).sum(0)).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()

        out[f"amortized_step_n{n}_ms"] = timed(step, 9 if n >= 1024 else 15, 3)
        if n != 256:
            out[f"eigh{n}_f64_ms"] = timed(lambda: torch.linalg.eigh(s), 3 if n >= 1024 else 5, 1)
    return out

def qr_ms():
    a = torch.randn(1024, 64, dtype=torch.float64, generator=gen)
    return timed(lambda: torch.linalg.qr(a, mode="reduced"), 9, 2)


def e2e_mlp_s(dtype):
    """bench/e2e.ts's loop in PyTorch: MLP 784-128-10 ReLU on the same 8000/2000 digits (file from
    `tsx bench/e2e.ts --export`, BENCH_MNIST; random data of the same shapes without it), batch 100,
    Adam 2e-3, 1600 steps, a fresh permutation each epoch, the loss read every step (as the NaN
    guard does), evaluation (loss + accuracy, batches of 1000) every 400 steps and at the end."""
    path = os.environ.get("BENCH_MNIST")
    if path:
        with open(path, "rb") as f:
            header = json.loads(f.readline())
            rest = f.read()
        import numpy as np
        arrays, off = [], 0
        for shape in (header["train"], header["test"]):
            n = shape[0] * shape[1]
            x = np.frombuffer(rest, dtype=np.float64, count=n, offset=off).reshape(shape)
            off += 8 * n
            y = np.frombuffer(rest, dtype=np.int32, count=shape[0], offset=off)
            off += 4 * shape[0]
            arrays.append((torch.from_numpy(x.copy()).to(dtype), torch.from_numpy(y.astype(np.int64))))
        (xtr, ytr), (xte, yte) = arrays
    else:
        log("  e2e: BENCH_MNIST not set, using random data of the same shapes")
        xtr, ytr = torch.rand(8000, 784, dtype=dtype, generator=gen), torch.randint(0, 10, (8000,), generator=gen)
        xte, yte = torch.rand(2000, 784, dtype=dtype, generator=gen), torch.randint(0, 10, (2000,), generator=gen)

    def run(steps):
        net = mlp([784, 128, 10], torch.nn.ReLU, dtype)
        opt = torch.optim.Adam(net.parameters(), lr=2e-3)
        n, bs = xtr.shape[0], 100
        per_epoch = n // bs
        order = None

        def evaluate():
            with torch.no_grad():
                loss, correct = 0.0, 0
                for s in range(0, xte.shape[0], 1000):
                    out = net(xte[s:s + 1000])
                    loss += torch.nn.functional.cross_entropy(out, yte[s:s + 1000], reduction="sum").item()
                    correct += (out.argmax(1) == yte[s:s + 1000]).sum().item()
            return loss / xte.shape[0], correct / xte.shape[0]

        for step in range(steps):
            if step % per_epoch == 0:
                order = torch.randperm(n, generator=gen)
            idx = order[(step % per_epoch) * bs:(step % per_epoch + 1) * bs]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            loss.backward()
            if not torch.isfinite(loss).item():
                raise RuntimeError("non-finite loss")
            opt.step()
            if (step + 1) % 400 == 0:
                evaluate()
        if steps % 400 != 0:
            evaluate()

    run(50)
    best = float("inf")
    for _ in range(2):  # best of 2, as bench/e2e.ts
        t0 = time.perf_counter()
        run(1600)
        best = min(best, time.perf_counter() - t0)
    return best


def _functional_call(net, params, args):
    """torch.func.functional_call (torch ≥ 2.0), or its torch 1.12/1.13 home."""
    f = getattr(getattr(torch, "func", None), "functional_call", None) or torch.nn.utils.stateless.functional_call
    return f(net, params, args)


def cgd_step_ms():
    """One CGD step (issue 16): the exact mini-batch Hessian by torch.autograd.functional.hessian
    and all eigenpairs by torch.linalg.eigh, 16-10-10 ReLU MLP, batch 8, float64 (bench/sgd-chaos.ts
    cgd_step_ms does the same with trainscope's exact Hessian + eigh), plus the projection."""
    sizes = [16, 10, 10]
    net = mlp(sizes, torch.nn.ReLU, torch.float64)
    x, y = batch(sizes, 8, torch.float64)
    names = [n for n, _ in net.named_parameters()]
    shapes = [p.shape for p in net.parameters()]
    flat0 = torch.cat([p.detach().reshape(-1) for p in net.parameters()])

    def loss_of(flat):
        parts, o = {}, 0
        for name, shape in zip(names, shapes):
            k = shape.numel()
            parts[name] = flat[o:o + k].reshape(shape)
            o += k
        return torch.nn.functional.cross_entropy(_functional_call(net, parts, (x,)), y)

    def step():
        flat = flat0.clone().requires_grad_(True)
        g = torch.autograd.grad(loss_of(flat), flat)[0]
        h = torch.autograd.functional.hessian(loss_of, flat0)
        lam, v = torch.linalg.eigh(h)
        keep = v[:, lam > 0]
        return flat0 - 0.02 * (keep @ (keep.T @ g))

    return timed(step, 7, 2)


def svd_ms():
    a = torch.randn(256, 256, dtype=torch.float64, generator=gen)
    return timed(lambda: torch.linalg.svd(a, full_matrices=False), 5, 1)


def gld_step_ms():
    # The same step as bench/gld-step.ts: full-batch semi-implicit GLD on the two-layer model
    # f(x) = sum_m a_m R tanh(v_m/R) tanh(w_m^T [x;1]), mean squared loss, n 1600, M 100, d 5, float64.
    n, d, m_width, eta, R = 1600, 5, 100, 0.05, 1.0
    beta, lam = float(n), 1.0 / n
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, d, dtype=torch.float64, generator=g) * 2 - 1
    xa = torch.cat([x, torch.ones(n, 1, dtype=torch.float64)], 1)
    y = torch.randn(n, dtype=torch.float64, generator=g)
    mu = torch.arange(1, m_width + 1, dtype=torch.float64) ** -2.0
    a = mu.sqrt()
    w = (torch.randn(d + 1, m_width, dtype=torch.float64, generator=g) * mu.sqrt()).requires_grad_(True)
    v = (torch.randn(m_width, dtype=torch.float64, generator=g) * mu.sqrt()).requires_grad_(True)
    s = 1.0 / (1.0 + eta * lam / mu)
    sigma = (2 * eta / beta) ** 0.5

    def step():
        out = torch.tanh(xa @ w) @ (a * R * torch.tanh(v / R))
        loss = ((out - y) ** 2).mean()
        gw, gv = torch.autograd.grad(loss, (w, v))
        with torch.no_grad():
            for p, gp in ((w, gw), (v, gv)):
                p.copy_(s * (p - eta * gp + sigma * torch.randn(p.shape, dtype=torch.float64, generator=g)))
        return loss.item()

    def many():
        for _ in range(10):
            step()
    return timed(many, 9, 3) / 10


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


def gemm_default_threads():
    """sgemm/dgemm 1024 GFLOPS in a child process with no thread variables: PyTorch's default."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS and k != "TORCH_THREADS"}
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--gemm-default-threads"], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def blas_threads():
    """Threads the loaded OpenBLAS may use (PyTorch's own count covers only its intra-op pool)."""
    try:
        import ctypes

        return ctypes.CDLL(blas_library()).openblas_get_num_threads()
    except (OSError, AttributeError):
        return "?"


def dash_mlp_steps_per_s(steps=100):
    """bench/dash.ts in PyTorch (issue 18): dash/warm-start's BatchNorm MLP 784-256-256-10 (Linear ->
    BatchNorm1d -> ReLU), SGD lr 0.01 momentum 0.9, batch 128, float64, 100 steps on 1,280 random
    examples with a fresh permutation per epoch, the loss read every step; best of 3."""
    g = torch.Generator().manual_seed(18)
    x = torch.rand(1280, 784, generator=g, dtype=torch.float64)
    y = torch.randint(0, 10, (1280,), generator=g)

    def run():
        torch.manual_seed(0)
        layers = []
        for i, (a, b) in enumerate([(784, 256), (256, 256), (256, 10)]):
            layers.append(torch.nn.Linear(a, b))
            if i < 2:
                layers += [torch.nn.BatchNorm1d(b), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers).double().train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        per_epoch = 1280 // 128
        perm = None
        for s in range(steps):
            if s % per_epoch == 0:
                perm = torch.randperm(1280, generator=g)
            idx = perm[(s % per_epoch) * 128:(s % per_epoch + 1) * 128]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss.item()

    return steps / (timed(run, 3, warmup=1) / 1e3)


def main():
    if _default_mode:
        rnd = lambda x: round(x, 3)
        print(json.dumps({"sgemm1024_gflops_default_threads": rnd(gemm_gflops(1024, torch.float32)),
                          "dgemm1024_gflops_default_threads": rnd(gemm_gflops(1024, torch.float64)),
                          "default_threads": f"torch {torch.get_num_threads()}, BLAS {blas_threads()}"}))
        return
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
        r["hvp_mlp_ms"] = rnd(hvp_mlp_ms())  # issue 14 (bench/spectral.ts)
        r["gld_step_ms"] = rnd(gld_step_ms())
        r["cgd_step_ms"] = rnd(cgd_step_ms())  # issue 16 (bench/sgd-chaos.ts)
        r["dash_mlp_steps_per_s"] = rnd(dash_mlp_steps_per_s())  # issue 18 (bench/dash.ts)
    r["eigh256_f64_ms"] = rnd(eigh_ms())
    r["qr1024x64_f64_ms"] = rnd(qr_ms())
    r["svd256_f64_ms"] = rnd(svd_ms())
    r.update({key: rnd(ms) for key, ms in amortized_eigen().items()})
    if os.environ.get("BENCH_E2E") != "0":
        with torch.enable_grad():
            r["e2e_mlp_f64_s"] = rnd(e2e_mlp_s(torch.float64))
            r["e2e_mlp_f32_s"] = rnd(e2e_mlp_s(torch.float32))
        log(f"  e2e: float64 {r['e2e_mlp_f64_s']} s, float32 {r['e2e_mlp_f32_s']} s")
    d = gemm_default_threads()
    r["sgemm1024_gflops_default_threads"] = d["sgemm1024_gflops_default_threads"]
    r["dgemm1024_gflops_default_threads"] = d["dgemm1024_gflops_default_threads"]
    log(f"  gemm at PyTorch's default {d['default_threads']} thread(s): {json.dumps(d)}")
    meta = {"torch": torch.__version__, "threads": int(_threads), "default_threads": d["default_threads"], "blas": blas_library()}
    print(json.dumps({"torch": r, "meta": meta}))


if __name__ == "__main__":
    main()
