import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import { makeTrainStep } from '../../train/train-step.ts';
import { gibbsWindow, GibbsAverage } from './gibbs.ts';
import { twoLayerNet } from './model.ts';
import { gld } from './gld.ts';
import { runChain } from './chain.ts';
import { squaredLoss } from './losses.ts';
import { uniformInputs } from './teacher.ts';

test('the Gibbs window is the last ⌊tail·K⌋ iterates, every thin-th counted back from the last', () => {
  assert.deepEqual(gibbsWindow(10), [6, 7, 8, 9, 10]);
  assert.deepEqual(gibbsWindow(10, { thin: 2 }), [6, 8, 10]);
  assert.deepEqual(gibbsWindow(10, { tail: 0.3 }), [8, 9, 10]);
  assert.deepEqual(gibbsWindow(11, { thin: 3 }), [8, 11]); // ⌊5.5⌋ = 5 iterates 7…11, thinned back from 11
  assert.deepEqual(gibbsWindow(3, { tail: 0.1 }), [3]); // at least the last iterate
  assert.deepEqual(gibbsWindow(4, { tail: 1 }), [1, 2, 3, 4]);
  assert.throws(() => gibbsWindow(10, { tail: 0 }), /tail must be in \(0, 1\]/);
  assert.throws(() => gibbsWindow(10, { thin: 0 }), /thin must be an integer ≥ 1/);
  const avg = new GibbsAverage(10);
  assert.throws(() => avg.add(5, [1]), /iterate 5 is outside the window \[6, 10\]/);
  assert.throws(() => avg.mean(), /no iterate was added/);
});

test("runChain averages exactly the window's iterates", () => {
  const net = twoLayerNet({ inputDim: 2, width: 5 });
  const x = uniformInputs(random.key(1), 16, 2);
  const y = zeros([16]);
  const test = uniformInputs(random.key(2), 7, 2);
  const optimizer = gld(0.1, { beta: 50, lambda: 0.02, mu: net.mu });
  const init = net.init(random.key(3));
  const key = random.key(4);
  const r = runChain({ model: net, optimizer, loss: squaredLoss, train: { x, y }, test, init, steps: 9, key, gibbs: { tail: 0.5, thin: 2 } });
  // Replay the same chain step by step and average the window's predictions (⌊4.5⌋ = 4: iterates 6…9, thinned back from 9: 9, 7).
  const want = gibbsWindow(9, { tail: 0.5, thin: 2 });
  assert.deepEqual(want, [7, 9]);
  const step = makeTrainStep({ model: net, optimizer, loss: squaredLoss });
  let s = step.init({ params: init });
  const sum = new Float64Array(7);
  for (let k = 0; k < 9; k++) {
    s = step(s, { x, y }, random.foldIn(key, k)).state;
    if (want.includes(k + 1))
      (net.apply(s.params, test).data as Float64Array).forEach((v, i) => {
        sum[i] = sum[i]! + v;
      });
  }
  assert.equal(r.gibbsSamples, 2);
  r.gibbsPrediction!.forEach((v, i) => assert.ok(Math.abs(v - sum[i]! / 2) < 1e-14, `point ${i}`));
  assert.deepEqual(Array.from(r.lastPrediction), Array.from(net.apply(s.params, test).data as Float64Array));
});
