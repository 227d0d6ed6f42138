/**
 * sgd-chaos workload of `npm run bench` (issue 16), float64, 16-10-10 ReLU MLP, batch 8
 * (bench/torch.py cgd_step_ms: torch.autograd.functional.hessian + torch.linalg.eigh, same model):
 *   cgd_step_ms      one CGD step: the exact mini-batch loss, gradient and Hessian
 *                    (mlpLossGradHessian), every eigenpair by eigh, the projection; best of several;
 *   cgd_step_hvp_ms  the same step through the generic `pruneCurvature` transformation (n = 280
 *                    HVPs through autodiff for the dense Hessian), best of a few.
 * The official code's exact-Hessian library (O2Grad) publishes 0.22 s for the Hessian alone on a
 * 784-10-10 MLP, batch 8, CPU (o2grad/results/benchmark_test/mlp_mnist.csv) — a larger model.
 */
import { random } from '../src/index.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { mlp } from '../src/nn/mlp.ts';
import { treeLayout } from '../src/spectral/flat.ts';
import { hessianOperator } from '../src/spectral/hessian-operator.ts';
import { softmaxCrossEntropy } from '../src/tensor/composed.ts';
import { cgdDirection, denseEigenpairs, mlpLossGradHessian, pruneCurvature } from '../src/methods/sgd-chaos/index.ts';
import { bestMs } from './timing.ts';

export function sgdChaosBench(): Record<string, number> {
  const model = mlp({ sizes: [16, 10, 10] });
  const params = model.init(random.key(4));
  const [kx, ky] = random.split(random.key(5));
  const x = random.normal(kx!, [8, 16]);
  const y = random.randint(ky!, 0, 10, [8]);
  const layout = treeLayout(params);
  const step = (): Float64Array => {
    const r = mlpLossGradHessian(params, x, y);
    const d = cgdDirection(r.grad, denseEigenpairs(r.hessian, r.n), { set: 'neg', lr: 0.02 }).direction ?? r.grad;
    const theta = layout.flatten(params);
    for (let i = 0; i < theta.length; i++) theta[i]! -= 0.02 * d[i]!;
    return theta;
  };
  const op = hessianOperator((p: typeof params, b: { x: Tensor; y: Tensor }) => softmaxCrossEntropy(model.apply(p, b.x), b.y), params, { x, y });
  const t = pruneCurvature({ set: 'neg', lr: 0.02 });
  const g = layout.unflatten(mlpLossGradHessian(params, x, y).grad);
  const viaHvp = () => t.update(g, {}, { params, step: 0, key: random.key(0), hvp: (v) => layout.unflatten(op.matvec(layout.flatten(v as typeof params))) });
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { cgd_step_ms: round(bestMs(step, 15, 5)), cgd_step_hvp_ms: round(bestMs(viaHvp, 3, 1)) };
}
