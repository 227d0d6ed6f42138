/**
 * `npm run bench`: one JSON object on stdout, keyed by backend, with fixed field names so results
 * compare across versions and against PyTorch's same workloads. Progress goes to stderr.
 *
 * Workloads: GEMM GFLOPS (f32/f64, 512 and 1024); an MLP 784-256-256-10 ReLU training step
 * (batch 128, softmax-CE, forward + backward + the library's `optim.adam`, float32); a tiny MLP
 * 256-20-10 ReLU step (batch 8, `optim.sgd`, float32); HVP time over gradient time (784-256-256-10 tanh MLP, float64,
 * batch 128); eigh 256, QR 1024×64 and SVD 256 in float64; end-to-end `train()` of the README's MNIST MLP in
 * float64 and float32 (bench/e2e.ts; e2e_mlp_f64_s / e2e_mlp_f32_s, seconds); the whole nqm/critical-batch-size study (bench/nqm.ts; nqm_study_s, seconds). Times are the best of several runs after a
 * warm-up (bench/timing.ts bestMs; bench/torch.py reports the same statistic).
 * BENCH_BACKENDS=wasm,native runs only those backends.
 */
import {
  Tensor,
  add,
  availableBackends,
  kernels,
  linalg,
  matmul,
  mul,
  optim,
  random,
  setBackend,
  softmaxCrossEntropy,
  tanh,
  relu,
  valueAndGrad,
  hvp,
  grad,
  treeMap,
  transpose,
  type GradientTransformation,
} from '../src/index.ts';
import type { FloatArray } from '../src/kernels/kernels.ts';
import { bestMs as time } from './timing.ts';
import { e2eMlpSeconds } from './e2e.ts';
import { nqmStudySeconds } from './nqm.ts';
import { saFlipsPerSecond } from './qubo-sa.ts';
import { spectralBench } from './spectral.ts';
import { sweepBench } from './sweeps.ts';
import { gldStepMs } from './gld-step.ts';
import { amortizedEigenBench } from './amortized-eigen.ts';
import { sgdChaosBench } from './sgd-chaos.ts';
import { dashMlpStepsPerSecond } from './dash.ts';

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

function gemmGflops(n: number, dtype: 'float32' | 'float64'): number {
  const make = (seed: number): FloatArray => random.normal(random.key(seed), [n * n], { dtype }).data as FloatArray;
  const a = make(1);
  const b = make(2);
  const c = dtype === 'float32' ? new Float32Array(n * n) : new Float64Array(n * n);
  const args = { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const ms = time(() => kernels().gemm(a, b, c, args), n >= 1024 ? 3 : 7, 1);
  return (2 * n * n * n) / (ms * 1e6);
}

type Mlp = { w: Tensor[]; b: Tensor[] };

function initMlp(sizes: number[], dtype: 'float32' | 'float64', seed: number): Mlp {
  const keys = random.split(random.key(seed), sizes.length);
  const w = sizes.slice(1).map((out, i) => random.normal(keys[i]!, [sizes[i]!, out], { std: Math.sqrt(2 / sizes[i]!), dtype }));
  const b = sizes.slice(1).map((out) => new Tensor(dtype === 'float32' ? new Float32Array(out) : new Float64Array(out), [out], dtype));
  return { w, b };
}

function forward(p: Mlp, x: Tensor, act: (t: Tensor) => Tensor): Tensor {
  let h = x;
  p.w.forEach((w, i) => {
    h = add(matmul(h, w), p.b[i]!);
    if (i < p.w.length - 1) h = act(h);
  });
  return h;
}

function batch(sizes: number[], n: number, dtype: 'float32' | 'float64'): { x: Tensor; y: Tensor } {
  const [k1, k2] = random.split(random.key(99));
  return { x: random.normal(k1!, [n, sizes[0]!], { dtype }), y: random.randint(k2!, 0, sizes[sizes.length - 1]!, [n]) };
}

/** Median ms of one training step (value-and-grad, the optimizer's update, applyUpdates). */
function stepMs(sizes: number[], batchSize: number, opt: GradientTransformation, seed: number, reps: number, samples: number, warmup = 3): number {
  let p = initMlp(sizes, 'float32', seed);
  let state = opt.init(p);
  const { x, y } = batch(sizes, batchSize, 'float32');
  const vg = valueAndGrad((q: Mlp) => softmaxCrossEntropy(forward(q, x, relu), y));
  let step = 0;
  const once = (): void => {
    const { grads } = vg(p);
    const [updates, next] = opt.update(grads, state, { params: p, step: step++ });
    state = next;
    p = optim.applyUpdates(p, updates);
  };
  return (
    time(
      () => {
        for (let i = 0; i < reps; i++) once();
      },
      samples,
      warmup,
    ) / reps
  );
}

const mlpStepMs = (): number => stepMs([784, 256, 256, 10], 128, optim.adam(1e-3), 0, 1, 15);
// Many steps per sample: a single tiny step is far below timer-resolution noise.
// Steady state: 10 × 200 warm-up steps first, so every path is optimized by the JIT.
const tinyMlpStepMs = (): number => stepMs([256, 20, 10], 8, optim.sgd(0.1), 1, 200, 9, 10);

function hvpOverGrad(): number {
  const sizes = [784, 256, 256, 10];
  const p = initMlp(sizes, 'float64', 2);
  const { x, y } = batch(sizes, 128, 'float64');
  const loss = (q: Mlp): Tensor => softmaxCrossEntropy(forward(q, x, tanh), y);
  const v = treeMap((w) => random.normal(random.key(5), w.shape), p);
  const g = grad(loss);
  const tGrad = time(() => void g(p), 7, 2);
  const tHvp = time(() => void hvp(loss, p, v), 7, 2);
  return tHvp / tGrad;
}

function eighMs(): number {
  const a = random.normal(random.key(3), [256, 256]);
  const s = mul(add(a, transpose(a)), 0.5);
  return time(() => void linalg.eigh(s), 5, 1);
}

function qrMs(): number {
  const a = random.normal(random.key(4), [1024, 64]);
  return time(() => void linalg.qr(a), 9, 2);
}

function svdMs(): number {
  const a = random.normal(random.key(6), [256, 256]);
  return time(() => void linalg.svd(a), 5, 1);
}

const results: Record<string, Record<string, number>> = {};
// BENCH_BACKENDS=wasm,native runs a subset (default: every available backend).
const wanted = process.env['BENCH_BACKENDS']
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of wanted ?? availableBackends()) {
  if (!availableBackends().includes(name)) throw new Error(`BENCH_BACKENDS: '${name}' is not available (have ${availableBackends().join(', ')})`);
  setBackend(name);
  log(`bench: backend ${name}`);
  const r: Record<string, number> = {};
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  r['sgemm512_gflops'] = round(gemmGflops(512, 'float32'));
  r['sgemm1024_gflops'] = round(gemmGflops(1024, 'float32'));
  r['dgemm512_gflops'] = round(gemmGflops(512, 'float64'));
  r['dgemm1024_gflops'] = round(gemmGflops(1024, 'float64'));
  log(`  gemm done: ${JSON.stringify(r)}`);
  r['mlp_step_ms'] = round(mlpStepMs());
  r['tiny_mlp_step_ms'] = round(tinyMlpStepMs());
  log(`  mlp steps: ${r['mlp_step_ms']} ms, tiny ${r['tiny_mlp_step_ms']} ms`);
  r['hvp_over_grad'] = round(hvpOverGrad());
  r['eigh256_f64_ms'] = round(eighMs());
  r['qr1024x64_f64_ms'] = round(qrMs());
  r['svd256_f64_ms'] = round(svdMs());
  Object.assign(r, spectralBench()); // hvp_mlp_ms, lanczos20_mlp_ms (bench/spectral.ts)
  r['gld_step_ms'] = round(gldStepMs()); // methods/langevin: one full-batch GLD step, n 1600, M 100, d 5 (bench/gld-step.ts)
  // Amortized eigen tracker step vs eigh, n = 256/512/1024, k = 16 (bench/amortized-eigen.ts).
  for (const [key, ms] of Object.entries(amortizedEigenBench())) r[key] = round(ms);
  Object.assign(r, sgdChaosBench()); // cgd_step_ms, cgd_step_hvp_ms (bench/sgd-chaos.ts)
  r['dash_mlp_steps_per_s'] = round(dashMlpStepsPerSecond()); // issue 18 (bench/dash.ts)
  // BENCH_E2E=0 skips the end-to-end runs (≈ 20–40 s per backend); the js reference (8–14× slower
  // than PyTorch here, no target) runs them only with BENCH_E2E=all.
  const e2e = process.env['BENCH_E2E'] ?? '1';
  if (e2e !== '0' && (name !== 'js' || e2e === 'all')) {
    r['e2e_mlp_f64_s'] = round(e2eMlpSeconds('float64'));
    r['e2e_mlp_f32_s'] = round(e2eMlpSeconds('float32'));
    log(`  e2e train(): float64 ${r['e2e_mlp_f64_s']} s, float32 ${r['e2e_mlp_f32_s']} s`);
  }
  results[name] = r;
}
// The NQM study is plain JS (no kernels): timed once and reported in every backend's record. BENCH_NQM=0 skips it.
if (process.env['BENCH_NQM'] !== '0') {
  const nqmS = Math.round((await nqmStudySeconds()) * 1000) / 1000;
  log(`  nqm/critical-batch-size study: ${nqmS} s`);
  for (const r of Object.values(results)) r['nqm_study_s'] = nqmS;
}
// Backend-independent (plain JS loop): SA attempted flips/s, n = 1000, degree 10 (bench/qubo-sa.ts).
results['qubo'] = { sa_flips_per_s: Math.round(saFlipsPerSecond()) };
log(`  qubo: SA ${(results['qubo']['sa_flips_per_s']! / 1e6).toFixed(1)} M flips/s`);
// Sweeps on the default backend (bench/sweeps.ts): --jobs 1 vs 2, queue overhead. BENCH_SWEEPS=0 skips them.
const output: Record<string, Record<string, number | null>> = { ...results };
if (process.env['BENCH_SWEEPS'] !== '0') output['sweeps'] = await sweepBench(log);
process.stdout.write(`${JSON.stringify(output)}\n`);
