/**
 * Spectral workloads of `npm run bench` (issue 14), on the 784-256-256-10 tanh MLP, batch 128,
 * float64 (bench/torch.py hvp_mlp_ms is PyTorch's double-backward HVP on the same model):
 *   hvp_mlp_ms       one Hessian-vector product through spectral's operator (flat vector in and
 *                    out: what every Lanczos step pays), best of several;
 *   lanczos20_mlp_ms 20 Lanczos steps with full reorthogonalization (20 HVPs + the Ritz checks),
 *                    best of several; lanczos20_per_hvp_ms is that over 20.
 */
import { Tensor, add, matmul, random, softmaxCrossEntropy, tanh } from '../src/index.ts';
import { hessianOperator, lanczos } from '../src/spectral/index.ts';
import { bestMs } from './timing.ts';

type Mlp = { w: Tensor[]; b: Tensor[] };

export function spectralBench(): Record<string, number> {
  const sizes = [784, 256, 256, 10];
  const keys = random.split(random.key(2), sizes.length + 1);
  const p: Mlp = {
    w: sizes.slice(1).map((out, i) => random.normal(keys[i]!, [sizes[i]!, out], { std: Math.sqrt(2 / sizes[i]!) })),
    b: sizes.slice(1).map((out) => new Tensor(new Float64Array(out), [out], 'float64')),
  };
  const [kx, ky] = random.split(keys[sizes.length]!);
  const batch = { x: random.normal(kx!, [128, 784]), y: random.randint(ky!, 0, 10, [128]) };
  const loss = (q: Mlp, b: typeof batch): Tensor => {
    let h = b.x;
    q.w.forEach((w, i) => {
      h = add(matmul(h, w), q.b[i]!);
      if (i < q.w.length - 1) h = tanh(h);
    });
    return softmaxCrossEntropy(h, b.y);
  };
  const op = hessianOperator(loss, p, batch);
  const v = Float64Array.from(random.normal(random.key(5), [op.size]).data as Float64Array);
  const hvpMs = bestMs(() => void op.matvec(v), 9, 2);
  // tol far below reach: exactly 20 steps every time.
  const lanczosMs = bestMs(() => void lanczos(op, { key: random.key(7), largest: 1, maxIter: 20, tol: 1e-300 }), 5, 1);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { hvp_mlp_ms: round(hvpMs), lanczos20_mlp_ms: round(lanczosMs), lanczos20_per_hvp_ms: round(lanczosMs / 20) };
}
