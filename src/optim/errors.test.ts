/** Bad inputs fail at once, with an error that names the transformation, the argument and the value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, zeros } from '../tensor/tensor.ts';
import {
  addNoise,
  adam,
  adamw,
  chain,
  clipByGlobalNorm,
  ema,
  emaParams,
  kfac,
  langevin,
  momentum,
  rmsprop,
  scale,
  scaleByAdam,
  scaleByKfac,
  scaleByLearningRate,
  scaleByRms,
  sgd,
  traceMomentum,
} from './index.ts';

const p = { w: zeros([2]) };
const ctx = { params: p, step: 0 };

test('errors: negative or non-finite learning rates', () => {
  assert.throws(
    () => sgd(-0.1),
    /scaleByLearningRate: learning rate must be a finite number ≥ 0, got -0\.1 \(a negative learning rate would ascend the loss\)/,
  );
  assert.throws(() => sgd(NaN), /learning rate must be a finite number ≥ 0, got NaN/);
  assert.throws(() => adam(Infinity), /learning rate must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => scaleByLearningRate('0.1' as unknown as number), /got 0\.1/);
  assert.throws(() => langevin(-1, { beta: 1 }), /langevin: learning rate must be a finite number ≥ 0, got -1/);
  // A schedule that goes bad is caught at the step where it does, naming the step.
  const t = sgd((step) => 0.1 - 0.05 * step);
  t.update(p, t.init(p), { ...ctx, step: 2 });
  assert.throws(() => t.update(p, t.init(p), { ...ctx, step: 3 }), /learning rate \(schedule value at step 3\) must be a finite number ≥ 0, got -0\.05/);
  assert.throws(() => scale(NaN), /scale: factor must be a finite number, got NaN/);
});

test('errors: decays outside [0, 1)', () => {
  assert.throws(() => momentum(0.1, 1), /traceMomentum: momentum μ must be in \[0, 1\), got 1/);
  assert.throws(() => traceMomentum(-0.1), /got -0\.1/);
  assert.throws(() => scaleByAdam({ b1: 1 }), /scaleByAdam: b1 must be in \[0, 1\), got 1/);
  assert.throws(() => adamw(1e-3, { b2: 1.5 }), /scaleByAdam: b2 must be in \[0, 1\), got 1\.5/);
  assert.throws(() => scaleByRms({ alpha: NaN }), /scaleByRms: alpha must be in \[0, 1\), got NaN/);
  assert.throws(() => rmsprop(0.01, { eps: -1 }), /scaleByRms: eps must be a finite number ≥ 0, got -1/);
  assert.throws(() => ema(1), /ema: decay must be in \[0, 1\), got 1/);
  assert.throws(() => scaleByKfac({ decay: 1 }), /scaleByKfac: decay must be in \[0, 1\), got 1/);
  assert.throws(() => scaleByKfac({ damping: -1 }), /scaleByKfac: damping must be a finite number ≥ 0, got -1/);
  assert.throws(() => scaleByKfac({ inverseEvery: 0.5 }), /scaleByKfac: inverseEvery must be an integer ≥ 1, got 0\.5/);
  assert.throws(() => kfac(0.1, { momentum: 1 }), /kfac: momentum must be in \[0, 1\), got 1/);
  assert.throws(() => clipByGlobalNorm(0), /clipByGlobalNorm: maxNorm must be a finite number > 0, got 0/);
  assert.throws(() => sgd(0.1, { weightDecay: -1 }), /addDecayedWeights: weight decay must be a finite number ≥ 0, got -1/);
  assert.throws(() => langevin(0.1, { beta: 0 }), /langevin: inverse temperature beta must be a number > 0, got 0/);
  assert.throws(() => addNoise(-1), /addNoise: noise std must be a finite number ≥ 0, got -1/);
});

test('errors: randomness without a key', () => {
  const l = langevin(0.1, { beta: 1 });
  assert.throws(() => l.update(p, l.init(p), ctx), /langevin: needs a random key but ctx\.key is missing/);
  const n = addNoise(0.1);
  assert.throws(() => n.update(p, n.init(p), ctx), /addNoise: needs a random key but ctx\.key is missing/);
});

test('errors: K-FAC without layer stats, or with stats that do not match the gradients', () => {
  const t = kfac(0.1);
  assert.deepEqual(t.needs, ['layerStats']);
  assert.throws(() => t.update(p, t.init(p), ctx), /scaleByKfac: ctx\.layerStats is missing; K-FAC declares needs: \['layerStats'\]/);
  const stat = { kind: { type: 'linear', bias: false } as const, input: zeros([3, 2]), outputGrad: zeros([3, 1]), weightPath: 'nope' };
  assert.throws(
    () => t.update(p, t.init(p), { ...ctx, layerStats: new Map([['fc', stat]]) }),
    /layer 'fc' weight path 'nope' is not a leaf of the gradient tree \(leaves: w\)/,
  );
  const q = { w: zeros([2, 2]) };
  assert.throws(
    () => t.update(q, t.init(q), { params: q, step: 0, layerStats: new Map([['fc', { ...stat, weightPath: 'w' }]]) }),
    /layer 'fc': weight \[2, 2\] should be \[in, out\] = \[2, 1\]/,
  );
});

test('errors: chain arguments and emaParams without an ema', () => {
  assert.throws(() => chain(sgd(0.1), undefined as never), /chain: argument 1 is not a GradientTransformation/);
  assert.throws(() => emaParams(sgd(0.1).init(p)), /emaParams: no ema\(\.\.\.\) state found/);
  assert.ok(emaParams(chain(sgd(0.1), ema(0.5)).init(p)) !== undefined);
  void Tensor;
});
