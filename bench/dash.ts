/**
 * DASH workload of `npm run bench` (issue 18): `dash_mlp_steps_per_s`, training steps per second of
 * dash/warm-start's model — a BatchNorm MLP 784-256-256-10 (Linear → BatchNorm1d → ReLU), SGD
 * momentum 0.9, lr 0.01, batch 128, float64 — through `train()` as the protocol calls it (no loss
 * records, the NaN guard reading the loss every step), 100 steps on 1,280 random examples (a fresh
 * permutation per epoch), best of 3. bench/torch.py dash_mlp_steps_per_s is the same loop in PyTorch.
 */
import { random } from '../src/index.ts';
import { momentum } from '../src/optim/aliases.ts';
import { train } from '../src/train/trainer.ts';
import { bnMlp } from '../src/experiments/dash/model.ts';
import { bestMs } from './timing.ts';

export function dashMlpStepsPerSecond(steps = 100): number {
  const [kx, ky] = random.split(random.key(18));
  const data = { x: random.uniform(kx!, [1280, 784]), y: random.randint(ky!, 0, 10, [1280]) };
  const model = bnMlp([784, 256, 256, 10]);
  const ms = bestMs(() => train({ model, optimizer: momentum(0.01, 0.9), train: data, batchSize: 128, steps, seed: 0, logEvery: 0, evalAtEnd: false }), 3, 1);
  return steps / (ms / 1000);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ dash_mlp_steps_per_s: Math.round(dashMlpStepsPerSecond() * 10) / 10 }));
