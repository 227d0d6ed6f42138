/**
 * gld_step_ms: one full-batch semi-implicit GLD step (methods/langevin) at n = 1600, M = 100,
 * d = 5, float64: forward + backward of the mean squared loss through `makeTrainStep`, the
 * `gld` transformation (noise from keys) and applyUpdates. bench/torch.py's gld_step_ms is the
 * same step written in PyTorch (autograd + the same update). Best of 9 samples of 10 steps.
 */
import { random } from '../src/index.ts';
import { makeTrainStep } from '../src/train/train-step.ts';
import { gld, squaredLoss, twoLayerNet } from '../src/methods/langevin/index.ts';
import { bestMs } from './timing.ts';

export function gldStepMs(): number {
  const n = 1600,
    d = 5,
    M = 100;
  const net = twoLayerNet({ inputDim: d, width: M });
  const x = random.uniform(random.key(1), [n, d], { low: -1, high: 1 });
  const y = random.normal(random.key(2), [n]);
  const step = makeTrainStep({ model: net, optimizer: gld(0.05, { beta: n, lambda: 1 / n, mu: net.mu }), loss: squaredLoss });
  let state = step.init(random.key(0));
  const base = random.key(3);
  let k = 0;
  const reps = 10;
  return (
    bestMs(
      () => {
        for (let i = 0; i < reps; i++) state = step(state, { x, y }, random.foldIn(base, k++)).state;
      },
      9,
      3,
    ) / reps
  );
}
