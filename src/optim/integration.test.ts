/**
 * K-FAC end to end: the trainer records layer stats only because kfac declares them, with real
 * nn layers (Linear and Conv2d inside sequential, whose param paths read '[0].w'), and training
 * reduces the loss. Also ema + emaParams through the trainer's optimizer state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import { matmul } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import * as nn from '../nn/index.ts';
import { evaluate, train } from '../train/trainer.ts';
import { adam, chain, ema, emaParams, kfac, type KfacState } from './index.ts';

function data(n: number, shape: number[], classes: number, seed: number): { x: Tensor; y: Tensor } {
  const [k1, k2] = random.split(random.key(seed), 2);
  const x = random.normal(k1!, [n, ...shape]);
  const d = x.size / n;
  const teacher = random.normal(k2!, [d, classes]);
  const scores = matmul(x.rank === 2 ? x : new Tensor(x.data, [n, d]), teacher);
  const y = new Tensor(
    Int32Array.from({ length: n }, (_, i) => {
      const row = [...scores.data.subarray(i * classes, (i + 1) * classes)];
      return row.indexOf(Math.max(...row));
    }),
    [n],
    'int32',
  );
  return { x, y };
}

const lossCurve = (m: { step: number; loss?: number }[]): number[] => m.filter((r) => r.loss !== undefined).map((r) => r.loss!);
const avg = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

test('kfac through the trainer: MLP and CNN train, and the state holds one factor pair per layer', () => {
  const mlpRun = train({
    model: nn.mlp({ sizes: [4, 8, 3], activation: 'tanh' }),
    optimizer: kfac(0.2, { damping: 1e-2, inverseEvery: 5 }),
    train: data(96, [4], 3, 1),
    batchSize: 16,
    steps: 40,
    seed: 2,
  });
  const ml = lossCurve(mlpRun.metrics);
  assert.ok(avg(ml.slice(-5)) < 0.6 * avg(ml.slice(0, 5)), `MLP loss ${avg(ml.slice(0, 5))} → ${avg(ml.slice(-5))}`);
  assert.equal(Object.keys((mlpRun.optState as [KfacState, unknown])[0].layers).length, 2);

  const model = nn.cnn({ inChannels: 1, inputSize: 6, channels: [3], kernel: 3, classes: 3, activation: 'tanh' });
  const cnnRun = train({
    model,
    optimizer: kfac(0.1, { damping: 1e-2, momentum: 0.5, inverseEvery: 5 }),
    train: data(64, [1, 6, 6], 3, 3),
    batchSize: 16,
    steps: 30,
    seed: 4,
  });
  const cl = lossCurve(cnnRun.metrics);
  assert.ok(avg(cl.slice(-5)) < 0.8 * avg(cl.slice(0, 5)), `CNN loss ${avg(cl.slice(0, 5))} → ${avg(cl.slice(-5))}`);
  const layers = (cnnRun.optState as [KfacState, unknown, unknown])[0].layers;
  assert.deepEqual(Object.keys(layers).sort(), ['conv0', 'dense0']);
  assert.deepEqual(layers['conv0']!.A.shape, [1 * 3 * 3 + 1, 1 * 3 * 3 + 1]);
  assert.deepEqual(layers['conv0']!.G.shape, [3, 3]);
});

test('ema through the trainer: emaParams(optState) is a usable parameter tree', () => {
  const model = nn.mlp({ sizes: [4, 8, 3] });
  const ds = data(96, [4], 3, 1);
  const r = train({ model, optimizer: chain(adam(0.02), ema(0.9)), train: ds, batchSize: 16, steps: 40, seed: 2 });
  const avgParams = emaParams(r.optState);
  const ev = evaluate(model, avgParams as typeof r.params, ds);
  assert.ok(Number.isFinite(ev.loss) && ev.loss < 1.0, `EMA-params loss ${ev.loss}`);
});
