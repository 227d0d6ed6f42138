/**
 * End-to-end training benchmark: `train()` of the README's MNIST MLP (784-128-10 ReLU, 8000
 * training / 2000 test digits, batch 100, Adam 2e-3, 1600 steps, evaluation every 400 steps),
 * timed as a whole — batching, forward, backward, optimizer, NaN guard and evaluation — in
 * float64 and float32. bench/torch.py times the same loop in PyTorch on the same digits
 * (written for it by `tsx bench/e2e.ts --export FILE`).
 */
import { writeFileSync } from 'node:fs';
import { data, nn, optim, train } from '../src/index.ts';

export const E2E = { train: 8000, test: 2000, sizes: [784, 128, 10], batchSize: 100, steps: 1600, evalEvery: 400, lr: 2e-3 } as const;

const digits = (): ReturnType<typeof data.loadMnist> => data.loadMnist({ train: E2E.train, test: E2E.test });

/**
 * Seconds for one full run: the best of `runs` (after a 50-step warm-up run, so JIT and kernel
 * start-up are not counted). Best-of, as everywhere in the bench: on a shared VM noise only adds.
 */
export function e2eMlpSeconds(dtype: 'float64' | 'float32', steps: number = E2E.steps, runs = 2): number {
  const { train: trainSet, test } = digits();
  const run = (n: number): void => {
    const model = nn.mlp({ sizes: [...E2E.sizes], activation: 'relu' });
    train({ model, optimizer: optim.adam(E2E.lr), train: trainSet, test, batchSize: E2E.batchSize, steps: n, evalEvery: E2E.evalEvery, seed: 0, dtype });
  };
  run(50);
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    run(steps);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** The digits as raw little-endian arrays for bench/torch.py: header JSON line, then x (float64) and y (int32) of train, then test. */
function exportDigits(path: string): void {
  const { train: tr, test: te } = digits();
  const header = JSON.stringify({ train: tr.x.shape, test: te.x.shape });
  const parts = [Buffer.from(`${header}\n`)];
  for (const ds of [tr, te]) {
    const x = Float64Array.from(ds.x.data as Float64Array);
    const y = Int32Array.from(ds.y.data as Int32Array);
    parts.push(Buffer.from(x.buffer), Buffer.from(y.buffer));
  }
  writeFileSync(path, Buffer.concat(parts));
}

if (process.argv[2] === '--export') {
  if (!process.argv[3]) throw new Error('usage: tsx bench/e2e.ts --export FILE');
  exportDigits(process.argv[3]);
}
