import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { binaryTask } from './data.ts';
import { trainBaseline } from './ste.ts';

test('binary Iris task: PCA features in [−1, 1], a bias column, ±1 labels, disjoint reproducible split', () => {
  const t = binaryTask('iris', [1, 2], { features: 3, train: 30, test: 40, key: key(4) });
  assert.equal(t.features, 3);
  assert.equal(t.train.xs.length, 30);
  assert.equal(t.test.xs.length, 40);
  for (const r of [...t.train.xs, ...t.test.xs]) {
    assert.equal(r.length, 4);
    assert.equal(r[3], 1);
    for (let j = 0; j < 3; j++) assert.ok(r[j]! >= -1 && r[j]! <= 1);
  }
  // Training rows reach ±1 on each feature (scaled by their own max |value|).
  for (let j = 0; j < 3; j++) assert.equal(Math.max(...t.train.xs.map((r) => Math.abs(r[j]!))), 1);
  assert.deepEqual(new Set([...t.train.ys, ...t.test.ys]), new Set([-1, 1]));
  assert.deepEqual(binaryTask('iris', [1, 2], { features: 3, train: 30, test: 40, key: key(4) }).train.xs, t.train.xs);
  assert.throws(() => binaryTask('iris', [1, 2], { features: 3, train: 80, test: 40, key: key(4) }), /have 100 rows, asked 80 \+ 40/);
});

test('STE-QAT returns ternary weights and beats chance on Iris versicolor vs virginica; the float net fits the training rows', () => {
  const t = binaryTask('iris', [1, 2], { features: 4, train: 40, test: 60, key: key(1) });
  const ste = trainBaseline(t.train.xs, t.train.ys, { hidden: 3, steps: 150, lr: 0.05, key: key(2), quantize: true });
  for (const v of [...ste.weights.w1, ...ste.weights.w2]) assert.ok(v === -1 || v === 0 || v === 1, `weight ${v}`);
  assert.ok(ste.accuracy(t.test.xs, t.test.ys) > 0.7);
  const fl = trainBaseline(t.train.xs, t.train.ys, { hidden: 3, steps: 150, lr: 0.05, key: key(2), quantize: false });
  assert.ok(fl.accuracy(t.train.xs, t.train.ys) >= 0.9);
  assert.ok(fl.trainLoss < ste.trainLoss + 0.5);
});
