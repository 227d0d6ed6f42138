/**
 * `npm run bench`: one JSON object on stdout, keyed by backend, with fixed field names so results
 * compare across versions and against PyTorch's same workloads. Progress goes to stderr.
 *
 * Workloads: GEMM GFLOPS (f32/f64, 512 and 1024); an MLP 784-256-256-10 ReLU training step
 * (batch 128, softmax-CE, forward + backward + Adam, float32); a tiny MLP 256-20-10 ReLU step
 * (batch 8, SGD, float32); HVP time over gradient time (784-256-256-10 tanh MLP, float64,
 * batch 128); eigh 256 and QR 1024×64 in float64.
 */
import {
  Tensor, add, availableBackends, kernels, linalg, matmul, mul, random, setBackend, softmaxCrossEntropy, sub, div,
  sqrt, tanh, relu, valueAndGrad, hvp, grad, treeMap, type Tree, square, transpose,
} from '../src/index.ts';
import type { FloatArray } from '../src/kernels/kernels.ts';
import { medianMs as time } from './timing.ts';

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

/** One Adam step written with tensor ops (β1 0.9, β2 0.999, ε 1e-8). */
function adamStep<T extends Tree>(p: T, g: T, m: T, v: T, t: number, lr: number): [T, T, T] {
  const m2 = treeMap((mi, gi) => add(mul(mi, 0.9), mul(gi, 0.1)), m, g);
  const v2 = treeMap((vi, gi) => add(mul(vi, 0.999), mul(square(gi), 0.001)), v, g);
  const c1 = 1 - 0.9 ** t;
  const c2 = 1 - 0.999 ** t;
  const p2 = treeMap((pi, mi, vi) => sub(pi, mul(div(div(mi, c1), add(sqrt(div(vi, c2)), 1e-8)), lr)), p, m2, v2);
  return [p2, m2, v2];
}

function mlpStepMs(): number {
  const sizes = [784, 256, 256, 10];
  let p = initMlp(sizes, 'float32', 0);
  let m = treeMap((x) => mul(x, 0), p);
  let v = treeMap((x) => mul(x, 0), p);
  const { x, y } = batch(sizes, 128, 'float32');
  const vg = valueAndGrad((q: Mlp) => softmaxCrossEntropy(forward(q, x, relu), y));
  let t = 0;
  return time(() => {
    const { grads } = vg(p);
    [p, m, v] = adamStep(p, grads, m, v, ++t, 1e-3);
  }, 15, 3);
}

function tinyMlpStepMs(): number {
  const sizes = [256, 20, 10];
  let p = initMlp(sizes, 'float32', 1);
  const { x, y } = batch(sizes, 8, 'float32');
  const vg = valueAndGrad((q: Mlp) => softmaxCrossEntropy(forward(q, x, relu), y));
  const step = (): void => {
    const { grads } = vg(p);
    p = treeMap((pi, gi) => sub(pi, mul(gi, 0.1)), p, grads);
  };
  // Many steps per sample: a single step is far below timer resolution noise.
  return time(() => { for (let i = 0; i < 200; i++) step(); }, 9, 2) / 200;
}

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

const results: Record<string, Record<string, number>> = {};
for (const name of availableBackends()) {
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
  results[name] = r;
}
process.stdout.write(`${JSON.stringify(results)}\n`);
